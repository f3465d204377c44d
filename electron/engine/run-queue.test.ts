import { describe, expect, it } from 'vitest';
import { RunQueue } from './run-queue';

describe('RunQueue', () => {
  it('hands out contiguous tasks and puts given-back ones in front, in task order', () => {
    const queue = new RunQueue(10);
    expect([queue.take(4), queue.taken]).toEqual([4, 0]);
    expect([queue.take(4), queue.taken]).toEqual([4, 4]);
    queue.giveBack(6, 2);
    queue.giveBack(2, 2);
    expect(queue.queued).toBe(6);
    expect([queue.take(3), queue.taken]).toEqual([2, 2]);
    expect([queue.take(3), queue.taken]).toEqual([2, 6]);
    expect([queue.take(3), queue.taken]).toEqual([2, 8]);
    expect(queue.take(3)).toBe(0);
    expect(queue.empty).toBe(true);
  });

  it('refuses back what it never handed out, and drains what is left as ranges', () => {
    const queue = new RunQueue(10);
    queue.take(3);
    expect(() => queue.giveBack(5, 2)).toThrow(RangeError);
    queue.giveBack(1, 2);
    expect(queue.drain()).toEqual([
      [1, 2],
      [3, 7],
    ]);
    expect(queue.queued).toBe(0);
  });
});
