/**
 * The columnar record of one run, fed by frames. Typed arrays indexed by task
 * id keep a million tasks cheap to hold and to scan; running sums keep the
 * statistics O(1); every per-task step is O(1) too — a chunk is found through
 * the task, never by scanning a lane. The renderer's canvases and the CLI's
 * summary and trace export all read from here.
 */
import {
  isClosingEvent,
  rowsOf,
  type Frame,
  type LaneKind,
  type PoolEvent,
  type RunDescription,
  type TaskCounts,
  type WorkerExitCause,
  type WorkerSample,
} from './events';

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
  /** The source's id for the worker; unique for the life of the host. */
  worker: number;
  /** Small and per run: what a person reads and says ("W3"). */
  number: number;
  pid: number | null;
  kind: LaneKind;
  name: string | null;
  group: string | null;
  tid: number | null;
  spawnedAt: number;
  readyAt: number | null;
  exitedAt: number | null;
  exitCause: WorkerExitCause | null;
  exitCode: number | null;
  exitSignal: string | null;
  exitReason: string | null;
  /** The task it is running, when known (-1 otherwise). */
  current: number;
  /** Tasks handed to it and not yet settled or given back: the current one and its inbox. */
  held: number;
  /** Chunks it holds, oldest first, from `chunkHead` on (ids into the store's chunk table). */
  chunks: number[];
  chunkHead: number;
  /** This run only. */
  tasksDone: number;
  tasksFailed: number;
  busyMs: number;
  cpuMs: number;
  coreWaitMs: number;
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
  run: RunDescription;
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

export interface CallRecord {
  call: number;
  label: string;
  method: string;
  group: string | null;
  startedAt: number;
  finishedAt: number | null;
}

export interface MarkRecord {
  at: number;
  label: string;
  group: string | null;
}

/** Output lines kept for the console; older ones are dropped first. */
export const MAX_OUTPUT_LINES = 100_000;

const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T => {
  const bigger = new (a.constructor as new (n: number) => T)(size);
  bigger.set(a);
  return bigger;
};

/** What settling a run of rows adds to the run's and its lane's running sums. */
interface SettleSums {
  settled: number;
  done: number;
  failed: number;
  busyMs: number;
  cpuMs: number;
  cpuTasks: number;
  coreWaitMs: number;
  coreWaitTasks: number;
  latencyMs: number;
  latencyCount: number;
  firstStart: number;
  /** The latest end among the rows and the lane's before them. */
  lastEnd: number;
}

const emptySums = (lastEnd: number): SettleSums => ({
  settled: 0,
  done: 0,
  failed: 0,
  busyMs: 0,
  cpuMs: 0,
  cpuTasks: 0,
  coreWaitMs: 0,
  coreWaitTasks: 0,
  latencyMs: 0,
  latencyCount: 0,
  firstStart: Infinity,
  lastEnd,
});

/** Versions count across stores, so a view that switches to another store still sees a change. */
let lastVersion = 0;

export class TaskStore {
  /** Moves on every change: views redraw when it does. */
  version = ++lastVersion;
  run: RunInfo | null = null;
  counts: TaskCounts | null = null;
  poolSize = 0;
  lastFrameAt = 0;
  lastSeq = 0;
  /** Frames this store never saw: sequence gaps and frames a host skipped for a receiver that fell behind. */
  missedFrames = 0;

  /** Tasks of this run (ids 0 … size-1). */
  size = 0;
  private capacity = 0;
  /** Slots from here up to capacity are allocated but not yet cleared (see reserve). */
  private clearedTo = 0;
  state = new Uint8Array(0);
  worker = new Int32Array(0);
  dispatchedAt = new Float64Array(0);
  start = new Float64Array(0);
  end = new Float64Array(0);
  /** The task thread's CPU time, ms; NaN where not measured. */
  cpu = new Float64Array(0);
  /** Time the task was runnable but waiting for a core, ms; NaN where not measured. */
  coreWait = new Float64Array(0);
  /** NaN for none or not a number (see resultText). */
  result = new Float64Array(0);
  /** The call each task belongs to (-1: the run's only one). */
  call = new Int32Array(0);
  /** Task ids in settlement order (done or failed). */
  order = new Int32Array(0);
  orderLength = 0;
  /** The chunk holding each dispatched task (-1 for none). */
  private chunkOf = new Int32Array(0);

  /**
   * The chunk table: every dispatch row of this run, a worker's consecutive
   * chunks of `chunkSize` handed over at one moment (one row at chunksize 1
   * can hold thousands of one-task chunks).
   */
  private chunkFirst = new Int32Array(256);
  private chunkCount = new Int32Array(256);
  private chunkSize = new Int32Array(256);
  /** Tasks of the chunk not yet settled or given back. */
  private chunkLeft = new Int32Array(256);
  /** Its lowest task still held (advanced as tasks leave, so each is passed once). */
  private chunkNext = new Int32Array(256);
  private chunks = 0;

  /** GIL backend: every wait for the lock, in arrival order; grows by doubling. */
  waits = {
    worker: new Int32Array(1024),
    task: new Int32Array(1024),
    start: new Float64Array(1024),
    end: new Float64Array(1024),
    length: 0,
  };

  /** Phases of tasks' time and attempts that did not count (kind: PHASE_KINDS), in arrival order; grows by doubling. */
  phases = {
    worker: new Int32Array(256),
    task: new Int32Array(256),
    start: new Float64Array(256),
    end: new Float64Array(256),
    kind: new Uint8Array(256),
    length: 0,
  };

  readonly lanes = new Map<number, Lane>();
  private nextNumber = 1;
  output: OutputRecord[] = [];
  /** Output lines dropped from the front of `output` to keep it bounded. */
  outputDropped = 0;
  failures: FailureRecord[] = [];
  readonly calls = new Map<number, CallRecord>();
  readonly resultText = new Map<number, string>();
  marks: MarkRecord[] = [];

  // Running sums for O(1) statistics.
  sumTaskMs = 0;
  /** Σ CPU time over the tasks that reported one, and how many did. */
  sumCpuMs = 0;
  cpuTasks = 0;
  sumCoreWaitMs = 0;
  coreWaitTasks = 0;
  sumLockWaitMs = 0;
  sumDispatchLatencyMs = 0;
  dispatchLatencyCount = 0;
  firstStart = Infinity;
  lastEnd = -Infinity;

  ingest(frame: Frame): void {
    if (this.lastSeq && frame.seq > this.lastSeq + 1 && !frame.resync)
      this.missedFrames += frame.seq - this.lastSeq - 1;
    if (frame.resync) this.missedFrames += frame.resync.skipped;
    this.lastSeq = frame.seq;
    this.lastFrameAt = frame.at;
    for (const event of frame.events) if (!isClosingEvent(event)) this.apply(event);
    if (frame.runId !== null && this.run?.runId === frame.runId) {
      this.ingestColumns(frame);
      if (frame.counts) this.counts = frame.counts;
    }
    for (const event of frame.events) if (isClosingEvent(event)) this.apply(event);
    this.version = ++lastVersion;
  }

  /**
   * Makes room for a run of `tasks` before it starts: clearing touches every slot
   * (tens of MB at a million tasks), better done while workers start or the page
   * is idle than in the run's first frame. Clears at most `slots` slots per call,
   * so callers can spread it over idle moments; true once all is ready. A run that
   * begins before then clears the rest itself.
   */
  reserve(tasks: number, slots = Infinity): boolean {
    if (tasks > this.capacity) this.allocate(tasks);
    const to = Math.min(this.capacity, this.clearedTo + slots);
    this.clearTasks(this.clearedTo, to);
    this.clearedTo = to;
    return to === this.capacity;
  }

  /**
   * Once the run has ended and its store is no longer the live one: the workers
   * spawned after its end were the next pool's, not this run's.
   */
  forgetLanesAfterEnd(): void {
    const end = this.run?.finishedAt;
    if (end == null) return;
    for (const [id, lane] of this.lanes) if (lane.spawnedAt > end) this.lanes.delete(id);
    this.version = ++lastVersion;
  }

  /** Lanes in the order their workers were spawned. */
  laneList(): Lane[] {
    return [...this.lanes.values()];
  }

  /** The task a lane is executing: the one it reported, else the first unsettled task of its oldest chunk. */
  runningTask(lane: Lane): number {
    if (lane.current >= 0) return lane.current;
    const chunk = lane.chunks[lane.chunkHead];
    return chunk === undefined || this.chunkLeft[chunk] <= 0 ? -1 : this.chunkNext[chunk];
  }

  private ingestColumns(frame: Frame): void {
    const { submitted, dispatched, started, settled, lockWaits, phases } = frame;
    for (let i = 0, n = submitted.task.length; i < n; i++) this.submit(submitted.task[i], submitted.call[i]);
    for (let i = 0, n = dispatched.worker.length; i < n; i++)
      this.dispatch(
        dispatched.worker[i],
        dispatched.first[i],
        dispatched.count[i],
        dispatched.at[i],
        dispatched.size[i],
      );
    for (let i = 0, n = started.worker.length; i < n; i++)
      this.startTask(started.worker[i], started.task[i], started.at[i]);
    // Rows come in runs of one worker's report: each run is settled with one lane lookup.
    for (let i = 0, n = rowsOf(settled); i < n;) {
      const worker = settled.worker[i];
      let j = i + 1;
      while (j < n && settled.worker[j] === worker) j++;
      this.settleRows(settled, i, j);
      i = j;
    }
    for (let i = 0, n = lockWaits.worker.length; i < n; i++)
      this.addWait(lockWaits.worker[i], lockWaits.task[i], lockWaits.start[i], lockWaits.end[i]);
    for (let i = 0, n = phases.worker.length; i < n; i++)
      this.addPhase(phases.worker[i], phases.task[i], phases.start[i], phases.end[i], phases.kind[i]);
  }

  private apply(event: PoolEvent): void {
    switch (event.type) {
      case 'run-started':
        this.beginRun(event.runId, event.run, event.tasks, event.at);
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
      case 'worker-spawned': {
        const lane = newLane(event.worker, this.nextNumber++, event.pid, event.at);
        if (event.lane) {
          lane.kind = event.lane.kind;
          lane.name = event.lane.name ?? null;
          lane.group = event.lane.group ?? null;
          lane.tid = event.lane.tid ?? null;
        }
        this.lanes.set(event.worker, lane);
        return;
      }
      case 'worker-ready': {
        const lane = this.laneFor(event.worker, event.at);
        lane.pid = event.pid;
        lane.readyAt = event.at;
        return;
      }
      case 'worker-exited': {
        const lane = this.lanes.get(event.worker);
        if (!lane) return;
        lane.exitedAt = event.at;
        lane.exitCause = event.cause;
        lane.exitCode = event.code;
        lane.exitSignal = event.signal;
        lane.exitReason = event.reason ?? null;
        lane.current = -1;
        // Whatever it held was settled, given back or cancelled by events before this one.
        lane.chunks = [];
        lane.chunkHead = 0;
        lane.held = 0;
        return;
      }
      case 'task-failed':
        if (this.run?.runId !== event.runId) return;
        this.failures.push({ task: event.task, worker: event.worker, reason: event.reason, message: event.message });
        return;
      case 'tasks-returned': {
        if (this.run?.runId !== event.runId) return;
        const lane = this.lanes.get(event.worker);
        for (const [first, count] of event.ranges) {
          for (let t = first; t < first + count; t++) this.release(t, lane, TaskState.queued);
        }
        if (lane) this.popSettledChunks(lane);
        return;
      }
      case 'tasks-cancelled':
        if (this.run?.runId !== event.runId) return;
        for (const [first, count, worker] of event.ranges) {
          const lane = worker >= 0 ? this.lanes.get(worker) : undefined;
          for (let t = first; t < first + count; t++) this.release(t, lane, TaskState.cancelled);
          if (lane) this.popSettledChunks(lane);
        }
        return;
      case 'output':
        this.output.push({
          worker: event.worker,
          task: event.task,
          stream: event.stream,
          text: event.text,
          at: event.at,
        });
        if (this.output.length > MAX_OUTPUT_LINES * 1.1) {
          const drop = this.output.length - MAX_OUTPUT_LINES;
          this.output = this.output.slice(drop);
          this.outputDropped += drop;
        }
        return;
      case 'call-started':
        if (this.run?.runId !== event.runId) return;
        this.calls.set(event.call, {
          call: event.call,
          label: event.label,
          method: event.method,
          group: event.group ?? null,
          startedAt: event.at,
          finishedAt: null,
        });
        return;
      case 'call-finished': {
        const call = this.run?.runId === event.runId ? this.calls.get(event.call) : undefined;
        if (call) call.finishedAt = event.at;
        return;
      }
      case 'result-texts':
        if (this.run?.runId !== event.runId) return;
        for (let i = 0; i < event.tasks.length; i++) this.resultText.set(event.tasks[i], event.texts[i]);
        return;
      case 'mark':
        if (this.run?.runId === event.runId)
          this.marks.push({ at: event.at, label: event.label, group: event.group ?? null });
        return;
      case 'sample':
        for (const sample of event.workers) {
          const lane = this.lanes.get(sample.worker);
          if (lane) lane.sample = sample;
        }
        return;
    }
  }

  /** A lane named before its spawn was seen (a receiver that joined late): it stands in for the spawn. */
  private laneFor(worker: number, at: number): Lane {
    let lane = this.lanes.get(worker);
    if (!lane) {
      lane = newLane(worker, this.nextNumber++, null, at);
      this.lanes.set(worker, lane);
    }
    return lane;
  }

  private ensureCapacity(tasks: number): void {
    if (tasks > this.capacity) this.allocate(tasks);
    if (this.clearedTo === this.capacity) return;
    this.clearTasks(this.clearedTo, this.capacity);
    this.clearedTo = this.capacity;
  }

  /** Grows every column; the new slots are left for ensureCapacity or reserve to clear. */
  private allocate(tasks: number): void {
    const size = Math.max(tasks, this.capacity * 2, 1024);
    this.state = grow(this.state, size);
    this.worker = grow(this.worker, size);
    this.dispatchedAt = grow(this.dispatchedAt, size);
    this.start = grow(this.start, size);
    this.end = grow(this.end, size);
    this.cpu = grow(this.cpu, size);
    this.coreWait = grow(this.coreWait, size);
    this.result = grow(this.result, size);
    this.call = grow(this.call, size);
    this.order = grow(this.order, size);
    this.chunkOf = grow(this.chunkOf, size);
    this.capacity = size;
  }

  /** Resets task slots from … to to "queued, nowhere". */
  private clearTasks(from: number, to: number): void {
    this.state.fill(TaskState.queued, from, to);
    this.worker.fill(-1, from, to);
    this.chunkOf.fill(-1, from, to);
    this.call.fill(-1, from, to);
    this.dispatchedAt.fill(NaN, from, to);
    this.start.fill(NaN, from, to);
    this.end.fill(NaN, from, to);
    this.cpu.fill(NaN, from, to);
    this.coreWait.fill(NaN, from, to);
    this.result.fill(NaN, from, to);
  }

  private beginRun(runId: number, run: RunDescription, tasks: number, at: number): void {
    this.run = { runId, run, startedAt: at, finishedAt: null, status: 'running', error: null, paused: false };
    this.counts = { submitted: tasks, queued: tasks, running: 0, done: 0, failed: 0, cancelled: 0 };
    // Reuse the buffers: runs one after another should not churn memory. Only the
    // last run's slots are dirty: slots from `size` up to capacity are never written.
    this.clearTasks(0, Math.min(this.capacity, this.size));
    this.ensureCapacity(tasks);
    this.size = tasks;
    this.orderLength = 0;
    this.chunks = 0;
    this.waits.length = 0;
    this.phases.length = 0;
    this.failures = [];
    this.calls.clear();
    this.resultText.clear();
    this.marks = [];
    this.sumTaskMs = 0;
    this.sumCpuMs = 0;
    this.cpuTasks = 0;
    this.sumCoreWaitMs = 0;
    this.coreWaitTasks = 0;
    this.sumLockWaitMs = 0;
    this.sumDispatchLatencyMs = 0;
    this.dispatchLatencyCount = 0;
    this.firstStart = Infinity;
    this.lastEnd = -Infinity;
    // Workers outlive runs; lanes of gone workers do not. The rest are numbered afresh.
    this.nextNumber = 1;
    for (const [id, lane] of this.lanes) {
      if (lane.exitedAt !== null) {
        this.lanes.delete(id);
        continue;
      }
      Object.assign(lane, {
        number: this.nextNumber++,
        tasksDone: 0,
        tasksFailed: 0,
        busyMs: 0,
        cpuMs: 0,
        coreWaitMs: 0,
        lastEnd: -Infinity,
        current: -1,
        held: 0,
        chunks: [],
        chunkHead: 0,
      });
    }
  }

  private submit(task: number, call: number): void {
    if (task < 0) return;
    if (task >= this.size) {
      this.ensureCapacity(task + 1);
      this.size = task + 1;
    }
    this.call[task] = call;
  }

  private dispatch(worker: number, first: number, count: number, at: number, chunkSize: number): void {
    if (first < 0 || count <= 0 || first + count > this.size) return;
    if (this.chunks === this.chunkFirst.length) {
      const size = this.chunks * 2;
      this.chunkFirst = grow(this.chunkFirst, size);
      this.chunkCount = grow(this.chunkCount, size);
      this.chunkSize = grow(this.chunkSize, size);
      this.chunkLeft = grow(this.chunkLeft, size);
      this.chunkNext = grow(this.chunkNext, size);
    }
    const chunk = this.chunks++;
    this.chunkFirst[chunk] = first;
    this.chunkCount[chunk] = count;
    // A row that gives no size (replays, tests) is one chunk.
    this.chunkSize[chunk] = chunkSize > 0 ? chunkSize : count;
    this.chunkLeft[chunk] = count;
    this.chunkNext[chunk] = first;
    const end = first + count;
    if (count === 1) {
      // One-task chunks come by the million at chunksize 1: plain stores beat four fill() calls.
      this.state[first] = TaskState.dispatched;
      this.worker[first] = worker;
      this.dispatchedAt[first] = at;
      this.chunkOf[first] = chunk;
    } else {
      this.state.fill(TaskState.dispatched, first, end);
      this.worker.fill(worker, first, end);
      this.dispatchedAt.fill(at, first, end);
      this.chunkOf.fill(chunk, first, end);
    }
    const lane = this.laneFor(worker, at);
    lane.chunks.push(chunk);
    lane.held += count;
  }

  private startTask(worker: number, task: number, at: number): void {
    if (task < 0 || task >= this.size) return;
    const state = this.state[task];
    if (state !== TaskState.dispatched && state !== TaskState.queued) return;
    const lane = this.laneFor(worker, at);
    // A source without dispatch (Python's shared queue) hands the task over as it starts.
    if (state === TaskState.queued) lane.held++;
    this.state[task] = TaskState.running;
    this.worker[task] = worker;
    this.start[task] = at;
    lane.current = task;
  }

  /** A held task leaves its lane's hands: settled, given back or cancelled. */
  private release(task: number, lane: Lane | undefined, to: TaskStateCode): void {
    if (task < 0 || task >= this.size) return;
    const state = this.state[task];
    const held = state === TaskState.dispatched || state === TaskState.running;
    if (to === TaskState.queued && !held) return;
    if (held) {
      const chunk = this.chunkOf[task];
      this.chunkOf[task] = -1;
      if (chunk >= 0) {
        this.chunkLeft[chunk]--;
        const end = this.chunkFirst[chunk] + this.chunkCount[chunk];
        let next = this.chunkNext[chunk];
        while (next < end && this.chunkOf[next] !== chunk) next++;
        this.chunkNext[chunk] = next;
      }
      const holder = lane ?? this.lanes.get(this.worker[task]);
      if (holder) {
        holder.held = Math.max(0, holder.held - 1);
        if (holder.current === task) holder.current = -1;
      }
    }
    if (state === TaskState.done || state === TaskState.failed) return;
    this.state[task] = to;
    if (to === TaskState.queued) this.worker[task] = -1;
  }

  private popSettledChunks(lane: Lane): void {
    while (lane.chunkHead < lane.chunks.length && this.chunkLeft[lane.chunks[lane.chunkHead]] <= 0) lane.chunkHead++;
    // Compact now and then, so a long run's lane does not keep every chunk it ever had.
    if (lane.chunkHead > 256 && lane.chunkHead * 2 > lane.chunks.length) {
      lane.chunks = lane.chunks.slice(lane.chunkHead);
      lane.chunkHead = 0;
    }
  }

  /** Settles rows `from` … `to`-1 of a frame, all of one worker. */
  private settleRows(settled: Frame['settled'], from: number, to: number): void {
    const worker = settled.worker[from];
    const lane = this.lanes.get(worker);
    const sums = emptySums(lane ? lane.lastEnd : -Infinity);
    let i = from;
    if (lane) for (let n = 1; i < to && n > 0; i += n) n = this.settleHeldRange(settled, i, to, lane, sums);
    if (i < to) this.settleEach(settled, i, to, lane, sums);
    this.orderLength += sums.settled;
    if (sums.firstStart < this.firstStart) this.firstStart = sums.firstStart;
    if (sums.lastEnd > this.lastEnd) this.lastEnd = sums.lastEnd;
    this.sumTaskMs += sums.busyMs;
    this.sumCpuMs += sums.cpuMs;
    this.cpuTasks += sums.cpuTasks;
    this.sumCoreWaitMs += sums.coreWaitMs;
    this.coreWaitTasks += sums.coreWaitTasks;
    this.sumDispatchLatencyMs += sums.latencyMs;
    this.dispatchLatencyCount += sums.latencyCount;
    if (!lane) return;
    lane.busyMs += sums.busyMs;
    lane.cpuMs += sums.cpuMs;
    lane.coreWaitMs += sums.coreWaitMs;
    lane.tasksDone += sums.done;
    lane.tasksFailed += sums.failed;
    if (sums.lastEnd > lane.lastEnd) lane.lastEnd = sums.lastEnd;
    this.popSettledChunks(lane);
  }

  /**
   * The common case, taken in whole columns: rows that are consecutive tasks
   * the lane holds from its chunk's lowest held task on, all done. A million
   * tasks in chunks come this way; copying columns beats a loop that has not
   * been compiled yet (a CLI run is one cold pass). Takes the rows from `from`
   * that lie in one chunk and returns how many it settled: 0 when they are
   * anything else, with nothing changed.
   */
  private settleHeldRange(settled: Frame['settled'], from: number, to: number, lane: Lane, sums: SettleSums): number {
    const { task: tasks, start: starts, end: ends, cpu: cpus, coreWait: coreWaits, ok: oks } = settled;
    const first = tasks[from];
    const chunk = first >= 0 && first < this.size ? this.chunkOf[first] : -1;
    if (chunk < 0 || this.chunkNext[chunk] !== first) return 0;
    const chunkEnd = this.chunkFirst[chunk] + this.chunkCount[chunk];
    // Every task from the chunk's lowest held one to its end is still held.
    if (this.chunkLeft[chunk] !== chunkEnd - first) return 0;
    const count = Math.min(to - from, chunkEnd - first);
    const last = first + count;
    const { order, dispatchedAt } = this;
    const size = this.chunkSize[chunk];
    // The first task of each of the row's chunks, whose start counts as dispatch latency.
    let aligned = this.chunkFirst[chunk] + Math.ceil((first - this.chunkFirst[chunk]) / size) * size;
    let { busyMs, cpuMs, cpuTasks, coreWaitMs, coreWaitTasks, latencyMs, latencyCount, firstStart, lastEnd } = sums;
    // Sums in locals, kept only if every row qualifies (order's slots past its length are free).
    for (let i = from, task = first, at = this.orderLength + sums.settled; task < last; i++, task++, at++) {
      const start = starts[i];
      const end = ends[i];
      if (tasks[i] !== task || oks[i] !== 1 || start !== start) return 0;
      if (task === aligned) {
        const ready = dispatchedAt[task] > lastEnd ? dispatchedAt[task] : lastEnd;
        if (start > ready) latencyMs += start - ready;
        latencyCount++;
        aligned += size;
      }
      order[at] = task;
      if (end > start) busyMs += end - start;
      const cpu = cpus[i];
      if (cpu === cpu) {
        cpuMs += cpu;
        cpuTasks++;
      }
      const coreWait = coreWaits[i];
      if (coreWait === coreWait) {
        coreWaitMs += coreWait;
        coreWaitTasks++;
      }
      if (start < firstStart) firstStart = start;
      if (end > lastEnd) lastEnd = end;
    }
    Object.assign(sums, {
      busyMs,
      cpuMs,
      cpuTasks,
      coreWaitMs,
      coreWaitTasks,
      latencyMs,
      latencyCount,
      firstStart,
      lastEnd,
      settled: sums.settled + count,
      done: sums.done + count,
    });
    this.state.fill(TaskState.done, first, last);
    this.worker.fill(lane.worker, first, last);
    this.chunkOf.fill(-1, first, last);
    const upTo = from + count;
    this.start.set(starts.subarray(from, upTo), first);
    this.end.set(ends.subarray(from, upTo), first);
    this.cpu.set(cpus.subarray(from, upTo), first);
    this.coreWait.set(coreWaits.subarray(from, upTo), first);
    this.result.set(settled.result.subarray(from, upTo), first);
    this.chunkLeft[chunk] -= count;
    this.chunkNext[chunk] = last;
    lane.held = Math.max(0, lane.held - count);
    if (lane.current >= first && lane.current < last) lane.current = -1;
    return count;
  }

  /** Any rows, one task at a time. */
  private settleEach(
    settled: Frame['settled'],
    from: number,
    to: number,
    lane: Lane | undefined,
    sums: SettleSums,
  ): void {
    const worker = settled.worker[from];
    // Everything the loop touches, read once: it runs once per task.
    const { state, chunkOf, chunkFirst, chunkCount, chunkSize, chunkLeft, chunkNext, dispatchedAt, order, size } = this;
    const workerOf = this.worker;
    const startOf = this.start;
    const endOf = this.end;
    const cpuOf = this.cpu;
    const coreWaitOf = this.coreWait;
    const resultOf = this.result;
    const { task: tasks, start: starts, end: ends, cpu: cpus, coreWait: coreWaits, ok: oks, result: results } = settled;
    // Sums in locals, stored once at the end: the loop runs once per task.
    let {
      busyMs,
      cpuMs,
      cpuTasks,
      coreWaitMs,
      coreWaitTasks,
      latencyMs,
      latencyCount,
      firstStart,
      lastEnd,
      done,
      failed,
    } = sums;
    let settledCount = this.orderLength + sums.settled;
    for (let i = from; i < to; i++) {
      const task = tasks[i];
      if (task < 0 || task >= size) continue;
      const start = starts[i];
      const end = ends[i];
      const cpu = cpus[i];
      const coreWait = coreWaits[i];
      const was = state[task];
      const chunk = chunkOf[task];
      // Latency from when the worker could have started a chunk: a prefetched chunk's wait in the inbox is not latency.
      if (lane && chunk >= 0 && start === start && (task - chunkFirst[chunk]) % chunkSize[chunk] === 0) {
        const ready = dispatchedAt[task] > lastEnd ? dispatchedAt[task] : lastEnd;
        if (start > ready) latencyMs += start - ready;
        latencyCount++;
      }
      if (was === TaskState.dispatched || was === TaskState.running) {
        // It leaves its holder's hands (inlined release: this runs once per task).
        if (chunk >= 0) {
          chunkOf[task] = -1;
          chunkLeft[chunk]--;
          const chunkEnd = chunkFirst[chunk] + chunkCount[chunk];
          let next = chunkNext[chunk];
          while (next < chunkEnd && chunkOf[next] !== chunk) next++;
          chunkNext[chunk] = next;
        }
        const holder = lane ?? this.lanes.get(workerOf[task]);
        if (holder) {
          if (holder.held > 0) holder.held--;
          if (holder.current === task) holder.current = -1;
        }
      }
      const ok = oks[i] === 1;
      state[task] = ok ? TaskState.done : TaskState.failed;
      workerOf[task] = worker;
      // A task that failed before it started (its worker died holding it) is a mark at its end.
      const begun = start === start ? start : end;
      startOf[task] = begun;
      endOf[task] = end;
      cpuOf[task] = cpu;
      coreWaitOf[task] = coreWait;
      resultOf[task] = results[i];
      order[settledCount++] = task;
      if (end > begun) busyMs += end - begun;
      if (cpu === cpu) {
        cpuMs += cpu;
        cpuTasks++;
      }
      if (coreWait === coreWait) {
        coreWaitMs += coreWait;
        coreWaitTasks++;
      }
      if (begun < firstStart) firstStart = begun;
      if (end > lastEnd) lastEnd = end;
      if (ok) done++;
      else failed++;
    }
    Object.assign(sums, {
      busyMs,
      cpuMs,
      cpuTasks,
      coreWaitMs,
      coreWaitTasks,
      latencyMs,
      latencyCount,
      firstStart,
      lastEnd,
      done,
      failed,
      settled: settledCount - this.orderLength,
    });
  }

  private addPhase(worker: number, task: number, start: number, end: number, kind: number): void {
    const p = this.phases;
    if (p.length === p.worker.length) {
      const size = p.length * 2;
      this.phases = {
        worker: grow(p.worker, size),
        task: grow(p.task, size),
        start: grow(p.start, size),
        end: grow(p.end, size),
        kind: grow(p.kind, size),
        length: p.length,
      };
    }
    const i = this.phases.length++;
    this.phases.worker[i] = worker;
    this.phases.task[i] = task;
    this.phases.start[i] = start;
    this.phases.end[i] = end;
    this.phases.kind[i] = kind;
  }

  private addWait(worker: number, task: number, start: number, end: number): void {
    const w = this.waits;
    if (w.length === w.worker.length) {
      const size = w.length * 2;
      this.waits = {
        worker: grow(w.worker, size),
        task: grow(w.task, size),
        start: grow(w.start, size),
        end: grow(w.end, size),
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
}

function newLane(worker: number, number: number, pid: number | null, at: number): Lane {
  return {
    worker,
    number,
    pid,
    kind: 'process',
    name: null,
    group: null,
    tid: null,
    spawnedAt: at,
    readyAt: null,
    exitedAt: null,
    exitCause: null,
    exitCode: null,
    exitSignal: null,
    exitReason: null,
    current: -1,
    held: 0,
    chunks: [],
    chunkHead: 0,
    tasksDone: 0,
    tasksFailed: 0,
    busyMs: 0,
    cpuMs: 0,
    coreWaitMs: 0,
    lastEnd: -Infinity,
    sample: null,
  };
}
