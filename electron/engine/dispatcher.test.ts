import { describe, expect, it } from 'vitest';
import { fill, LOOKAHEAD_MS, type DispatchTarget } from './dispatcher';
import { RunQueue } from './run-queue';

/** A worker as the dispatcher sees it: what it holds, and since when its current task runs. */
class Target implements DispatchTarget {
  pending = 0;
  startedAt: number | null = null;
  readonly chunks: [number, number][] = [];

  constructor(
    readonly id: number,
    public room = Infinity,
  ) {}

  heldMs(taskMs: number, now: number): number {
    if (this.pending === 0) return 0;
    const left = this.startedAt === null ? taskMs : Math.max(0, taskMs - (now - this.startedAt));
    return left + (this.pending - 1) * taskMs;
  }

  take(first: number, count: number): void {
    this.pending += count;
    this.room -= count;
    this.chunks.push([first, count]);
  }
}

const run = (tasks: number, chunksize: number, taskMs: number) => ({ queue: new RunQueue(tasks), chunksize, taskMs });

describe('fill', () => {
  it('gives a worker on a long task nothing more until that task is about to end', () => {
    const r = run(10, 1, 50);
    const w = new Target(1);
    fill(r, [w], 0, 0, () => {});
    expect(w.chunks).toEqual([[0, 1]]);
    w.startedAt = 0;
    fill(r, [w], 30, 0, () => {});
    expect(w.chunks).toHaveLength(1);
    // 50 − 41 = 9 ms left: less than the lookahead, so the next task goes now and is there when needed.
    fill(r, [w], 41, 0, () => {});
    expect(w.chunks).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(LOOKAHEAD_MS).toBeGreaterThan(9);
  });

  it('streams tiny tasks: a worker holds about the lookahead’s worth, not the whole queue', () => {
    const r = run(100_000, 1, 0.001);
    const w = new Target(1);
    fill(r, [w], 0, 0, () => {});
    expect(w.pending).toBe(Math.ceil(LOOKAHEAD_MS / 0.001));
    expect(r.queue.queued).toBe(100_000 - w.pending);
  });

  it('shares a short queue out one chunk per worker per round', () => {
    const r = run(6, 1, 1);
    const workers = [new Target(1), new Target(2), new Target(3)];
    const order: number[] = [];
    fill(r, workers, 0, 0, (t) => order.push(t.id));
    expect(order).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('keeps a chunk for each worker still starting, so a cold pool shares the run', () => {
    const r = run(32 * 625, 625, 0.001);
    const first = new Target(1);
    fill(r, [first], 0, 7, () => {});
    expect(r.queue.queued).toBeGreaterThanOrEqual(7 * 625);
    // When a starting worker comes up it finds its chunk.
    for (let k = 0; k < 40; k++) {
      first.pending = 0;
      fill(r, [first], k, 7, () => {});
    }
    expect(r.queue.queued).toBe(7 * 625);
    const late = new Target(2);
    fill(r, [late], 50, 6, () => {});
    expect(late.chunks).toEqual([[r.queue.total - 7 * 625, 625]]);
  });

  it('never gives a worker more than its recycling limit allows', () => {
    const r = run(10, 4, 0.001);
    const w = new Target(1, 3);
    fill(r, [w], 0, 0, () => {});
    expect(w.chunks).toEqual([[0, 3]]);
  });
});
