import type { TaskStore } from './task-store';

export interface WorkerStats {
  worker: number;
  pid: number | null;
  tasksDone: number;
  busyMs: number;
  /** Busy time over the run's wall time so far, 0…1. */
  utilisation: number;
}

export interface RunStats {
  elapsedMs: number;
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  queued: number;
  running: number;
  /** Settled tasks per second of wall time. */
  throughput: number;
  /** Σ task time (less GIL waits) / wall time: how many cores' worth of work ran at once, on average. */
  speedup: number;
  /** Speedup per worker (the pool's average size over the run), 0…1. */
  efficiency: number;
  /** Busy time of all workers over (workers × wall). */
  utilisation: number;
  /** Mean time from a chunk being sent (or its worker coming free, if later) to its first task starting. */
  dispatchLatencyMs: number;
  /** The busiest worker's busy time over the mean, minus one: 0 is perfectly even. */
  loadImbalance: number;
  workers: WorkerStats[];
}

/** Statistics of the store's run at time `now` (the run's end once it has finished). */
export function computeStats(store: TaskStore, now: number): RunStats | null {
  const run = store.run;
  const counts = store.counts;
  if (!run || !counts) return null;
  const end = run.finishedAt ?? now;
  const elapsedMs = Math.max(0, end - run.startedAt);
  const wall = Math.max(elapsedMs, 1e-6);
  const lanes = store.laneList().filter((lane) => lane.tasksDone > 0 || lane.busyMs > 0 || lane.exitedAt === null);
  const workers = lanes.map((lane) => ({
    worker: lane.worker,
    pid: lane.pid,
    tasksDone: lane.tasksDone,
    busyMs: lane.busyMs,
    utilisation: Math.min(1, lane.busyMs / wall),
  }));
  // The pool may have grown or shrunk during the run: measure against the workers it really had.
  let workerMs = 0;
  for (const lane of store.laneList()) {
    const from = Math.max(lane.readyAt ?? lane.spawnedAt, run.startedAt);
    const to = Math.min(lane.exitedAt ?? end, end);
    workerMs += Math.max(0, to - from);
  }
  const poolSize = Math.max(1, workerMs / wall);
  // Time spent waiting for the GIL is inside tasks but is not work.
  const speedup = Math.max(0, store.sumTaskMs - store.sumLockWaitMs) / wall;
  const busy = workers.map((w) => w.busyMs);
  const meanBusy = busy.length ? busy.reduce((a, b) => a + b, 0) / busy.length : 0;
  const settled = counts.done + counts.failed;
  return {
    elapsedMs,
    total: counts.submitted,
    done: counts.done,
    failed: counts.failed,
    cancelled: counts.cancelled,
    queued: counts.queued,
    running: counts.running,
    throughput: settled / (wall / 1000),
    speedup,
    efficiency: speedup / poolSize,
    utilisation: Math.min(1, store.sumTaskMs / (wall * poolSize)),
    dispatchLatencyMs: store.dispatchLatencyCount ? store.sumDispatchLatencyMs / store.dispatchLatencyCount : 0,
    loadImbalance: meanBusy > 0 ? Math.max(...busy) / meanBusy - 1 : 0,
    workers,
  };
}
