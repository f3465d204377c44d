/**
 * The columnar record of one run, fed by frames. Typed arrays indexed by task
 * id keep a million tasks cheap to hold and to scan; running sums keep the
 * statistics O(1). The renderer's canvases and the CLI's summary and trace
 * export all read from here.
 */
import type { Frame, PoolEvent, TaskCounts, WorkerExitCause, WorkerSample } from './protocol';
import type { RunSpec } from './run-spec';

export const TaskState = {
  queued: 0,
  dispatched: 1,
  running: 2,
  done: 3,
  failed: 4,
  cancelled: 5,
} as const;
export type TaskStateCode = (typeof TaskState)[keyof typeof TaskState];

export interface Lane {
  worker: number;
  pid: number | null;
  spawnedAt: number;
  readyAt: number | null;
  exitedAt: number | null;
  exitCause: WorkerExitCause | null;
  exitCode: number | null;
  exitSignal: string | null;
  /** The task it is running, when known (-1 otherwise). */
  current: number;
  /** Dispatched, not yet settled ranges, oldest first: the head is executing, the rest is its inbox. */
  inbox: { first: number; count: number; settled: number }[];
  /** This run only. */
  tasksDone: number;
  busyMs: number;
  /** When its last task ended (this run), to tell dispatch latency from inbox wait. */
  lastEnd: number;
  sample: WorkerSample | null;
}

export interface OutputRecord {
  worker: number;
  task: number | null;
  stream: 'stdout' | 'stderr';
  text: string;
  at: number;
}

export interface RunInfo {
  runId: number;
  spec: RunSpec;
  chunksize: number;
  startedAt: number;
  finishedAt: number | null;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  error: string | null;
  paused: boolean;
}

export interface FailureRecord {
  task: number;
  worker: number;
  reason: string;
  message: string;
}

/** Output lines kept for the console; older ones are dropped first. */
export const MAX_OUTPUT_LINES = 100_000;

export class TaskStore {
  /** Bumps on every change: views redraw when it moves. */
  version = 0;
  run: RunInfo | null = null;
  counts: TaskCounts | null = null;
  poolSize = 0;
  lastFrameAt = 0;
  lastSeq = 0;
  /** Frames that never arrived (sequence gaps). */
  missedFrames = 0;

  size = 0;
  state = new Uint8Array(0);
  worker = new Int32Array(0);
  dispatchedAt = new Float64Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  /** NaN for none. */
  result = new Float64Array(0);
  /** Task ids in settlement order (done or failed). */
  order = new Int32Array(0);
  orderLength = 0;

  /** GIL backend: every wait for the lock, in arrival order; grows by doubling. */
  waits = {
    worker: new Int32Array(1024),
    task: new Int32Array(1024),
    start: new Float64Array(1024),
    end: new Float64Array(1024),
    length: 0,
  };
  /** Total time threads spent waiting for the lock this run. */
  sumLockWaitMs = 0;

  readonly lanes = new Map<number, Lane>();
  /** Highest worker id seen: a missing lane with a lower id was dropped on purpose, not missed. */
  private maxWorker = 0;
  output: OutputRecord[] = [];
  failures: FailureRecord[] = [];

  // Running sums for O(1) statistics.
  sumTaskMs = 0;
  sumDispatchLatencyMs = 0;
  dispatchLatencyCount = 0;
  firstStart = Infinity;
  lastEnd = -Infinity;

  ingest(frame: Frame): void {
    const firstSeq = frame.firstSeq ?? frame.seq;
    if (this.lastSeq && firstSeq > this.lastSeq + 1) this.missedFrames += firstSeq - this.lastSeq - 1;
    this.lastSeq = frame.seq;
    this.lastFrameAt = frame.at;
    for (const event of frame.events) this.apply(event);
    if (frame.runId !== null && this.run?.runId === frame.runId) {
      const { dispatched, started, done } = frame;
      for (let i = 0; i < dispatched.worker.length; i++) {
        this.dispatch(dispatched.worker[i], dispatched.first[i], dispatched.count[i], dispatched.at[i]);
      }
      for (let i = 0; i < started.worker.length; i++) this.startTask(started.worker[i], started.task[i], started.at[i]);
      for (let i = 0; i < done.worker.length; i++) {
        this.settle(done.worker[i], done.task[i], done.start[i], done.end[i], TaskState.done);
        this.result[done.task[i]] = done.result[i] ?? NaN;
      }
      const { waits } = frame;
      for (let i = 0; i < waits.worker.length; i++)
        this.addWait(waits.worker[i], waits.task[i], waits.start[i], waits.end[i]);
      if (frame.counts) this.counts = frame.counts;
    }
    this.version++;
  }

  /** Lanes in the order their workers were spawned. */
  laneList(): Lane[] {
    return [...this.lanes.values()];
  }

  private apply(event: PoolEvent): void {
    switch (event.type) {
      case 'run-started':
        this.beginRun(event.runId, event.spec, event.chunksize, event.at);
        return;
      case 'run-finished':
        if (this.run?.runId === event.runId) {
          this.run.finishedAt = event.at;
          this.run.status = event.status;
          this.run.error = event.error ?? null;
          this.counts = event.counts;
        }
        return;
      case 'submission':
        if (this.run?.runId === event.runId) this.run.paused = event.paused;
        return;
      case 'pool-resized':
        this.poolSize = event.poolSize;
        return;
      case 'worker-spawned':
        this.lanes.set(event.worker, newLane(event.worker, event.pid, event.at));
        this.maxWorker = Math.max(this.maxWorker, event.worker);
        return;
      case 'worker-ready': {
        const lane = this.lanes.get(event.worker) ?? newLane(event.worker, event.pid, event.at);
        lane.pid = event.pid;
        lane.readyAt = event.at;
        this.lanes.set(event.worker, lane);
        return;
      }
      case 'worker-exited': {
        const lane = this.lanes.get(event.worker);
        if (!lane) return;
        lane.exitedAt = event.at;
        lane.exitCause = event.cause;
        lane.exitCode = event.code;
        lane.exitSignal = event.signal;
        lane.current = -1;
        // Its unfinished work goes back to the queue (the engine requeues it).
        for (const r of lane.inbox) this.state.fill(TaskState.queued, r.first + r.settled, r.first + r.count);
        lane.inbox = [];
        return;
      }
      case 'task-failed':
        if (this.run?.runId !== event.runId) return;
        this.settle(event.worker, event.task, event.start ?? event.at, event.at, TaskState.failed);
        this.failures.push({ task: event.task, worker: event.worker, reason: event.reason, message: event.message });
        return;
      case 'tasks-cancelled':
        if (this.run?.runId !== event.runId) return;
        for (const [first, count] of event.ranges) this.state.fill(TaskState.cancelled, first, first + count);
        for (const lane of this.lanes.values()) lane.inbox = lane.inbox.filter((r) => !coveredBy(r, event.ranges));
        return;
      case 'output':
        this.output.push({
          worker: event.worker,
          task: event.task,
          stream: event.stream,
          text: event.text,
          at: event.at,
        });
        if (this.output.length > MAX_OUTPUT_LINES * 1.1) this.output = this.output.slice(-MAX_OUTPUT_LINES);
        return;
      case 'sample':
        for (const sample of event.workers) {
          const lane = this.lanes.get(sample.worker) ?? this.adoptLane(sample.worker, sample.pid, event.at);
          if (lane) lane.sample = sample;
        }
        return;
    }
  }

  private addWait(worker: number, task: number, start: number, end: number): void {
    const w = this.waits;
    if (w.length === w.worker.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.waits = {
        worker: grow(w.worker),
        task: grow(w.task),
        start: grow(w.start),
        end: grow(w.end),
        length: w.length,
      };
    }
    const i = this.waits.length++;
    this.waits.worker[i] = worker;
    this.waits.task[i] = task;
    this.waits.start[i] = start;
    this.waits.end[i] = end;
    this.sumLockWaitMs += end - start;
  }

  private beginRun(runId: number, spec: RunSpec, chunksize: number, at: number): void {
    const n = spec.tasks;
    this.run = {
      runId,
      spec,
      chunksize,
      startedAt: at,
      finishedAt: null,
      status: 'running',
      error: null,
      paused: false,
    };
    this.counts = { submitted: n, queued: n, running: 0, done: 0, failed: 0, cancelled: 0 };
    this.size = n;
    // Reuse the buffers when they are big enough: runs one after another should not churn memory.
    if (this.state.length < n) {
      this.state = new Uint8Array(n);
      this.worker = new Int32Array(n);
      this.dispatchedAt = new Float64Array(n);
      this.start = new Float64Array(n);
      this.end = new Float64Array(n);
      this.result = new Float64Array(n);
      this.order = new Int32Array(n);
    }
    this.state.fill(TaskState.queued, 0, n);
    this.worker.fill(-1, 0, n);
    this.start.fill(NaN, 0, n);
    this.end.fill(NaN, 0, n);
    this.result.fill(NaN, 0, n);
    this.orderLength = 0;
    this.waits.length = 0;
    this.sumLockWaitMs = 0;
    this.failures = [];
    this.sumTaskMs = 0;
    this.sumDispatchLatencyMs = 0;
    this.dispatchLatencyCount = 0;
    this.firstStart = Infinity;
    this.lastEnd = -Infinity;
    // Workers outlive runs; lanes of gone workers do not.
    for (const [id, lane] of this.lanes) {
      if (lane.exitedAt !== null) this.lanes.delete(id);
      else Object.assign(lane, { tasksDone: 0, busyMs: 0, lastEnd: -Infinity, current: -1, inbox: [] });
    }
  }

  private dispatch(worker: number, first: number, count: number, at: number): void {
    this.state.fill(TaskState.dispatched, first, first + count);
    this.worker.fill(worker, first, first + count);
    this.dispatchedAt.fill(at, first, first + count);
    (this.lanes.get(worker) ?? this.adoptLane(worker, null, at))?.inbox.push({ first, count, settled: 0 });
  }

  /**
   * A subscriber that joins after workers started never saw them spawn: the first
   * sample or dispatch naming an unknown worker stands in for its spawn and ready.
   */
  private adoptLane(worker: number, pid: number | null, at: number): Lane | undefined {
    if (worker <= this.maxWorker) return undefined;
    this.maxWorker = worker;
    const lane = newLane(worker, pid, at);
    lane.readyAt = at;
    this.lanes.set(worker, lane);
    return lane;
  }

  private startTask(worker: number, task: number, at: number): void {
    if (this.state[task] !== TaskState.dispatched) return;
    this.state[task] = TaskState.running;
    this.start[task] = at;
    const lane = this.lanes.get(worker);
    if (lane) lane.current = task;
  }

  private settle(worker: number, task: number, start: number, end: number, state: TaskStateCode): void {
    this.state[task] = state;
    this.worker[task] = worker;
    this.start[task] = start;
    this.end[task] = end;
    this.order[this.orderLength++] = task;
    const ms = end - start;
    this.sumTaskMs += ms;
    this.firstStart = Math.min(this.firstStart, start);
    this.lastEnd = Math.max(this.lastEnd, end);
    const lane = this.lanes.get(worker);
    if (!lane) return;
    lane.busyMs += ms;
    if (state === TaskState.done) lane.tasksDone++;
    if (lane.current === task) lane.current = -1;
    // Usually the head chunk; but a failure (an event) is applied before the done columns of
    // the same frame, so tasks of a chunk can settle out of order: count them, do not step.
    const k = lane.inbox.findIndex((r) => task >= r.first && task < r.first + r.count);
    const chunk = lane.inbox[k];
    if (chunk) {
      if (task === chunk.first) {
        // From when the worker could have started it: a prefetched chunk's wait in the inbox is not latency.
        this.sumDispatchLatencyMs += Math.max(0, start - Math.max(this.dispatchedAt[task], lane.lastEnd));
        this.dispatchLatencyCount++;
      }
      if (++chunk.settled === chunk.count) lane.inbox.splice(k, 1);
    }
    lane.lastEnd = Math.max(lane.lastEnd, end);
  }
}

function newLane(worker: number, pid: number | null, at: number): Lane {
  return {
    worker,
    pid,
    spawnedAt: at,
    readyAt: null,
    exitedAt: null,
    exitCause: null,
    exitCode: null,
    exitSignal: null,
    current: -1,
    inbox: [],
    tasksDone: 0,
    busyMs: 0,
    lastEnd: -Infinity,
    sample: null,
  };
}

function coveredBy(range: { first: number; count: number; settled: number }, ranges: [number, number][]): boolean {
  const from = range.first + range.settled;
  return ranges.some(([first, count]) => first <= from && from < first + count);
}
