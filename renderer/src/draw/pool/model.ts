/**
 * What the pool view knows beyond the store, kept up to date before any
 * painting: per-cell result counts (when there are more tasks than cells), a
 * cursor to the queue's head, and where each live worker is on the machine.
 */
import type { WorkerSample } from '../../../../shared/events';
import { TaskState, type Lane, type TaskStore } from '../../../../shared/task-store';

export class PoolModel {
  private runId: number | null = null;
  private processed = 0;
  private queueCursor = 0;
  private lastQueued = 0;
  bucketSize = 1;
  done = new Uint32Array(0);
  failed = new Uint32Array(0);

  /** Catches up with the store's settled tasks for a grid of `cells` cells. */
  update(store: TaskStore, cells: number): void {
    const run = store.run;
    const runId = run?.runId ?? null;
    const bucketSize = run ? Math.max(1, Math.ceil(store.size / Math.max(1, cells))) : 1;
    const buckets = run ? Math.ceil(store.size / bucketSize) : 0;
    if (runId !== this.runId || bucketSize !== this.bucketSize || store.orderLength < this.processed) {
      this.runId = runId;
      this.bucketSize = bucketSize;
      this.processed = 0;
      this.queueCursor = 0;
      this.done = new Uint32Array(buckets);
      this.failed = new Uint32Array(buckets);
    } else if (buckets > this.done.length) {
      // Tasks submitted over time (a Python program's calls) grow the grid.
      const done = new Uint32Array(buckets);
      const failed = new Uint32Array(buckets);
      done.set(this.done);
      failed.set(this.failed);
      this.done = done;
      this.failed = failed;
    }
    if (!run) return;
    const byCompletion = run.run.spec?.mode === 'imap_unordered';
    for (let k = this.processed; k < store.orderLength; k++) {
      const task = store.order[k];
      const b = Math.floor((byCompletion ? k : task) / bucketSize);
      if (store.state[task] === TaskState.failed) this.failed[b]++;
      else this.done[b]++;
    }
    this.processed = store.orderLength;
  }

  /** The next `max` queued task ids, in the order the engine will hand them out (roughly). */
  nextQueued(store: TaskStore, max: number): number[] {
    const queued = store.counts?.queued ?? 0;
    // A worker that died puts its tasks back, behind the cursor: look from the start again.
    if (queued > this.lastQueued) this.queueCursor = 0;
    this.lastQueued = queued;
    const ids: number[] = [];
    if (queued === 0) return ids;
    while (this.queueCursor < store.size && store.state[this.queueCursor] !== TaskState.queued) this.queueCursor++;
    for (let i = this.queueCursor; i < store.size && ids.length < max; i++)
      if (store.state[i] === TaskState.queued) ids.push(i);
    return ids;
  }
}

/**
 * A sampled share, 0…100. The scheduler adds a wait to its total when the wait
 * ends, so a long wait that ended within a short sample can read above 100%:
 * no worker can wait longer than the time that passed.
 */
export function shareOfSample(pct: number | null | undefined): number | null {
  return pct == null || !Number.isFinite(pct) ? null : Math.min(100, Math.max(0, pct));
}

/** One live worker in the cores view. */
export interface Placed {
  worker: number;
  number: number;
  /** CPU % of one core over the last sample. */
  cpu: number;
  /** % of the last sample it was runnable but waiting for a core; null where not measured. */
  waitingPct: number | null;
  /** Stopped (SIGSTOP, a debugger) or stalled (no progress while holding work), and for how long. */
  stuck: { state: 'stopped' | 'stalled'; ms: number } | null;
}

export interface CorePlacement {
  /** Per core: the workers that last ran there and were not mostly waiting. */
  onCore: Placed[][];
  /** Workers that spent more of the last sample waiting for a core than running on one. */
  waiting: Placed[];
  /** Live workers not sampled yet (just started), which no core can be named for. */
  unplaced: Placed[];
}

/**
 * Where each live worker is: on the core it last ran on, or waiting for one.
 * Every live worker appears exactly once. A worker counts as waiting when it
 * waited at least as long as it ran (and for at least a tenth of the sample).
 */
export function placeOnCores(lanes: Iterable<Lane>, cores: number): CorePlacement {
  const placement: CorePlacement = { onCore: Array.from({ length: cores }, () => []), waiting: [], unplaced: [] };
  for (const lane of lanes) {
    if (lane.exitedAt !== null || lane.readyAt === null) continue;
    const sample: WorkerSample | null = lane.sample;
    const placed: Placed = {
      worker: lane.worker,
      number: lane.number,
      cpu: sample?.cpu ?? 0,
      waitingPct: shareOfSample(sample?.waitingPct),
      stuck:
        sample?.stalledMs != null
          ? { state: sample.state === 'stopped' ? 'stopped' : 'stalled', ms: sample.stalledMs }
          : null,
    };
    const core = sample?.core;
    if (
      placed.stuck === null &&
      placed.waitingPct !== null &&
      placed.waitingPct >= 10 &&
      placed.waitingPct >= placed.cpu
    )
      placement.waiting.push(placed);
    else if (core != null && core >= 0 && core < cores) placement.onCore[core].push(placed);
    else placement.unplaced.push(placed);
  }
  // The longest waiters first: the run queue as the scheduler sees it.
  placement.waiting.sort((a, b) => (b.waitingPct ?? 0) - (a.waitingPct ?? 0) || a.number - b.number);
  return placement;
}
