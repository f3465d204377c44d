/**
 * One cluster bridge (python/PROTOCOL.md: Running a bridge): a Python process
 * that owns a local Dask or Ray cluster, or follows someone else's, reports
 * its lanes and tasks to a trace server of its own, and takes commands as JSON
 * lines on stdin (`scale`, `run`, `cancel`, `stop`), answering on stdout.
 * Lanes outlive runs, as the cluster's workers do; each `run` is a run on the
 * host's frame stream, ended once its last record has arrived.
 */
import { createInterface } from 'node:readline';
import type { PoolEvent, RunDescription } from '../../shared/events';
import type { ClusterBackend } from '../../shared/run-spec';
import { now } from '../engine/clock';
import type { FrameBuilder } from '../engine/frame-builder';
import { PoolError } from '../engine/pool';
import { PythonError, PythonProcess, type PythonExit } from './python-process';
import { TraceFrames } from './trace-frames';
import { TraceServer } from './trace-server';

/** Where the cluster is: one the bridge starts and owns, or an address it attaches to. */
export type ClusterPlace =
  { kind: 'local'; workers: number; threadsPerWorker: number } | { kind: 'attach'; address: string };

export interface ClusterBridgeOptions {
  engine: ClusterBackend;
  place: ClusterPlace;
  /** The interpreter (default: POOLSCOPE_PYTHON, the project's .venv, python3): it must import the engine. */
  python?: string;
  /** Where the tracer's sitecustomize is (a packaged app's unpacked copy). */
  bootDir?: string;
  /** How long the cluster may take to come up (Ray's first start on a busy machine is slow). */
  readyTimeoutMs?: number;
}

/** The bridge's first line: where the cluster is, whether it is ours, its version. */
export interface ClusterReady {
  owned: boolean;
  /** Dask: the scheduler's address; Ray: the cluster's. */
  address: string;
  version: string;
}

export interface ClusterRun {
  workload: string;
  tasks: number;
  costMs: number;
  faultEvery: number;
}

export interface ClusterRunResult {
  runId: number;
  status: 'completed' | 'cancelled' | 'failed';
  error?: string;
}

interface Reply {
  ok: boolean;
  command?: string;
  error?: string;
  ready?: Record<string, unknown>;
  [key: string]: unknown;
}

const ENGINE_NAMES: Record<ClusterBackend, string> = { dask: 'Dask', ray: 'Ray' };
/** The bridge's exit status when its engine is not installed (PROTOCOL.md). */
const EXIT_NO_ENGINE = 3;
/** After a run's reply, its last records may still be on the socket; wait this long for the `run done` mark. */
const DRAIN_MS = 3_000;
/** A bridge closes the cluster it owns on stop (Dask waits up to 5 s); after this it is killed. */
const STOP_GRACE_MS = 10_000;

export class ClusterBridge {
  private readonly pending = new Map<string, ((reply: Reply) => void)[]>();
  private run: { runId: number; cancelling: boolean; done: () => void } | null = null;
  private stopping: Promise<void> | null = null;
  /** Set once the process has exited. */
  exitedWith: PythonExit | null = null;
  /** Why the cluster is gone (its scheduler or head went away, the bridge died), once it is. */
  goneReason: string | null = null;

  /** Resolves when the bridge process has exited and its lanes have ended. */
  readonly exited: Promise<void>;

  private constructor(
    readonly engine: ClusterBackend,
    readonly place: ClusterPlace,
    private readonly converter: TraceFrames,
    private readonly server: TraceServer,
    private readonly process: PythonProcess,
    readonly ready: ClusterReady,
  ) {
    this.exited = process.exited.then((exit) => this.onExit(exit));
  }

  get name(): string {
    return ENGINE_NAMES[this.engine];
  }

  get alive(): boolean {
    return this.exitedWith === null && this.goneReason === null;
  }

  get running(): boolean {
    return this.run !== null;
  }

  /**
   * Starts the bridge and waits until its cluster is up. Rejects with words fit
   * for the user: no interpreter, the engine not installed (with the command
   * that installs it), the cluster not reachable.
   */
  static async start(frames: FrameBuilder, options: ClusterBridgeOptions): Promise<ClusterBridge> {
    const converter = new TraceFrames(frames);
    const name = ENGINE_NAMES[options.engine];
    let runDone = () => {};
    let gone = (_text: string) => {};
    const server = await TraceServer.start(
      {
        hello: (connection) => converter.hello(connection),
        records: (connection, records) => {
          converter.records(connection, records);
          for (const record of records) {
            if (record[0] === 'mark' && record[2] === 'run done') runDone();
            else if (record[0] === 'gone') gone(record[2]);
          }
        },
        warning: (warning) => converter.warning(warning),
        closed: (connection, sawBye) => converter.closed(connection, sawBye, now()),
      },
      options.bootDir,
    );
    const args =
      options.place.kind === 'local'
        ? options.engine === 'dask'
          ? ['--local', String(options.place.workers), String(options.place.threadsPerWorker)]
          : ['--local', String(options.place.workers)]
        : [options.engine === 'dask' ? '--scheduler' : '--address', options.place.address];
    let process: PythonProcess;
    try {
      process = await PythonProcess.start({
        script: `poolscope_trace.${options.engine}_bridge`,
        module: true,
        args,
        python: options.python,
        server,
        stdio: 'commands',
      });
    } catch (error) {
      await server.close();
      throw error;
    }
    process.stderr?.resume();
    const lines = createInterface({ input: process.stdout! });
    let onReady: (ready: ClusterReady) => void = () => {};
    let bridge: ClusterBridge | null = null;
    const readyLine = new Promise<ClusterReady>((resolve) => (onReady = resolve));
    lines.on('line', (line) => {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        return; // not ours: the engine printed on stdout
      }
      if (reply.ready) {
        const ready = reply.ready;
        onReady({
          owned: ready.owned === true,
          address: String(ready.scheduler ?? ready.address ?? ''),
          version: String(ready[options.engine] ?? ''),
        });
      } else bridge?.answer(reply);
    });
    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      readyLine,
      process.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout' || 'code' in outcome) {
      if (outcome === 'timeout') await process.stop(2_000);
      converter.endLanes(now(), 'closed');
      await server.close();
      throw new PythonError('spawn-failed', startFailure(name, outcome, process.stderrTail(), timeoutMs));
    }
    bridge = new ClusterBridge(options.engine, options.place, converter, server, process, outcome);
    const started = bridge;
    runDone = () => started.run?.done();
    gone = (text) => (started.goneReason ??= text);
    return bridge;
  }

  /** Scales a cluster the bridge owns (Dask) to `workers`; rejects with the bridge's reason where it cannot. */
  async scale(workers: number): Promise<void> {
    const reply = await this.ask('scale', { scale: workers });
    if (!reply.ok) throw new PoolError('failed', `${this.name} could not scale: ${reply.error ?? 'no reason given'}`);
  }

  /** Runs one of the workloads on the cluster as a run on the stream; resolves when the run has ended. */
  startRun(run: ClusterRun, description: RunDescription): { runId: number; finished: Promise<ClusterRunResult> } {
    if (this.run) throw new PoolError('busy', `a ${this.name} run is still going; cancel it or wait`);
    const runId = this.converter.beginRun(description);
    let markSeen = () => {};
    const lastRecord = new Promise<void>((resolve) => (markSeen = resolve));
    const state = { runId, cancelling: false, done: () => markSeen() };
    this.run = state;
    const finished = this.ask('run', {
      run: { workload: run.workload, tasks: run.tasks, costMs: run.costMs, faultEvery: run.faultEvery },
    }).then(async (reply) => {
      if (reply.ok) await Promise.race([lastRecord, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
      const status = state.cancelling || reply.cancelled === true ? 'cancelled' : reply.ok ? 'completed' : 'failed';
      const error = reply.ok ? undefined : (reply.error ?? this.goneReason ?? `the ${this.name} run failed`);
      this.run = null;
      this.converter.finishRun(now(), status, error);
      return { runId, status, ...(error ? { error } : {}) } satisfies ClusterRunResult;
    });
    return { runId, finished };
  }

  /**
   * Opens one run for everything an attached cluster does (any client's
   * tasks), until the bridge stops or the cluster goes away.
   */
  follow(description: RunDescription): number {
    if (this.run) throw new PoolError('busy', `a ${this.name} run is still going`);
    const runId = this.converter.beginRun(description);
    const state = { runId, cancelling: false, done: () => {} };
    this.run = state;
    void this.exited.then(() => {
      if (this.run !== state) return;
      this.run = null;
      const detached = this.stopping !== null;
      const error = detached ? undefined : (this.goneReason ?? `the ${this.name} bridge exited`);
      this.converter.finishRun(now(), detached ? 'completed' : 'failed', error);
    });
    return runId;
  }

  /** Cancels the current run: queued tasks never run; running ones are released (Dask) or ended (Ray). */
  async cancel(): Promise<void> {
    if (!this.run) return;
    this.run.cancelling = true;
    await this.ask('cancel', { cancel: true });
  }

  /** The cluster's lanes and a run in progress, for a late subscriber's catch-up. */
  presentEvents(): PoolEvent[] {
    return this.converter.presentEvents();
  }

  /** Ends the bridge: it closes the cluster it owns (what it only follows goes on), then exits. Safe to call twice. */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      if (this.exitedWith === null) {
        this.send({ stop: true });
        const timer = setTimeout(() => void this.process.stop(2_000), graceMs);
        await this.process.exited;
        clearTimeout(timer);
      }
      await this.server.close();
    })();
    return this.stopping;
  }

  private ask(command: string, message: object): Promise<Reply> {
    if (!this.alive) {
      const error = this.goneReason ?? `the ${this.name} bridge has exited`;
      return Promise.resolve({ ok: false, command, error });
    }
    return new Promise((resolve) => {
      const waiting = this.pending.get(command) ?? [];
      waiting.push(resolve);
      this.pending.set(command, waiting);
      this.send(message);
    });
  }

  private send(message: object): void {
    this.process.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Replies come in order per command; one without a command answers the oldest question. */
  private answer(reply: Reply): void {
    const command = reply.command ?? [...this.pending.keys()].find((key) => this.pending.get(key)?.length);
    const waiting = command ? this.pending.get(command) : undefined;
    waiting?.shift()?.(reply);
  }

  private onExit(exit: PythonExit): void {
    this.exitedWith = exit;
    const stderr = this.process.stderrTail().trim().split('\n').filter(Boolean).slice(-3).join('\n');
    const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
    this.goneReason ??= this.stopping
      ? `the ${this.name} bridge was stopped`
      : `the ${this.name} bridge ${how}${stderr ? `: ${stderr}` : ''}`;
    // Whoever still waits for an answer gets the reason; the run ends with it.
    for (const [command, waiting] of this.pending)
      for (const resolve of waiting.splice(0)) resolve({ ok: false, command, error: this.goneReason });
    this.converter.endLanes(now(), this.stopping ? 'closed' : 'crashed');
  }
}

/** Why a bridge never became ready, in words: the engine missing, the cluster unreachable, too slow. */
function startFailure(name: string, outcome: PythonExit | 'timeout', stderr: string, timeoutMs: number): string {
  if (outcome === 'timeout') return `${name} did not come up within ${Math.round(timeoutMs / 1000)} s`;
  const lines = stderr.trim().split('\n').filter(Boolean);
  if (outcome.code === EXIT_NO_ENGINE) return lines[lines.length - 1] ?? `${name} is not installed`;
  // The bridge's own last word is made for the user; an engine's traceback is not.
  const said = lines.at(-1)?.match(/^poolscope: (.+)$/)?.[1];
  if (said) return said;
  const tail = lines.slice(-3).join('\n');
  const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited with code ${outcome.code}`;
  return `${name} could not be started: the bridge ${how}${tail ? `:\n${tail}` : ''}`;
}
