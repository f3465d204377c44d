/**
 * One worker as the pool sees it. It owns what it holds — its inbox of chunks
 * (take, settle, give back, salvage on exit) — its per-task timeout and its
 * recycling limit, and keeps its own record of why it was stopped: an exit
 * code alone cannot tell a crash from a kill the pool asked for.
 */
import type { WorkerExitCause } from '../../shared/events';
import type { FromWorker, ToWorker, WorkerMeasures } from '../worker/messages';
import type { ChildHandle, Launcher } from './launcher';
import { workerEnv } from './launcher';
import type { TimerHandle, Timers } from './timers';

/** A contiguous range of tasks sent to the worker in one go. */
interface Chunk {
  first: number;
  count: number;
  /** How many of its tasks (from `first` on, in order) have settled. */
  settled: number;
  dispatchedAt: number;
}

/** How late a task's start report may be before a task that never reported starting times out. */
const START_REPORT_GRACE_MS = 500;

export type WorkerState = 'starting' | 'ready' | 'exiting' | 'exited';

export interface WorkerExit {
  cause: WorkerExitCause;
  code: number | null;
  signal: string | null;
  stderrTail: string;
  /** The platform's or the pool's words for why, where known. */
  reason?: string;
  /** The pid it had (a launcher may forget it once the process is gone). */
  pid: number | null;
}

export type Report = Extract<FromWorker, { t: 'report' }>;

/** What a worker held when it died: the task it was most likely running, and the rest. */
export interface Salvage {
  /** The task that died with it (crashes only), and when it started if it said. */
  lost: { task: number; start: number | null } | null;
  /** Tasks it held unstarted, for the queue. */
  requeue: [first: number, count: number][];
}

export interface WorkerProcessEvents {
  ready(worker: WorkerProcess): void;
  /** A report whose settled rows match the inbox, in order (`rows` of them, from the first). */
  report(worker: WorkerProcess, report: Report, rows: number): void;
  /** The answer to retire: tasks given back unstarted, already removed from the inbox. */
  returned(worker: WorkerProcess, ranges: [first: number, count: number][]): void;
  /** A task ran past the run's timeout (counted from its start, or from when it could have started). */
  timedOut(worker: WorkerProcess, task: number, since: number): void;
  /** Raw output it did not capture itself (runtime warnings, crash traces) and complaints about it. */
  output(worker: WorkerProcess, stream: 'stdout' | 'stderr', text: string): void;
  exit(worker: WorkerProcess, exit: WorkerExit): void;
}

export interface WorkerProcessOptions {
  readonly id: number;
  readonly entry: string;
  readonly launcher: Launcher;
  /** Not ready by then counts as a failed start. */
  readonly readyTimeoutMs: number;
  readonly timers: Timers;
}

const STDERR_TAIL_LINES = 20;

export class WorkerProcess {
  state: WorkerState = 'starting';
  /** The pool no longer wants it: it takes no work and goes once it holds none. */
  unwanted = false;
  /** A retire was sent and not yet answered. */
  retiring = false;
  /** The run it has been told about, and that run's per-task timeout and recycling limit. */
  runId: number | null = null;
  private timeoutMs = 0;
  private taskLimit = 0;
  /** Tasks dispatched to it over its life, for recycling. */
  assigned = 0;
  readonly spawnedAt: number;
  readyAt: number | null = null;
  pid: number | null;
  tid: number | null = null;
  measures: WorkerMeasures = { threadCpu: false, coreWait: false };
  /** When it last made progress (a report, a start), for telling stalled workers apart. */
  lastProgressAt: number;

  private readonly chunks: Chunk[] = [];
  private chunkHead = 0;
  /** Tasks held and not settled: O(1), read on every dispatch decision. */
  pending = 0;
  /** When its inbox's head task could have started: its dispatch, or the end of the task before it. */
  private headSince = 0;
  /** The task it reported starting, when that task may run long. */
  private started: { task: number; at: number } | null = null;
  private timeout: { task: number; timer: TimerHandle } | null = null;
  private outgoing: number[] = [];
  private wake: TimerHandle | null = null;

  private readonly child: ChildHandle;
  private stopCause: WorkerExitCause | null = null;
  private killTimer: TimerHandle | null = null;
  private readonly readyTimer: TimerHandle;
  private readonly stderrTail: string[] = [];
  /** What it said over its port before dying of an uncaught error. */
  private fatal: { message: string; stack: string } | null = null;

  constructor(
    readonly options: WorkerProcessOptions,
    private readonly events: WorkerProcessEvents,
  ) {
    const { timers } = options;
    this.spawnedAt = timers.now();
    this.lastProgressAt = this.spawnedAt;
    this.child = options.launcher.launch({
      entry: options.entry,
      name: `poolscope-worker-${options.id}`,
      env: workerEnv({ POOLSCOPE_WORKER: String(options.id) }),
    });
    this.pid = this.child.pid ?? null;
    this.child.onMessage((message) => this.onMessage(message));
    this.readyTimer = timers.setTimeout(() => {
      if (this.state === 'starting') this.kill('startup-failed');
    }, options.readyTimeoutMs);
    this.child.onExit(({ code, signal, reason }) => {
      timers.clearTimeout(this.readyTimer);
      if (this.killTimer) timers.clearTimeout(this.killTimer);
      if (this.wake) timers.clearTimeout(this.wake);
      this.clearTimeout();
      const cause = this.stopCause ?? (this.state === 'starting' ? 'startup-failed' : signal ? 'killed' : 'crashed');
      this.state = 'exited';
      this.pid ??= this.child.pid ?? null;
      // The port's copy of a fatal error stands in for stderr where the pipe lost it (Electron drops it at exit).
      if (this.fatal && !this.stderrTail.some((line) => this.fatal?.stack.startsWith(line) && line !== '')) {
        for (const line of this.fatal.stack.split('\n')) this.takeLine('stderr', line);
      }
      const said = this.fatal ? `an uncaught error: ${this.fatal.message}` : undefined;
      this.events.exit(this, {
        cause,
        code,
        signal,
        reason: reason ?? said,
        pid: this.pid,
        stderrTail: this.stderrTail.join('\n'),
      });
    });
    this.forwardLines('stdout');
    this.forwardLines('stderr');
  }

  get id(): number {
    return this.options.id;
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'ready';
  }

  /** Ready, wanted and told about `runId`: the dispatcher may give it work. */
  canWork(runId: number): boolean {
    return this.state === 'ready' && !this.unwanted && !this.retiring && this.runId === runId;
  }

  /** How many more tasks it may take before it must be recycled (Infinity without a limit). */
  get room(): number {
    return this.taskLimit > 0 ? Math.max(0, this.taskLimit - this.assigned) : Infinity;
  }

  /** Reached its recycling limit with nothing left to do. */
  get spent(): boolean {
    return this.taskLimit > 0 && this.assigned >= this.taskLimit && this.pending === 0;
  }

  /** Tells it about a run: its spec, and the limits it will hold itself to. */
  joinRun(message: Extract<ToWorker, { t: 'run' }>): void {
    this.runId = message.runId;
    this.timeoutMs = message.spec.timeoutMs;
    this.taskLimit = message.spec.maxTasksPerWorker;
    this.chunks.length = 0;
    this.chunkHead = 0;
    this.pending = 0;
    this.started = null;
    this.clearTimeout();
    this.send(message);
  }

  /**
   * Records a chunk as its own; sent with the next `flush`. A chunk that
   * continues the last one it holds extends that range: the worker runs them in
   * order either way, and a million one-task chunks stay a handful of ranges.
   */
  take(first: number, count: number, at: number): void {
    if (this.pending === 0) this.headSince = at;
    const last = this.chunks[this.chunks.length - 1];
    if (last && this.chunks.length > this.chunkHead && last.first + last.count === first) last.count += count;
    else this.chunks.push({ first, count, settled: 0, dispatchedAt: at });
    this.pending += count;
    this.assigned += count;
    const n = this.outgoing.length;
    if (n >= 2 && this.outgoing[n - 2] + this.outgoing[n - 1] === first) this.outgoing[n - 1] += count;
    else this.outgoing.push(first, count);
  }

  /** Sends the chunks taken since the last flush, in one message (a typed array: copied, not walked). */
  flush(): void {
    if (this.outgoing.length === 0 || this.runId === null) return;
    this.send({ t: 'chunks', runId: this.runId, list: Int32Array.from(this.outgoing) });
    this.outgoing = [];
    this.armTimeout();
  }

  /** Asks it to finish its current task and give back the rest. */
  retire(): void {
    if (this.state !== 'ready' || this.retiring) return;
    this.retiring = true;
    this.send({ t: 'retire' });
  }

  /**
   * Wanted again. One being retired still gives back what it holds, and works
   * again once that answer is in: its answer may already be on its way, and
   * chunks sent before it arrived would be taken for part of it.
   */
  keep(): void {
    this.unwanted = false;
  }

  /** What it died holding: the head task fails if it crashed, the rest goes back to the queue. */
  salvage(cause: WorkerExitCause): Salvage {
    const requeue: [number, number][] = [];
    let lost: Salvage['lost'] = null;
    for (let k = this.chunkHead; k < this.chunks.length; k++) {
      const chunk = this.chunks[k];
      let from = chunk.first + chunk.settled;
      const end = chunk.first + chunk.count;
      if (lost === null && k === this.chunkHead && (cause === 'crashed' || cause === 'killed') && from < end) {
        lost = { task: from, start: this.started?.task === from ? this.started.at : null };
        from++;
      }
      if (end > from) requeue.push([from, end - from]);
    }
    this.chunks.length = 0;
    this.chunkHead = 0;
    this.pending = 0;
    return { lost, requeue };
  }

  /** How long what it holds should keep it busy: its current task's rest (from its reported start), then the others. */
  heldMs(taskMs: number, now: number): number {
    if (this.pending === 0) return 0;
    const head = this.headTask();
    const left = this.started?.task === head ? Math.max(0, taskMs - (now - this.started.at)) : taskMs;
    return left + (this.pending - 1) * taskMs;
  }

  /** Runs `callback` at `at` (one such wake-up at a time; a later call replaces it; none after exit). */
  wakeAt(at: number, callback: () => void): void {
    const { timers } = this.options;
    if (this.wake) timers.clearTimeout(this.wake);
    this.wake = timers.setTimeout(
      () => {
        this.wake = null;
        if (this.alive) callback();
      },
      Math.max(0, at - timers.now()),
    );
  }

  /** The task at the head of its inbox — the one running, or next — or -1. */
  headTask(): number {
    const chunk = this.chunks[this.chunkHead];
    return chunk ? chunk.first + chunk.settled : -1;
  }

  /** Drops the head task from the inbox without a report (it timed out; the worker is being killed). */
  dropHead(): void {
    if (this.settleHead()) this.pending--;
  }

  send(message: ToWorker): void {
    if (this.state !== 'exited') this.child.postMessage(message);
  }

  /** Ask it to exit; kill it if it has not within `graceMs`. */
  stop(cause: WorkerExitCause, graceMs = 2000): void {
    if (!this.alive) return;
    this.stopCause = cause;
    this.state = 'exiting';
    this.clearTimeout();
    this.send({ t: 'stop' });
    this.killTimer = this.options.timers.setTimeout(() => this.child.kill(), graceMs);
  }

  kill(cause: WorkerExitCause): void {
    if (this.state === 'exited') return;
    this.stopCause ??= cause;
    this.state = 'exiting';
    this.clearTimeout();
    this.child.kill();
  }

  /** Settles the head chunk's next `count` tasks (at most what it has left). */
  private settleHead(count = 1): boolean {
    const chunk = this.chunks[this.chunkHead];
    if (!chunk) return false;
    chunk.settled += count;
    if (chunk.settled >= chunk.count) {
      this.chunkHead++;
      if (this.chunkHead === this.chunks.length) {
        this.chunks.length = 0;
        this.chunkHead = 0;
      } else if (this.chunkHead > 64) {
        this.chunks.splice(0, this.chunkHead);
        this.chunkHead = 0;
      }
    }
    return true;
  }

  private onReport(report: Report): void {
    const { task, end } = report.settled;
    // The worker runs its inbox in order: the settled tasks must be the head's next, chunk after chunk.
    let rows = 0;
    while (rows < task.length) {
      const chunk = this.chunks[this.chunkHead];
      if (!chunk) break;
      const next = chunk.first + chunk.settled;
      const room = Math.min(chunk.count - chunk.settled, task.length - rows);
      let n = 0;
      while (n < room && task[rows + n] === next + n) n++;
      if (n === 0) break;
      this.settleHead(n);
      rows += n;
    }
    this.pending -= rows;
    // Holding nothing, the rest are tasks a cancel already settled (the report crossed it): not a fault.
    if (rows < task.length && this.chunks[this.chunkHead])
      this.events.output(this, 'stderr', `poolscope: worker ${this.id} reported task ${task[rows]} out of order`);
    if (rows > 0) this.headSince = end[rows - 1] || this.options.timers.now();
    if (report.started) this.started = report.started;
    if (rows > 0 || report.started) this.lastProgressAt = this.options.timers.now();
    this.events.report(this, report, rows);
    this.armTimeout();
  }

  /**
   * The worker's answer to retire. What it gives back must be exactly what it
   * holds unstarted — the unsettled tail of its inbox, however the ranges are
   * cut — since it reports what it ran first; anything else is said and ignored.
   */
  private onReturned(flat: number[]): void {
    this.retiring = false;
    const given: [number, number][] = [];
    for (let k = 0; k + 1 < flat.length; k += 2) given.push([flat[k], flat[k + 1]]);
    const held = this.unsettled();
    if (!sameTasks(given, held)) {
      const said = given.map(([f, c]) => `${f}+${c}`).join(', ') || 'nothing';
      if (given.length > 0 || held.length > 0)
        this.events.output(this, 'stderr', `poolscope: worker ${this.id} gave back ${said}, not what it holds`);
      return;
    }
    this.chunks.length = 0;
    this.chunkHead = 0;
    this.pending = 0;
    this.clearTimeout();
    this.events.returned(this, held);
  }

  /** What it holds and has not settled, as ranges. */
  private unsettled(): [number, number][] {
    const ranges: [number, number][] = [];
    for (let k = this.chunkHead; k < this.chunks.length; k++) {
      const c = this.chunks[k];
      if (c.count > c.settled) ranges.push([c.first + c.settled, c.count - c.settled]);
    }
    return ranges;
  }

  /** Arms the timeout for the head task, timed from its reported start or from when it could have started. */
  private armTimeout(): void {
    if (this.timeoutMs <= 0 || this.state !== 'ready') return;
    const task = this.headTask();
    if (task < 0) return this.clearTimeout();
    if (this.timeout?.task === task && this.started?.task !== task) return;
    this.clearTimeout();
    const since = this.started?.task === task ? this.started.at : this.headSince;
    const { timers } = this.options;
    // A task not yet reported started counts from when it could have started, with a grace for the
    // report's trip on a busy machine: a frozen worker is still caught, a slow message is not a timeout.
    const allowed = () => this.timeoutMs + (this.started?.task === task ? 0 : START_REPORT_GRACE_MS);
    const check = () => {
      if (this.headTask() !== task || this.state !== 'ready') return;
      const from = this.started?.task === task ? this.started.at : since;
      // Timers may fire a hair early on our clock: a task is never failed before its time.
      const left = from + allowed() - timers.now();
      if (left > 0) this.timeout = { task, timer: timers.setTimeout(check, left) };
      else {
        this.timeout = null;
        this.events.timedOut(this, task, from);
      }
    };
    this.timeout = { task, timer: timers.setTimeout(check, Math.max(0, since + allowed() - timers.now())) };
  }

  private clearTimeout(): void {
    if (this.timeout) this.options.timers.clearTimeout(this.timeout.timer);
    this.timeout = null;
  }

  private onMessage(raw: unknown): void {
    const message = raw as FromWorker;
    switch (message?.t) {
      case 'ready':
        this.options.timers.clearTimeout(this.readyTimer);
        if (this.state !== 'starting') return; // stopped before it came up
        this.state = 'ready';
        this.readyAt = message.at;
        this.pid = message.pid;
        this.tid = message.tid ?? null;
        this.measures = message.measures ?? this.measures;
        this.events.ready(this);
        return;
      case 'report':
        if (message.settled?.task instanceof Int32Array && message.waits instanceof Float64Array) {
          if (message.runId === this.runId) this.onReport(message);
          return;
        }
        break;
      case 'returned':
        if (Array.isArray(message.ranges)) {
          if (message.runId === this.runId || message.ranges.length === 0) this.onReturned(message.ranges);
          return;
        }
        break;
      case 'fatal':
        if (typeof message.message === 'string' && typeof message.stack === 'string') {
          this.fatal = { message: message.message, stack: message.stack };
          return;
        }
        break;
    }
    this.events.output(this, 'stderr', `poolscope: worker ${this.id} sent an unexpected message`);
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

/** Whether two lists of ranges name the same tasks (cut differently, perhaps). */
function sameTasks(a: [number, number][], b: [number, number][]): boolean {
  const merge = (ranges: [number, number][]) => {
    const out: [number, number][] = [];
    for (const [first, count] of ranges) {
      if (count <= 0) continue;
      const last = out[out.length - 1];
      if (last && last[0] + last[1] === first) last[1] += count;
      else out.push([first, count]);
    }
    return out;
  };
  const [x, y] = [merge(a), merge(b)];
  return x.length === y.length && x.every(([f, c], k) => f === y[k][0] && c === y[k][1]);
}
