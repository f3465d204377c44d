/**
 * What streams from a host to every view: rare events as objects, per-task
 * facts as typed columns, coalesced into sequence-numbered frames at most ~60
 * times a second. Every source — the built-in engine, a traced Python program,
 * a Dask or Ray cluster — speaks this; the views never know which one did.
 */
import type { Backend, RunSpec } from './run-spec';

/** All timestamps are milliseconds on the machine's monotonic clock, shared by every process. */
export type Millis = number;

export interface TaskCounts {
  submitted: number;
  queued: number;
  /** Handed to a worker (held in its inbox or executing). */
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export type WorkerExitCause =
  | 'retired' // pool shrank
  | 'recycled' // max tasks per worker reached
  | 'closed' // pool reset or host shutting down
  | 'crashed' // died on its own
  | 'killed' // killed from outside (a signal nobody in Poolscope sent)
  | 'timed-out' // killed because a task exceeded the timeout
  | 'cancelled' // killed by cancel(running: 'kill')
  | 'startup-failed';

export type TaskFailReason = 'error' | 'crash' | 'timeout';

/** Where a run's tasks come from. */
export type RunSource = 'engine' | 'python' | 'dask' | 'ray';

/** A lane is one worker: a process, or a thread inside one. */
export type LaneKind = 'process' | 'thread';

/** How a source names a worker beyond its number: Python's `ForkPoolWorker-3`, a Dask worker's address. */
export interface LaneInfo {
  kind: LaneKind;
  /** The worker's own name, where its runtime gives one. */
  name?: string;
  /** Lanes of one pool, node or worker process share a group, drawn together. */
  group?: string;
  /** OS thread id, for thread lanes. */
  tid?: number;
}

/** What a run is, whatever ran it. */
export interface RunDescription {
  source: RunSource;
  /** A short title: `cpu × 40`, `python q1_squares.py`. */
  title: string;
  /** Built-in engine runs: the spec they ran. */
  spec?: RunSpec;
  /** Tasks per chunk where one size applies (the engine's; Python's calls carry their own). */
  chunksize: number;
  /** Workers requested (the pool-size slider at the start). */
  poolSize: number;
  backend?: Backend;
}

export type PoolEvent =
  | {
      type: 'run-started';
      runId: number;
      at: Millis;
      run: RunDescription;
      /** Tasks known at the start (the engine's whole run); more may be submitted later. */
      tasks: number;
    }
  | {
      type: 'run-finished';
      runId: number;
      at: Millis;
      status: 'completed' | 'cancelled' | 'failed';
      counts: TaskCounts;
      /** Why a run failed as a whole (e.g. workers cannot start, the script raised). */
      error?: string;
    }
  | { type: 'submission'; runId: number; at: Millis; paused: boolean }
  /** poolSize 0: the pool was closed (every worker exits) until the next configure or run. */
  | { type: 'pool-resized'; at: Millis; poolSize: number; backend: Backend }
  /** pid is null where the launcher learns it only later (Electron); worker-ready always has it. */
  | { type: 'worker-spawned'; worker: number; pid: number | null; at: Millis; lane?: LaneInfo }
  /** pid null: a worker on another machine, or one its engine does not name. */
  | { type: 'worker-ready'; worker: number; pid: number | null; at: Millis }
  | {
      type: 'worker-exited';
      worker: number;
      at: Millis;
      cause: WorkerExitCause;
      code: number | null;
      signal: string | null;
      /** Last lines the worker wrote to stderr, for crashes. */
      stderrTail: string;
      /** Why, in words, where the platform or the pool knows more than the code says. */
      reason?: string;
    }
  /**
   * A failed task's details; its row (times, worker) is in the settled columns
   * of the same frame, in the worker's order.
   */
  | { type: 'task-failed'; runId: number; task: number; worker: number; reason: TaskFailReason; message: string }
  /**
   * Tasks that went back to the queue unstarted: a retiring worker gave them back
   * (acknowledged, so none runs twice) or a worker died holding them.
   */
  | { type: 'tasks-returned'; runId: number; worker: number; at: Millis; ranges: [first: number, count: number][] }
  /** worker -1: cancelled from the queue; otherwise cancelled out of that worker's inbox. */
  | { type: 'tasks-cancelled'; runId: number; at: Millis; ranges: [first: number, count: number, worker: number][] }
  | { type: 'output'; worker: number; task: number | null; stream: 'stdout' | 'stderr'; text: string; at: Millis }
  /** One call of a program (`pool.map(square, …)`, `submit`, a `Process`): tasks name it in the submitted columns. */
  | { type: 'call-started'; runId: number; call: number; at: Millis; label: string; method: string; group?: string }
  | { type: 'call-finished'; runId: number; call: number; at: Millis }
  /** Results that are not numbers (Python's reprs), short, kept off the per-task columns. */
  | { type: 'result-texts'; runId: number; tasks: number[]; texts: string[] }
  /** A marker on the run's timeline: a pool's close(), join(), a scale request. */
  | { type: 'mark'; runId: number; at: Millis; label: string; group?: string }
  | { type: 'sample'; at: Millis; workers: WorkerSample[]; machine?: MachineSample };

export type PoolEventType = PoolEvent['type'];
export type EventOf<K extends PoolEventType> = Extract<PoolEvent, { type: K }>;

/** How busy the machine is beside the pool: what makes a measurement noisy. */
export interface MachineSample {
  /** The 1-minute load average (runnable tasks), where the platform has one. */
  load1: number | null;
  /** CPU the rest of the machine used since the last sample (not the pool's workers), % of one core. */
  othersCpu: number | null;
  /** How busy each CPU was since the last sample, % (index: CPU number), where the platform tells. */
  coresBusy?: number[];
}

/** What the scheduler says a worker's process (or thread) is doing. */
export type SchedState = 'running' | 'sleeping' | 'disk' | 'stopped' | 'zombie' | 'other';

export interface WorkerSample {
  worker: number;
  pid: number;
  /** CPU use since the last sample, percent of one core (from scheduler nanoseconds where available). */
  cpu: number;
  /** Share of the interval it was runnable but waiting for a core, percent; null where unknown. */
  waitingPct: number | null;
  rssBytes: number;
  /** The core it last ran on, where the platform tells. */
  core: number | null;
  state: SchedState | null;
  /** How long it has been in `state` (stopped, disk) or without progress while holding work, ms. */
  stalledMs: number | null;
  /** Moves between cores since it started; `migrationsFrom` says how they were counted. */
  migrations: number | null;
  migrationsFrom: 'scheduler' | 'core-changes' | null;
}

/**
 * The per-task columns of a frame, declared once: the codec, the builder, the
 * store and the tests all derive from this table.
 */
export const FRAME_COLUMNS = {
  /** Tasks a source submitted this frame (sources whose tasks are not all known at the start). */
  submitted: { task: 'i32', call: 'i32', at: 'f64' },
  /**
   * Chunks handed to workers: tasks first … first+count-1, as chunks of `size`
   * (the last may be smaller). One row carries a worker's consecutive chunks
   * of one moment, so a million one-task chunks are not a million rows.
   */
  dispatched: { worker: 'i32', first: 'i32', count: 'i32', size: 'i32', at: 'f64' },
  /** Tasks that started (reported promptly where they may run long). */
  started: { worker: 'i32', task: 'i32', at: 'f64' },
  /**
   * Tasks that settled, in each worker's order. cpu: the task's thread's CPU
   * time; coreWait: time it was runnable but waiting for a core (NaN where the
   * platform cannot tell). result: NaN for none or not a number. ok: 0 = failed.
   */
  settled: {
    worker: 'i32',
    task: 'i32',
    start: 'f64',
    end: 'f64',
    cpu: 'f64',
    coreWait: 'f64',
    result: 'f64',
    ok: 'u8',
  },
  /** GIL waits: a thread waiting for the lock (task -1 between tasks). */
  lockWaits: { worker: 'i32', task: 'i32', start: 'f64', end: 'f64' },
  /**
   * Parts of a task's time its engine records as phases (Dask's transfer,
   * compute, disk), and attempts of a task that did not count (a worker lost
   * mid-task, a retry): drawn inside or beside the task's bar. kind: PHASE_KINDS.
   */
  phases: { worker: 'i32', task: 'i32', start: 'f64', end: 'f64', kind: 'u8' },
} as const;

/** What a `phases` row is, by its kind number. */
export const PHASE_KINDS = [
  'compute',
  'transfer',
  'deserialize',
  'disk-read',
  'disk-write',
  'attempt-lost',
  'attempt-retried',
  'attempt-recomputed',
] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

type ArrayOf<K> = K extends 'i32' ? Int32Array : K extends 'f64' ? Float64Array : Uint8Array;
type ColumnTable = typeof FRAME_COLUMNS;
export type ColumnGroupName = keyof ColumnTable;
export type ColumnGroup<G extends ColumnGroupName> = { [C in keyof ColumnTable[G]]: ArrayOf<ColumnTable[G][C]> };
export type FrameColumns = { [G in ColumnGroupName]: ColumnGroup<G> };

/** A frame: every column of a group has the same length. */
export interface Frame extends FrameColumns {
  seq: number;
  at: Millis;
  runId: number | null;
  /** Counts of the current run after this frame; null when no run has started. */
  counts: TaskCounts | null;
  /**
   * Opening events (runs, workers, calls) apply before the columns, closing ones
   * after: see `isClosingEvent`. A source never puts two runs in one frame.
   */
  events: PoolEvent[];
  /** Set on the first frame a receiver gets after it fell behind and frames were skipped. */
  resync?: { skipped: number };
}

/** Events that describe an end (exits, returns, finishes), applied after the frame's columns. */
export function isClosingEvent(event: PoolEvent): boolean {
  switch (event.type) {
    case 'run-finished':
    case 'worker-exited':
    case 'tasks-returned':
    case 'tasks-cancelled':
    case 'call-finished':
      return true;
    default:
      return false;
  }
}

export const COLUMN_ARRAYS = { i32: Int32Array, f64: Float64Array, u8: Uint8Array } as const;

/** Empty columns of every group. */
export function emptyColumns(): FrameColumns {
  const groups: Record<string, Record<string, Int32Array | Float64Array | Uint8Array>> = {};
  for (const [group, columns] of Object.entries(FRAME_COLUMNS)) {
    groups[group] = {};
    for (const [name, kind] of Object.entries(columns)) groups[group][name] = new COLUMN_ARRAYS[kind](0);
  }
  return groups as unknown as FrameColumns;
}

/**
 * A group's columns from plain arrays (replays, tests): every column must have
 * the same length; missing ones are filled — NaN for times and measures, 0 for
 * ids, 1 for `ok`.
 */
export function columnsOf<G extends ColumnGroupName>(
  group: G,
  values: { [C in keyof ColumnGroup<G>]?: ArrayLike<number> },
): ColumnGroup<G> {
  const given = values as Record<string, ArrayLike<number> | undefined>;
  const length = Object.values(given).find((v) => v !== undefined)?.length ?? 0;
  const columns: Record<string, Int32Array | Float64Array | Uint8Array> = {};
  for (const [name, kind] of Object.entries(FRAME_COLUMNS[group])) {
    const column = new COLUMN_ARRAYS[kind](length);
    const source = given[name];
    if (source) {
      if (source.length !== length) throw new RangeError(`${group}.${name} has ${source.length} rows, not ${length}`);
      column.set(source);
    } else column.fill(kind === 'f64' ? NaN : name === 'ok' ? 1 : 0);
    columns[name] = column;
  }
  return columns as ColumnGroup<G>;
}

/** Rows in a group (its first column's length). */
export function rowsOf(group: Record<string, ArrayLike<number>>): number {
  for (const key in group) return group[key].length;
  return 0;
}

/** A frame with nothing in it but what `fields` says; every column empty. */
export function makeFrame(fields: Pick<Frame, 'seq' | 'at' | 'runId'> & Partial<Frame>): Frame {
  return { counts: null, events: [], ...emptyColumns(), ...fields };
}

/** How many per-task rows and events a frame carries: a measure of its size. */
export function frameEntries(frame: Frame): number {
  let entries = frame.events.length;
  for (const group of Object.keys(FRAME_COLUMNS) as ColumnGroupName[]) entries += rowsOf(frame[group]);
  return entries;
}
