import { makeFrame } from '../../shared/frames';
import type { Frame, PoolEvent, TaskCounts } from '../../shared/protocol';
import { now } from './clock';

/**
 * Times to the microsecond: finer digits are noise, and a million tasks' worth of
 * them would be a quarter of every frame's JSON. Rounding keeps order.
 */
const micros = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Coalesces everything that happens into frames, at most one per interval.
 * Columns keep per-task data compact; rare events stay objects.
 */
export class FrameBuilder {
  private seq = 0;
  /** What the next frame will say; its seq, at and counts are set when it is sent. */
  private pending = makeFrame({ seq: 0, at: 0, runId: null });
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
    listener(makeFrame({ seq: this.seq, at: now(), runId, counts: counts && { ...counts }, events: catchUp }));
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  event(event: PoolEvent): void {
    if (!this.active) return;
    this.pending.events.push(event);
    this.schedule();
  }

  dispatched(worker: number, first: number, count: number, at: number): void {
    if (!this.active) return;
    const c = this.pending.dispatched;
    c.worker.push(worker);
    c.first.push(first);
    c.count.push(count);
    c.at.push(micros(at));
    this.schedule();
  }

  started(worker: number, task: number, at: number): void {
    if (!this.active) return;
    const c = this.pending.started;
    c.worker.push(worker);
    c.task.push(task);
    c.at.push(micros(at));
    this.schedule();
  }

  done(worker: number, task: number, start: number, end: number, result: number | null): void {
    if (!this.active) return;
    const c = this.pending.done;
    c.worker.push(worker);
    c.task.push(task);
    c.start.push(micros(start));
    c.end.push(micros(end));
    c.result.push(result);
    this.schedule();
  }

  lockWait(worker: number, task: number, start: number, end: number): void {
    if (!this.active) return;
    const c = this.pending.waits;
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
    const frame: Frame = { ...this.pending, seq: ++this.seq, at: now(), runId, counts: counts && { ...counts } };
    this.pending = makeFrame({ seq: 0, at: 0, runId: null });
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
