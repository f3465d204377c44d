import type {
  DispatchColumns,
  DoneColumns,
  Frame,
  LockWaitColumns,
  PoolEvent,
  StartColumns,
  TaskCounts,
} from '../../shared/protocol';
import { now } from './clock';

/**
 * Times to the microsecond: finer digits are noise, and a million tasks' worth of
 * them would be a quarter of every frame's JSON. Rounding keeps order.
 */
const micros = (ms: number) => Math.round(ms * 1000) / 1000;

const emptyDispatch = (): DispatchColumns => ({ worker: [], first: [], count: [], at: [] });
const emptyStarted = (): StartColumns => ({ worker: [], task: [], at: [] });
const emptyDone = (): DoneColumns => ({ worker: [], task: [], start: [], end: [], result: [] });
const emptyWaits = (): LockWaitColumns => ({ worker: [], task: [], start: [], end: [] });

/**
 * Coalesces everything that happens into frames, at most one per interval.
 * Columns keep per-task data compact; rare events stay objects.
 */
export class FrameBuilder {
  private seq = 0;
  private events: PoolEvent[] = [];
  private dispatchedCols = emptyDispatch();
  private startedCols = emptyStarted();
  private doneCols = emptyDone();
  private waitCols = emptyWaits();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEmit = 0;
  private readonly listeners = new Set<(frame: Frame) => void>();

  constructor(
    private readonly snapshot: () => { runId: number | null; counts: TaskCounts | null },
    private readonly intervalMs = 16,
  ) {}

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
    listener({
      seq: this.seq,
      at: now(),
      runId,
      counts: counts && { ...counts },
      events: catchUp,
      dispatched: emptyDispatch(),
      started: emptyStarted(),
      done: emptyDone(),
      waits: emptyWaits(),
    });
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  event(event: PoolEvent): void {
    if (!this.active) return;
    this.events.push(event);
    this.schedule();
  }

  dispatched(worker: number, first: number, count: number, at: number): void {
    if (!this.active) return;
    const c = this.dispatchedCols;
    c.worker.push(worker);
    c.first.push(first);
    c.count.push(count);
    c.at.push(micros(at));
    this.schedule();
  }

  started(worker: number, task: number, at: number): void {
    if (!this.active) return;
    const c = this.startedCols;
    c.worker.push(worker);
    c.task.push(task);
    c.at.push(micros(at));
    this.schedule();
  }

  done(worker: number, task: number, start: number, end: number, result: number | null): void {
    if (!this.active) return;
    const c = this.doneCols;
    c.worker.push(worker);
    c.task.push(task);
    c.start.push(micros(start));
    c.end.push(micros(end));
    c.result.push(result);
    this.schedule();
  }

  lockWait(worker: number, task: number, start: number, end: number): void {
    if (!this.active) return;
    const c = this.waitCols;
    c.worker.push(worker);
    c.task.push(task);
    c.start.push(micros(start));
    c.end.push(micros(end));
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
      dispatched: this.dispatchedCols,
      started: this.startedCols,
      done: this.doneCols,
      waits: this.waitCols,
    };
    this.events = [];
    this.dispatchedCols = emptyDispatch();
    this.startedCols = emptyStarted();
    this.doneCols = emptyDone();
    this.waitCols = emptyWaits();
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
