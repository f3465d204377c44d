/**
 * A run's statistics from its TaskStore, in O(lanes): every figure comes from
 * figures.ts, so the CLI, the Live view and the teaching views agree.
 */
import * as figures from './figures';
import type { TaskStore } from './task-store';

export interface WorkerStats {
  worker: number;
  number: number;
  pid: number | null;
  tasksDone: number;
  busyMs: number;
  cpuMs: number;
  coreWaitMs: number;
  /** How long it was in the pool during the run. */
  inPoolMs: number;
  /** Busy time over its time in the pool, 0…1. */
  utilisation: number;
}

/** Why a figure is missing, where it is: said on screen instead of a made-up number. */
export type Unavailable = { unavailable: string };

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
  /** Σ task wall time. */
  taskMs: number;
  /** Σ task CPU time, or why it is unknown. */
  cpuMs: number | null;
  /** Live speedup: Σ CPU / wall (≤ cores); null when CPU time is unknown (see `missing`). */
  speedup: number | null;
  /** min(workers, cores), with workers the pool's average size over the run. */
  ideal: number;
  /** speedup / ideal. */
  efficiency: number | null;
  /** Σ time tasks waited for a core, and its share of task time; null where not measured. */
  coreWaitMs: number | null;
  coreWaitShare: number | null;
  /** GIL backend: Σ time threads waited for the lock. */
  lockWaitMs: number;
  /** Busy time of all workers over their time in the pool. */
  utilisation: number;
  /** Mean time from a chunk being sent (or its worker coming free, if later) to its first task starting; null when the source has no dispatch times. */
  dispatchLatencyMs: number | null;
  /** The most utilised worker over the mean, minus one: 0 is perfectly even. */
  loadImbalance: number;
  /** The pool's average size over the run (workers come and go). */
  averageWorkers: number;
  /** Figures that could not be measured here, with why. */
  missing: { speedup?: string; coreWait?: string; dispatchLatency?: string };
  workers: WorkerStats[];
}

/** Statistics of the store's run at time `now` (the run's end once it has finished), on a machine of `cores`. */
export function computeStats(store: TaskStore, now: number, cores: number): RunStats | null {
  const run = store.run;
  const counts = store.counts;
  if (!run || !counts) return null;
  const end = run.finishedAt ?? now;
  const elapsedMs = Math.max(0, end - run.startedAt);
  const wall = Math.max(elapsedMs, 1e-6);
  let workerMs = 0;
  let busyMs = 0;
  const workers: WorkerStats[] = [];
  for (const lane of store.lanes.values()) {
    const from = Math.max(lane.readyAt ?? lane.spawnedAt, run.startedAt);
    const to = Math.min(lane.exitedAt ?? end, end);
    const inPoolMs = Math.max(0, to - from);
    workerMs += inPoolMs;
    busyMs += lane.busyMs;
    if (lane.tasksDone + lane.tasksFailed === 0 && lane.exitedAt !== null) continue;
    workers.push({
      worker: lane.worker,
      number: lane.number,
      pid: lane.pid,
      tasksDone: lane.tasksDone,
      busyMs: lane.busyMs,
      cpuMs: lane.cpuMs,
      coreWaitMs: lane.coreWaitMs,
      inPoolMs,
      utilisation: figures.utilisation(lane.busyMs, inPoolMs),
    });
  }
  const averageWorkers = Math.max(1, workerMs / wall);
  const ideal = figures.idealSpeedup(averageWorkers, cores);
  const settled = store.orderLength;
  const missing: RunStats['missing'] = {};
  // CPU time is known only if every settled task measured it; a partial sum would undercount.
  const cpuKnown = settled > 0 && store.cpuTasks === settled;
  const source = store.run?.run.source;
  const cluster = source === 'dask' || source === 'ray' ? (source === 'dask' ? 'Dask' : 'Ray') : null;
  if (settled > 0 && !cpuKnown)
    missing.speedup = cluster
      ? `${cluster} does not report each task's CPU time`
      : 'the workers did not measure CPU time here';
  const speedup = cpuKnown ? figures.liveSpeedup(store.sumCpuMs, wall) : null;
  const waitKnown = settled > 0 && store.coreWaitTasks === settled;
  if (settled > 0 && !waitKnown)
    missing.coreWait = cluster
      ? `${cluster} reports no per-task wait; see the cores view`
      : 'waiting for a core is measured on Linux only';
  const hasDispatch = store.dispatchLatencyCount > 0;
  if (settled > 0 && !hasDispatch) missing.dispatchLatency = 'this source does not report when tasks were sent';
  return {
    elapsedMs,
    total: counts.submitted,
    done: counts.done,
    failed: counts.failed,
    cancelled: counts.cancelled,
    queued: counts.queued,
    running: counts.running,
    throughput: figures.throughput(counts.done + counts.failed, wall),
    taskMs: store.sumTaskMs,
    cpuMs: cpuKnown ? store.sumCpuMs : null,
    speedup,
    ideal,
    efficiency: speedup === null ? null : figures.efficiency(speedup, ideal),
    coreWaitMs: waitKnown ? store.sumCoreWaitMs : null,
    coreWaitShare: waitKnown ? figures.coreWaitShare(store.sumCoreWaitMs, store.sumTaskMs) : null,
    lockWaitMs: store.sumLockWaitMs,
    utilisation: figures.utilisation(busyMs, workerMs),
    dispatchLatencyMs: hasDispatch ? store.sumDispatchLatencyMs / store.dispatchLatencyCount : null,
    loadImbalance: figures.loadImbalance(workers.filter((w) => w.inPoolMs > 0).map((w) => w.utilisation)),
    averageWorkers,
    missing,
    workers,
  };
}
