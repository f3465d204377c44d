/**
 * The queued tasks of one run, as ranges of task ids: the untouched tail is a
 * cursor (a million tasks are one number, not a million objects) and tasks
 * that came back — given back by a retiring worker or left by a dead one — sit
 * in front of it, in task order, so they run next.
 */
export class RunQueue {
  private cursor = 0;
  /** Returned ranges as [first, count], sorted by first, never overlapping. */
  private readonly returned: [number, number][] = [];
  queued: number;

  constructor(readonly total: number) {
    this.queued = total;
  }

  get empty(): boolean {
    return this.queued === 0;
  }

  /** The first task of what the last `take` returned. */
  taken = 0;

  /**
   * Takes up to `size` contiguous queued tasks, lowest ids first, and returns
   * how many (0 when none is queued); the first of them is `taken`. No array is
   * made: at chunksize 1 this runs once per task.
   */
  take(size: number): number {
    if (this.queued === 0 || size <= 0) return 0;
    const head = this.returned[0];
    let first: number;
    let count: number;
    if (head) {
      first = head[0];
      count = Math.min(size, head[1]);
      if (count === head[1]) this.returned.shift();
      else {
        head[0] += count;
        head[1] -= count;
      }
    } else {
      first = this.cursor;
      count = Math.min(size, this.total - this.cursor);
      this.cursor += count;
    }
    this.queued -= count;
    this.taken = first;
    return count;
  }

  /** Puts tasks back in front of the untouched tail. */
  giveBack(first: number, count: number): void {
    if (count <= 0) return;
    if (first < 0 || first + count > this.cursor) throw new RangeError(`tasks ${first}+${count} were never taken`);
    let lo = 0;
    let hi = this.returned.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.returned[mid][0] < first) lo = mid + 1;
      else hi = mid;
    }
    this.returned.splice(lo, 0, [first, count]);
    this.queued += count;
  }

  /** Every queued task, as ranges, removed from the queue. */
  drain(): [first: number, count: number][] {
    const ranges = this.returned.splice(0);
    if (this.cursor < this.total) ranges.push([this.cursor, this.total - this.cursor]);
    this.cursor = this.total;
    this.queued = 0;
    return ranges;
  }
}
