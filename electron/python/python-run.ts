/**
 * One traced Python program as a run of the host: a trace server of its own,
 * the program started with the tracer's environment, its records turned into
 * frames on the host's stream, and the run ended when the program has exited
 * and said all it had to say. Stop ends the whole process tree.
 */
import { basename } from 'node:path';
import type { PoolEvent, RunDescription } from '../../shared/events';
import { now } from '../engine/clock';
import type { FrameBuilder } from '../engine/frame-builder';
import { TraceFrames } from './trace-frames';
import { PythonProcess, type PythonExit } from './python-process';
import { TraceServer, type TracePoolOverrides } from './trace-server';

export interface PythonRunOptions {
  script: string;
  args?: readonly string[];
  /** The interpreter (default: POOLSCOPE_PYTHON, the project's .venv, python3). */
  python?: string;
  overrides?: TracePoolOverrides;
  /** `inherit` for the CLI (the terminal sees the program as it is), `pipe` for the hosts. */
  stdio: 'inherit' | 'pipe';
  cwd?: string;
  /** Where the tracer's sitecustomize is (a packaged app's unpacked copy). */
  bootDir?: string;
  /** The run's title; default `python SCRIPT`. */
  title?: string;
}

export interface PythonRunResult {
  runId: number;
  status: 'completed' | 'cancelled' | 'failed';
  exit: PythonExit;
  error?: string;
}

/** After the program exits, its last records may still be in its socket: wait for it to close, this long at most. */
const DRAIN_MS = 1_000;

export class PythonRun {
  private stopping = false;
  /** Set the moment the run ends on the stream, before any cleanup: a job may start the next one then. */
  ended = false;
  private mainClosed: () => void = () => {};

  private constructor(
    private readonly converter: TraceFrames,
    readonly runId: number,
    private readonly server: TraceServer,
    private readonly process: PythonProcess,
    /** Resolves once the program has exited and the run has finished. */
    readonly finished: Promise<PythonRunResult>,
  ) {}

  get pid(): number {
    return this.process.pid;
  }

  /**
   * Starts the program. Rejects (PythonError, with words fit for the user)
   * when the interpreter or script cannot be used; the run then never starts.
   */
  static async start(frames: FrameBuilder, options: PythonRunOptions): Promise<PythonRun> {
    const converter = new TraceFrames(frames);
    // What arrives before the run is open (a fast process's hello) waits for it.
    let early: (() => void)[] | null = [];
    const when = (apply: () => void) => (early ? early.push(apply) : apply());
    let mainPid: number | null = null;
    let onMainClosed = () => {};
    const server = await TraceServer.start(
      {
        hello: (connection) => when(() => converter.hello(connection)),
        records: (connection, records) => when(() => converter.records(connection, records)),
        warning: (warning) => when(() => converter.warning(warning)),
        closed: (connection, sawBye) => {
          const at = now();
          when(() => converter.closed(connection, sawBye, at));
          if (connection.pid === mainPid) onMainClosed();
        },
      },
      options.bootDir,
    );
    let process: PythonProcess;
    try {
      process = await PythonProcess.start({
        script: options.script,
        args: options.args,
        python: options.python,
        server,
        overrides: options.overrides,
        stdio: options.stdio,
        cwd: options.cwd,
      });
    } catch (error) {
      await server.close();
      throw error;
    }
    mainPid = process.pid;
    // What the program prints reaches the views as the tracer's records; the raw pipe only needs draining.
    process.stdout?.resume();
    const description: RunDescription = {
      source: 'python',
      title: options.title ?? `python ${basename(options.script)}`,
      chunksize: 1,
      poolSize: options.overrides?.processes ?? 0,
    };
    const runId = converter.beginRun(description);
    for (const apply of early ?? []) apply();
    early = null;
    const mainClosed = new Promise<void>((resolve) => (onMainClosed = resolve));
    let run: PythonRun | null = null;
    const finished = process.exited.then(async (exit) => {
      const deadline = Date.now() + DRAIN_MS;
      await Promise.race([mainClosed, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
      // Its children's last words too: a child's line printed before the program's last one comes first.
      await server.drained(deadline);
      const stopped = run?.stopping ?? false;
      const status = stopped ? 'cancelled' : exit.code === 0 ? 'completed' : 'failed';
      const error =
        status === 'failed' ? describeExit(exit, process.stderrTail() || converter.mainStderrTail()) : undefined;
      if (run) run.ended = true;
      converter.finishRun(now(), status, error, true);
      await server.close();
      return { runId, status, exit, ...(error ? { error } : {}) } satisfies PythonRunResult;
    });
    run = new PythonRun(converter, runId, server, process, finished);
    return run;
  }

  /** The run and its live lanes, for a late subscriber's catch-up frame. */
  presentEvents(): PoolEvent[] {
    return this.converter.presentEvents();
  }

  /** Ends the program and every process it started; resolves when the run has finished. */
  async stop(graceMs = 2_000): Promise<PythonRunResult> {
    this.stopping = true;
    await this.process.stop(graceMs);
    return this.finished;
  }
}

/** Why the program failed, in words: its exit and the last lines it wrote to stderr. */
function describeExit(exit: PythonExit, stderrTail: string): string {
  const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
  const lines = stderrTail.trimEnd().split('\n').filter(Boolean).slice(-4);
  return lines.length ? `the program ${how}:\n${lines.join('\n')}` : `the program ${how}`;
}
