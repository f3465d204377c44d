import type { WorkerExitCause } from '../../shared/protocol';
import type { FromWorker, ToWorker } from '../worker/messages';
import { now } from './clock';
import type { ChildHandle, Launcher } from './launcher';
import { workerEnv } from './launcher';

/** A contiguous range of tasks sent to one worker in one go. */
export interface Chunk {
  id: number;
  first: number;
  count: number;
  /** How many of its tasks (from `first` on, in order) have been reported settled. */
  settled: number;
  dispatchedAt: number;
}

export type WorkerState = 'starting' | 'ready' | 'retiring' | 'exiting' | 'exited';

export interface WorkerExit {
  cause: WorkerExitCause;
  code: number | null;
  signal: string | null;
  stderrTail: string;
  reason?: string;
}

export interface WorkerProcessEvents {
  ready(worker: WorkerProcess, pid: number, at: number): void;
  report(worker: WorkerProcess, report: Extract<FromWorker, { t: 'report' }>): void;
  /** Raw output that the worker did not capture itself (runtime warnings, crash traces). */
  output(worker: WorkerProcess, stream: 'stdout' | 'stderr', text: string): void;
  exit(worker: WorkerProcess, exit: WorkerExit): void;
}

export interface WorkerProcessOptions {
  readonly id: number;
  readonly entry: string;
  readonly launcher: Launcher;
  /** Not ready by then counts as a failed start. */
  readonly readyTimeoutMs: number;
}

const STDERR_TAIL_LINES = 20;

/**
 * One worker process as the pool sees it: its state, the chunks in flight on it,
 * and the pool's own record of why it was stopped — an exit code alone cannot
 * tell a crash from a kill the pool asked for.
 */
export class WorkerProcess {
  state: WorkerState = 'starting';
  readonly inflight: Chunk[] = [];
  /** Tasks dispatched to it over its life, for recycling. */
  assigned = 0;
  /** The run it has been told about. */
  runId: number | null = null;
  /** The task it reported starting, when that task may run long. */
  current: { task: number; at: number } | null = null;
  timeoutTimer: ReturnType<typeof setTimeout> | null = null;
  readonly spawnedAt = now();
  readyAt: number | null = null;
  private readonly child: ChildHandle;
  private stopCause: WorkerExitCause | null = null;
  private killTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly readyTimer: ReturnType<typeof setTimeout>;
  private readonly stderrTail: string[] = [];

  constructor(
    readonly options: WorkerProcessOptions,
    private readonly events: WorkerProcessEvents,
  ) {
    this.child = options.launcher.launch({
      entry: options.entry,
      name: `poolscope-worker-${options.id}`,
      env: workerEnv({ POOLSCOPE_WORKER: String(options.id) }),
    });
    this.child.onMessage((message) => this.onMessage(message));
    this.readyTimer = setTimeout(() => {
      if (this.state === 'starting') this.kill('startup-failed');
    }, options.readyTimeoutMs);
    this.child.onExit(({ code, signal, reason }) => {
      clearTimeout(this.readyTimer);
      if (this.killTimer) clearTimeout(this.killTimer);
      const cause = this.stopCause ?? (this.state === 'starting' ? 'startup-failed' : 'crashed');
      this.state = 'exited';
      this.events.exit(this, { cause, code, signal, reason, stderrTail: this.stderrTail.join('\n') });
    });
    this.forwardLines('stdout');
    this.forwardLines('stderr');
  }

  get id(): number {
    return this.options.id;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Dispatched tasks not yet reported. */
  get pendingTasks(): number {
    let pending = 0;
    for (const chunk of this.inflight) pending += chunk.count - chunk.settled;
    return pending;
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'ready' || this.state === 'retiring';
  }

  send(message: ToWorker): void {
    if (this.state !== 'exited') this.child.postMessage(message);
  }

  /** Ask it to exit; kill it if it has not within `graceMs`. */
  stop(cause: WorkerExitCause, graceMs = 2000): void {
    if (!this.alive) return;
    this.stopCause = cause;
    this.state = 'exiting';
    this.send({ t: 'stop' });
    this.killTimer = setTimeout(() => this.child.kill(), graceMs);
  }

  kill(cause: WorkerExitCause): void {
    if (this.state === 'exited') return;
    this.stopCause ??= cause;
    this.state = 'exiting';
    this.child.kill();
  }

  private onMessage(raw: unknown): void {
    const message = raw as FromWorker;
    if (message?.t === 'ready') {
      clearTimeout(this.readyTimer);
      if (this.state !== 'starting') return; // stopped before it came up
      this.state = 'ready';
      this.readyAt = message.at;
      this.events.ready(this, message.pid, message.at);
    } else if (
      message?.t === 'report' &&
      message.settled?.task instanceof Int32Array &&
      message.waits instanceof Float64Array
    ) {
      this.events.report(this, message);
    } else {
      this.events.output(this, 'stderr', `poolscope: worker sent an unexpected message`);
    }
  }

  private forwardLines(stream: 'stdout' | 'stderr'): void {
    const readable = this.child[stream];
    if (!readable) return;
    readable.setEncoding('utf8');
    let partial = '';
    readable.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.takeLine(stream, line);
    });
    readable.on('end', () => {
      if (partial) this.takeLine(stream, partial);
    });
  }

  private takeLine(stream: 'stdout' | 'stderr', line: string): void {
    if (stream === 'stderr') {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    }
    this.events.output(this, stream, line);
  }
}
