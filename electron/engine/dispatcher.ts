/**
 * How work is shared out. A worker holds beyond the task it is on only what
 * hides the trip to it and back: while what it holds would run out within
 * LOOKAHEAD_MS it gets another chunk, so tiny tasks stream and a long chunk is
 * followed by the next only when the worker is about to need it — as in
 * Python's Pool, where a worker takes its next chunk when it has finished one.
 * Chunks go out one per worker per round, and while workers of the pool are
 * still starting a chunk is kept for each, so a run started on a cold pool is
 * shared out as they come up.
 */
import type { RunQueue } from './run-queue';

/**
 * Held work that would run out sooner than this gets topped up. Workers report
 * every 4 ms while busy and the round trip costs a fraction of a millisecond,
 * so this covers both with room to spare.
 */
export const LOOKAHEAD_MS = 10;

/** What the dispatcher needs of a worker. */
export interface DispatchTarget {
  readonly id: number;
  /** Tasks held and not settled (the current one included). */
  readonly pending: number;
  /** How long what it holds should keep it busy, given a task time (less what its current task has done). */
  heldMs(taskMs: number, now: number): number;
  /** Tasks it may still take before recycling (Infinity without a limit). */
  readonly room: number;
  take(first: number, count: number, at: number): void;
}

export interface DispatchRun {
  readonly queue: RunQueue;
  readonly chunksize: number;
  /** Estimated milliseconds per task. */
  readonly taskMs: number;
}

/**
 * Tops up each target's holding, one chunk per target per round. `reserved`
 * chunks stay queued for workers still starting. Calls `dispatched` for what
 * each target is handed: one chunk, or (plenty queued) consecutive chunks of
 * `chunksize` at once.
 */
export function fill(
  run: DispatchRun,
  targets: readonly DispatchTarget[],
  at: number,
  reserved: number,
  dispatched: (target: DispatchTarget, first: number, count: number) => void,
): void {
  const { queue, chunksize } = run;
  const taskMs = Math.max(run.taskMs, 1e-4);
  const keep = reserved * chunksize;
  const open = targets.filter((t) => t.room > 0 && wants(t, taskMs, at));
  if (open.length === 0) return;
  // Plenty queued: each worker gets what it wants in one go, so its chunks are contiguous
  // (cheap to send and to hold). Fairness only matters when there is not enough to go round.
  const want = open.map((t) => Math.min(t.room, Math.ceil((LOOKAHEAD_MS - t.heldMs(taskMs, at)) / taskMs) || 1));
  let total = 0;
  for (const w of want) total += Math.ceil(w / chunksize) * chunksize;
  if (queue.queued - keep >= total) {
    // Whole chunks at once: one queue take, one hand-over and one frame row per run of them.
    open.forEach((target, k) => {
      for (let left = Math.ceil(want[k] / chunksize) * chunksize; left > 0;) {
        const count = queue.take(Math.min(left, target.room));
        if (count === 0) return;
        target.take(queue.taken, count, at);
        dispatched(target, queue.taken, count);
        left -= count;
      }
    });
    return;
  }
  rounds: while (open.length > 0) {
    let still = 0;
    for (const target of open) {
      const size = Math.min(chunksize, target.room);
      // Whole chunks only: the reserve is never cut into.
      if (queue.queued - keep < (keep > 0 ? size : 1)) break rounds;
      const count = queue.take(size);
      if (count === 0) break rounds;
      target.take(queue.taken, count, at);
      dispatched(target, queue.taken, count);
      if (target.room > 0 && wants(target, taskMs, at)) open[still++] = target;
    }
    open.length = still;
  }
}

/** Whether what it holds would run out within the lookahead. */
export function wants(target: DispatchTarget, taskMs: number, now: number): boolean {
  return target.pending === 0 || target.heldMs(taskMs, now) < LOOKAHEAD_MS;
}
