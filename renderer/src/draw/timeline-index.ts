/**
 * Per-worker task lists for the timeline, built incrementally from the store's
 * settlement order. A worker runs its tasks one after another, so each list is
 * sorted by start time: the visible range is found by binary search, and a
 * prefix sum of durations gives any span's busy time in O(1) — which is what
 * lets a pixel column summarise thousands of tasks without visiting them. A
 * second prefix sum, of the time tasks waited for a core, gives the same
 * column's waiting share.
 */
import { TaskState, type Lane, type TaskStore } from '../../../shared/task-store';

export type FailKind = 'error' | 'timeout' | 'crash';

/** A task's wait for a core, for sums: NaN (not measured) adds nothing. */
const waitOf = (ms: number) => (ms > 0 ? ms : 0);

export class LaneTasks {
  ids = new Int32Array(64);
  /** cum[k] = total duration of ids[0..k-1]. */
  cum = new Float64Array(65);
  /** cumWait[k] = total time ids[0..k-1] waited for a core (unmeasured counts as none). */
  cumWait = new Float64Array(65);
  length = 0;
  sorted = true;
  lastStart = -Infinity;
  /** Failed tasks, drawn on top at every zoom so they never vanish into density. */
  failures: { task: number; kind: FailKind }[] = [];
  /** GIL backend: this thread's waits for the lock (indices into store.waits), in start order. */
  waits = new Int32Array(16);
  waitCount = 0;

  /** Phases of its tasks and attempts that did not count (indices into store.phases), in arrival order. */
  phases: number[] = [];

  pushWait(index: number): void {
    if (this.waitCount === this.waits.length) {
      const waits = new Int32Array(this.waits.length * 2);
      waits.set(this.waits);
      this.waits = waits;
    }
    this.waits[this.waitCount++] = index;
  }

  /** First k whose wait starts at or after t. */
  lowerBoundWait(startOf: Float64Array, t: number): number {
    let lo = 0;
    let hi = this.waitCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (startOf[this.waits[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Appends the settled tasks in the store's order from position k on while they are this
   * worker's, and returns where the next worker's begin. A report settles a worker's tasks
   * together, so one call takes a whole run of them with its sums in locals.
   */
  append(store: TaskStore, k: number, workerId: number): number {
    const { order, start, end, state, worker, coreWait } = store;
    const n = store.orderLength;
    let { ids, cum, cumWait } = this;
    let length = this.length;
    let busy = cum[length];
    let waited = cumWait[length];
    let lastStart = this.lastStart;
    let sorted = this.sorted;
    for (; k < n; k++) {
      const task = order[k];
      if (state[task] !== TaskState.done && state[task] !== TaskState.failed) continue;
      if (worker[task] !== workerId) break;
      if (length === ids.length) {
        this.grow(length);
        ({ ids, cum, cumWait } = this);
      }
      const started = start[task];
      ids[length] = task;
      busy += Math.max(0, end[task] - started);
      waited += waitOf(coreWait[task]);
      length++;
      cum[length] = busy;
      cumWait[length] = waited;
      if (started < lastStart) sorted = false;
      else lastStart = started;
    }
    this.length = length;
    this.lastStart = lastStart;
    this.sorted = sorted;
    return k;
  }

  private grow(length: number): void {
    const ids = new Int32Array(length * 2);
    ids.set(this.ids);
    const cum = new Float64Array(ids.length + 1);
    cum.set(this.cum);
    const cumWait = new Float64Array(ids.length + 1);
    cumWait.set(this.cumWait);
    this.ids = ids;
    this.cum = cum;
    this.cumWait = cumWait;
  }

  /** Restores start order after an out-of-order arrival (rare: a crash reported late). */
  sort(startOf: Float64Array, endOf: Float64Array, coreWaitOf: Float64Array): void {
    if (this.sorted) return;
    const ids = Array.from(this.ids.subarray(0, this.length)).sort((a, b) => startOf[a] - startOf[b]);
    this.ids.set(ids);
    for (let k = 0; k < ids.length; k++) {
      this.cum[k + 1] = this.cum[k] + Math.max(0, endOf[ids[k]] - startOf[ids[k]]);
      this.cumWait[k + 1] = this.cumWait[k] + waitOf(coreWaitOf[ids[k]]);
    }
    this.lastStart = ids.length ? startOf[ids[ids.length - 1]] : -Infinity;
    this.sorted = true;
  }

  /** First k in [lo, hi) whose task starts at or after t. */
  lowerBound(startOf: Float64Array, t: number, lo = 0, hi = this.length): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (startOf[this.ids[mid]] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface TimelineRow {
  /** Workers that used this row, one after another (a replacement reuses its predecessor's row). */
  workers: number[];
}

export class TimelineIndex {
  readonly lanes = new Map<number, LaneTasks>();
  rows: TimelineRow[] = [];
  readonly rowOf = new Map<number, number>();
  private runId: number | null = null;
  private processed = 0;
  private failuresProcessed = 0;
  private waitsProcessed = 0;
  private phasesProcessed = 0;
  /** Bumps whenever the index changed, so views know to redraw. */
  version = 0;

  /** Catches up with the store; cheap when nothing changed. */
  update(store: TaskStore): void {
    const runId = store.run?.runId ?? null;
    if (
      runId !== this.runId ||
      store.orderLength < this.processed ||
      store.waits.length < this.waitsProcessed ||
      store.phases.length < this.phasesProcessed
    )
      this.clear(runId);
    const before =
      this.processed + this.failuresProcessed + this.waitsProcessed + this.phasesProcessed + this.rows.length;
    this.assignRows(store);
    const { order, state, worker } = store;
    for (let k = this.processed; k < store.orderLength;) {
      const task = order[k];
      if (state[task] !== TaskState.done && state[task] !== TaskState.failed) k++;
      else k = this.laneFor(worker[task]).append(store, k, worker[task]);
    }
    this.processed = store.orderLength;
    for (let k = this.failuresProcessed; k < store.failures.length; k++) {
      const f = store.failures[k];
      const kind: FailKind = f.reason === 'timeout' ? 'timeout' : f.reason === 'crash' ? 'crash' : 'error';
      this.laneFor(f.worker).failures.push({ task: f.task, kind });
    }
    this.failuresProcessed = store.failures.length;
    const waits = store.waits;
    for (let k = this.waitsProcessed; k < waits.length; k++) this.laneFor(waits.worker[k]).pushWait(k);
    this.waitsProcessed = waits.length;
    const phases = store.phases;
    for (let k = this.phasesProcessed; k < phases.length; k++) this.laneFor(phases.worker[k]).phases.push(k);
    this.phasesProcessed = phases.length;
    // Each of these only grows within a run, so their sum moves exactly when something changed.
    const after =
      this.processed + this.failuresProcessed + this.waitsProcessed + this.phasesProcessed + this.rows.length;
    if (after !== before) this.version++;
  }

  laneFor(worker: number): LaneTasks {
    let lane = this.lanes.get(worker);
    if (!lane) {
      lane = new LaneTasks();
      this.lanes.set(worker, lane);
      if (!this.rowOf.has(worker)) this.place(worker, -1);
    }
    return lane;
  }

  private clear(runId: number | null): void {
    this.runId = runId;
    this.lanes.clear();
    this.rows = [];
    this.rowOf.clear();
    this.processed = 0;
    this.failuresProcessed = 0;
    this.waitsProcessed = 0;
    this.phasesProcessed = 0;
    this.version++;
  }

  /**
   * Rows are slots: a worker takes the first row whose last worker had exited before it spawned.
   * Workers spawned after the run ended belong to the pool's next life, not to this run's rows.
   */
  private assignRows(store: TaskStore): void {
    const end = store.run?.finishedAt ?? Infinity;
    for (const lane of store.lanes.values()) {
      if (this.rowOf.has(lane.worker) || lane.spawnedAt > end) continue;
      const free = this.rows.findIndex((row) => {
        const last: Lane | undefined = store.lanes.get(row.workers[row.workers.length - 1]);
        return last !== undefined && last.exitedAt !== null && last.exitedAt <= lane.spawnedAt;
      });
      this.place(lane.worker, free);
    }
  }

  private place(worker: number, row: number): void {
    if (row < 0) {
      this.rows.push({ workers: [worker] });
      this.rowOf.set(worker, this.rows.length - 1);
    } else {
      this.rows[row].workers.push(worker);
      this.rowOf.set(worker, row);
    }
  }
}
