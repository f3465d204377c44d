/**
 * Every run of the session, whoever started it: its spec, how it ended and its
 * statistics at the end, plus — for the recent ones — its own TaskStore, so two
 * runs can be drawn side by side long after the live view moved on. The newest
 * run's store is also the live one (`live`): every frame is taken in once.
 */
import { makeFrame, type EventOf, type Frame, type PoolEvent, type RunDescription } from '../events';
import { computeStats, type RunStats } from '../stats';
import { TaskStore } from '../task-store';
import { PoolTracker } from './pool-tracker';

/** Which view started a run. */
export type RunOrigin = 'live' | 'scenario' | 'compare' | 'sweep';

/** One run as the history list shows it (no per-task data). */
export interface HistoryEntry {
  runId: number;
  /** Counted from 1 in the order this history saw them: what a person reads ("Run 3"). */
  number: number;
  origin: RunOrigin;
  /** What it was within its origin, e.g. "Q1", "GIL" or "3 workers"; empty for live runs. */
  label: string;
  run: RunDescription;
  /** Tasks it had (submitted, by its end). */
  tasks: number;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  startedAt: number;
  finishedAt: number | null;
  /** computeStats when the run finished; null while it runs. */
  stats: RunStats | null;
  /** Whether its TaskStore is still kept (older runs keep only their summary). */
  kept: boolean;
}

interface RunRecord extends Omit<HistoryEntry, 'origin' | 'label' | 'kept'> {
  store: TaskStore | null;
}

export interface HistoryLimits {
  /** Runs whose TaskStore is kept, newest first. */
  runs: number;
  /** Total tasks over the kept stores. The newest run is kept whatever its size. */
  tasks: number;
  /** Summaries kept at all. */
  entries: number;
}

export const HISTORY_LIMITS: HistoryLimits = { runs: 20, tasks: 2_000_000, entries: 500 };

export class HistoryRecorder {
  readonly pool = new PoolTracker();
  /** Newest first. */
  private records: RunRecord[] = [];
  private readonly labels = new Map<number, { origin: RunOrigin; label: string }>();
  private nextNumber = 1;
  /** The pool before the first run: what the live view shows until there is one. */
  private readonly beforeRuns = new TaskStore();
  /** A store made ready for the next run (see prepareNext). */
  private spare: TaskStore | null = null;

  constructor(
    private readonly onChange: (entries: HistoryEntry[]) => void,
    /** Logical cores of the host, for the statistics (known once the host answered). */
    private readonly cores: () => number,
    private readonly limits: HistoryLimits = HISTORY_LIMITS,
  ) {}

  /**
   * Feeds a frame to the run it belongs to, and returns it as every consumer
   * should see it: samples name only workers still alive (see PoolTracker.liveSample).
   * A frame that starts a run is split there: what came before goes to the
   * previous run (the exits after a join, say), and the new run's store is seeded
   * with the workers alive at that moment.
   */
  ingest(raw: Frame): Frame {
    const events: PoolEvent[] = [];
    let from = 0;
    let changed = false;
    for (const event of raw.events) {
      if (event.type === 'run-started' && event.runId !== this.records[0]?.runId) {
        if (events.length > from) this.feed(raw, events.slice(from), false);
        this.open(event, raw);
        from = events.length;
        changed = true;
      }
      this.pool.apply(event);
      events.push(event.type === 'sample' ? this.pool.liveSample(event) : event);
    }
    const frame = events.every((e, i) => e === raw.events[i]) ? raw : { ...raw, events };
    this.feed(frame, from === 0 ? events : events.slice(from), true);
    for (const event of events) {
      if (event.type !== 'run-finished') continue;
      const record = this.records.find((r) => r.runId === event.runId);
      if (!record || record.finishedAt !== null) continue;
      record.status = event.status;
      record.finishedAt = event.at;
      record.tasks = event.counts.submitted;
      if (record.store) record.stats = computeStats(record.store, event.at, this.cores());
      changed = true;
    }
    if (changed) this.publish();
    return frame;
  }

  /** Says who started a run; may come before or after its frames. */
  label(runId: number, origin: RunOrigin, label: string): void {
    this.labels.set(runId, { origin, label });
    if (this.records.some((r) => r.runId === runId)) this.publish();
  }

  /**
   * What the live view draws: the newest run's store, which also follows the pool
   * after the run ended (workers spawned, samples) until the next run starts.
   */
  get live(): TaskStore {
    return this.records[0]?.store ?? this.beforeRuns;
  }

  /**
   * Readies a store for the next run, as large as the newest run and as
   * `tasks` (what the controls say the next run will be): making room touches
   * every slot (tens of MB at a million tasks), better done while the page is
   * idle than in the next run's first frame. Does at most `slots` slots' worth
   * per call (see TaskStore.reserve); true once there is nothing left to do.
   */
  prepareNext(tasks = 0, slots = Infinity): boolean {
    const newest = this.records[0];
    // Not once the next run has begun: its store exists, and the work would land in its frames.
    if (newest && newest.finishedAt === null) return true;
    const size = Math.max(tasks, newest?.tasks ?? 0);
    if (size === 0) return true;
    this.spare ??= new TaskStore();
    return this.spare.reserve(size, slots);
  }

  /** The run's TaskStore, if it is still kept. */
  store(runId: number): TaskStore | null {
    return this.records.find((r) => r.runId === runId)?.store ?? null;
  }

  /** One run's summary, if it is still in the history. */
  entry(runId: number): HistoryEntry | null {
    const record = this.records.find((r) => r.runId === runId);
    return record ? this.summary(record) : null;
  }

  /** Newest first. */
  entries(): HistoryEntry[] {
    return this.records.map((record) => this.summary(record));
  }

  private summary({ store, ...record }: RunRecord): HistoryEntry {
    const tag = this.labels.get(record.runId);
    return { ...record, origin: tag?.origin ?? 'live', label: tag?.label ?? '', kept: store !== null };
  }

  private open(event: EventOf<'run-started'>, frame: Frame): void {
    const previous = this.live;
    this.records[0]?.store?.forgetLanesAfterEnd();
    const store = this.spare ?? new TaskStore();
    this.spare = null;
    store.ingest(
      makeFrame({ seq: frame.seq - 1, at: event.at, runId: null, events: this.pool.presentEvents(event.at) }),
    );
    // The workers' latest samples carry over, so the cores view does not blank until the next one.
    for (const lane of store.lanes.values()) lane.sample = previous.lanes.get(lane.worker)?.sample ?? null;
    this.records.unshift({
      runId: event.runId,
      number: this.nextNumber++,
      run: event.run,
      tasks: event.tasks,
      status: 'running',
      startedAt: event.at,
      finishedAt: null,
      stats: null,
      store,
    });
    this.evict();
  }

  /**
   * Gives the live store its part of a frame. The columns belong to the frame's
   * (latest) run, so only the last part carries them.
   */
  private feed(frame: Frame, events: PoolEvent[], columns: boolean): void {
    const store = this.live;
    if (columns && events.length === frame.events.length) store.ingest(frame);
    else if (columns) store.ingest({ ...frame, events });
    else if (events.length > 0) store.ingest(makeFrame({ seq: frame.seq, at: frame.at, runId: null, events }));
  }

  /** Keeps stores for the newest runs within the limits; older runs keep their summary only. */
  private evict(): void {
    let runs = 0;
    let tasks = 0;
    for (const record of this.records) {
      if (!record.store) continue;
      runs++;
      tasks += record.tasks;
      if (runs > 1 && (runs > this.limits.runs || tasks > this.limits.tasks)) {
        record.store = null;
        runs--;
        tasks -= record.tasks;
      }
    }
    for (const gone of this.records.splice(this.limits.entries)) this.labels.delete(gone.runId);
  }

  private publish(): void {
    this.onChange(this.entries());
  }
}
