/**
 * Coalesces everything a source reports into frames, at most one per interval.
 * Per-task facts are written straight into growable typed columns (no objects,
 * no per-task allocation); rare events stay objects. A frame never spans two
 * runs: run boundaries flush.
 */
import {
  COLUMN_ARRAYS,
  FRAME_COLUMNS,
  makeFrame,
  type ColumnGroup,
  type ColumnGroupName,
  type Frame,
  type PoolEvent,
  type TaskCounts,
} from '../../shared/events';
import { now } from './clock';

type Arrays = Record<string, Int32Array | Float64Array | Uint8Array>;

/** One group's columns, doubling as they fill. */
class ColumnBuffer<G extends ColumnGroupName> {
  length = 0;
  private capacity = 256;
  cols: ColumnGroup<G>;
  /** What an empty take() returns: most frames leave most groups empty, and typed arrays are dear to make. */
  private readonly none: ColumnGroup<G>;

  constructor(private readonly group: G) {
    this.cols = this.allocate(this.capacity);
    this.none = this.allocate(0);
  }

  /** The index of a new row (columns may be replaced: read `cols` after this). */
  next(): number {
    return this.reserve(1);
  }

  /** The index of the first of `count` new rows (columns may be replaced: read `cols` after this). */
  reserve(count: number): number {
    if (this.length + count > this.capacity) {
      while (this.length + count > this.capacity) this.capacity *= 2;
      const bigger = this.allocate(this.capacity);
      for (const [name, column] of Object.entries(this.cols as Arrays)) (bigger as Arrays)[name].set(column);
      this.cols = bigger;
    }
    const at = this.length;
    this.length += count;
    return at;
  }

  /** The rows so far, as exact-length copies; the buffer starts over. */
  take(): ColumnGroup<G> {
    if (this.length === 0) return this.none;
    const taken = {} as Arrays;
    for (const [name, column] of Object.entries(this.cols as Arrays)) taken[name] = column.slice(0, this.length);
    this.length = 0;
    return taken as ColumnGroup<G>;
  }

  private allocate(size: number): ColumnGroup<G> {
    const arrays = {} as Arrays;
    for (const [name, kind] of Object.entries(FRAME_COLUMNS[this.group])) arrays[name] = new COLUMN_ARRAYS[kind](size);
    return arrays as ColumnGroup<G>;
  }
}

/**
 * One host's frame stream. Every source that feeds it (the engine's pool, a
 * traced Python program, a cluster bridge) takes its run and worker ids from
 * here, so they never collide, and says which run is current.
 */
export class FrameBuilder {
  private seq = 0;
  private lastRunId = 0;
  private lastWorkerId = 0;
  /** The most recent run, finished or not: frames carry its id and counts. */
  private current: { runId: number; counts: TaskCounts } | null = null;
  private events: PoolEvent[] = [];
  private readonly submittedBuf = new ColumnBuffer('submitted');
  private readonly dispatchedBuf = new ColumnBuffer('dispatched');
  private readonly startedBuf = new ColumnBuffer('started');
  private readonly settledBuf = new ColumnBuffer('settled');
  private readonly lockWaitsBuf = new ColumnBuffer('lockWaits');
  private readonly phasesBuf = new ColumnBuffer('phases');
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEmit = 0;
  private readonly listeners = new Set<(frame: Frame) => void>();

  constructor(private readonly intervalMs = 16) {}

  newRunId(): number {
    return ++this.lastRunId;
  }

  newWorkerId(): number {
    return ++this.lastWorkerId;
  }

  /** The run frames now describe; its counts are read (not copied) at every frame. */
  track(runId: number, counts: TaskCounts): void {
    this.current = { runId, counts };
  }

  private snapshot(): { runId: number | null; counts: TaskCounts | null } {
    return { runId: this.current?.runId ?? null, counts: this.current?.counts ?? null };
  }

  /** Whether anyone listens; producers skip per-task columns when nobody does. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /**
   * Adds a listener. It first gets a frame of `catchUp` events describing the
   * present (live workers, the current run), numbered like the last frame sent, so
   * a late subscriber starts from the same picture as everyone else.
   */
  subscribe(listener: (frame: Frame) => void, catchUp: PoolEvent[]): () => void {
    const { runId, counts } = this.snapshot();
    listener(makeFrame({ seq: this.seq, at: now(), runId, counts: counts && { ...counts }, events: catchUp }));
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  event(event: PoolEvent): void {
    if (!this.active) return;
    this.events.push(event);
    this.schedule();
  }

  submitted(task: number, call: number, at: number): void {
    if (!this.active) return;
    const i = this.submittedBuf.next();
    const c = this.submittedBuf.cols;
    c.task[i] = task;
    c.call[i] = call;
    c.at[i] = at;
    this.schedule();
  }

  /** Chunks of `size` for a worker; consecutive whole chunks of one moment join the row before. */
  dispatched(worker: number, first: number, count: number, at: number, size = count): void {
    if (!this.active) return;
    const buffer = this.dispatchedBuf;
    const c = buffer.cols;
    const last = buffer.length - 1;
    if (
      last >= 0 &&
      c.worker[last] === worker &&
      c.at[last] === at &&
      c.size[last] === size &&
      c.first[last] + c.count[last] === first &&
      c.count[last] % size === 0
    ) {
      c.count[last] += count;
      return;
    }
    const i = buffer.next();
    c.worker[i] = worker;
    c.first[i] = first;
    c.count[i] = count;
    c.size[i] = size;
    c.at[i] = at;
    this.schedule();
  }

  started(worker: number, task: number, at: number): void {
    if (!this.active) return;
    const i = this.startedBuf.next();
    const c = this.startedBuf.cols;
    c.worker[i] = worker;
    c.task[i] = task;
    c.at[i] = at;
    this.schedule();
  }

  /** One settled task; NaN for what is unknown (cpu, coreWait, result, start). */
  settled(
    worker: number,
    task: number,
    start: number,
    end: number,
    cpu: number,
    coreWait: number,
    result: number,
    ok: boolean,
  ): void {
    if (!this.active) return;
    const i = this.settledBuf.next();
    const c = this.settledBuf.cols;
    c.worker[i] = worker;
    c.task[i] = task;
    c.start[i] = start;
    c.end[i] = end;
    c.cpu[i] = cpu;
    c.coreWait[i] = coreWait;
    c.result[i] = result;
    c.ok[i] = ok ? 1 : 0;
    this.schedule();
  }

  /** Rows `from` … `to`-1 of a worker's report, all successes: copied column by column. */
  settledRows(
    worker: number,
    rows: {
      task: Int32Array;
      start: Float64Array;
      end: Float64Array;
      cpu: Float64Array;
      coreWait: Float64Array;
      result: Float64Array;
    },
    from: number,
    to: number,
  ): void {
    const count = to - from;
    if (!this.active || count <= 0) return;
    const buffer = this.settledBuf;
    const at = buffer.reserve(count);
    const c = buffer.cols;
    c.worker.fill(worker, at, at + count);
    c.task.set(rows.task.subarray(from, to), at);
    c.start.set(rows.start.subarray(from, to), at);
    c.end.set(rows.end.subarray(from, to), at);
    c.cpu.set(rows.cpu.subarray(from, to), at);
    c.coreWait.set(rows.coreWait.subarray(from, to), at);
    c.result.set(rows.result.subarray(from, to), at);
    c.ok.fill(1, at, at + count);
    this.schedule();
  }

  lockWait(worker: number, task: number, start: number, end: number): void {
    if (!this.active) return;
    const i = this.lockWaitsBuf.next();
    const c = this.lockWaitsBuf.cols;
    c.worker[i] = worker;
    c.task[i] = task;
    c.start[i] = start;
    c.end[i] = end;
    this.schedule();
  }

  /** A phase of a task's time, or an attempt that did not count (kind: PHASE_KINDS' index). */
  phase(worker: number, task: number, start: number, end: number, kind: number): void {
    if (!this.active) return;
    const i = this.phasesBuf.next();
    const c = this.phasesBuf.cols;
    c.worker[i] = worker;
    c.task[i] = task;
    c.start[i] = start;
    c.end[i] = end;
    c.kind[i] = kind;
    this.schedule();
  }

  /** Counts changed without any other news: still worth a frame. */
  touch(): void {
    if (this.active) this.schedule();
  }

  /** Emits what is pending now (run boundaries should not wait for the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.active) return;
    const { runId, counts } = this.snapshot();
    const frame: Frame = {
      seq: ++this.seq,
      at: now(),
      runId,
      counts: counts && { ...counts },
      events: this.events,
      submitted: this.submittedBuf.take(),
      dispatched: this.dispatchedBuf.take(),
      started: this.startedBuf.take(),
      settled: this.settledBuf.take(),
      lockWaits: this.lockWaitsBuf.take(),
      phases: this.phasesBuf.take(),
    };
    this.events = [];
    this.lastEmit = frame.at;
    for (const listener of this.listeners) listener(frame);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastEmit + this.intervalMs - now());
    this.timer = setTimeout(() => this.flush(), wait);
  }
}
