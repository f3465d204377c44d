/**
 * One definition of each figure Poolscope shows (DESIGN §3, "What the figures
 * mean"). The CLI, the Live view, Compare, Sweep and History all call these;
 * none computes a figure of its own.
 */

/**
 * Live speedup: Σ task CPU time / wall time — how many cores' worth of work ran
 * at once. Measured on CPU, not task wall time, so it cannot exceed the cores:
 * a task that waits for a core takes longer but uses no more CPU.
 */
export function liveSpeedup(cpuMs: number, wallMs: number): number {
  return wallMs > 0 ? Math.max(0, cpuMs) / wallMs : 0;
}

/** What the live speedup is held against: one core per worker, up to the cores there are. */
export function idealSpeedup(workers: number, cores: number): number {
  return Math.max(1, Math.min(workers, cores));
}

/** Speedup over its ideal, 0…1 (a little over 1 only by measurement noise). */
export function efficiency(speedup: number, ideal: number): number {
  return ideal > 0 ? speedup / ideal : 0;
}

/** Wall speedup: a measured serial run of the same work over this run's wall time. */
export function wallSpeedup(serialWallMs: number, wallMs: number): number {
  return wallMs > 0 ? serialWallMs / wallMs : 0;
}

/** A worker's utilisation: its task time over the time it was in the pool, 0…1. */
export function utilisation(taskMs: number, inPoolMs: number): number {
  return inPoolMs > 0 ? Math.min(1, Math.max(0, taskMs / inPoolMs)) : 0;
}

/** The share of task time spent runnable but waiting for a core: oversubscription's cost, 0…1. */
export function coreWaitShare(coreWaitMs: number, taskMs: number): number {
  return taskMs > 0 ? Math.min(1, Math.max(0, coreWaitMs / taskMs)) : 0;
}

/**
 * Load imbalance: the busiest worker's utilisation over the mean, minus one
 * (0 is perfectly even). Utilisation is measured over each worker's own time in
 * the pool, so a worker that joined late is not counted as idle before it came.
 */
export function loadImbalance(utilisations: readonly number[]): number {
  if (utilisations.length === 0) return 0;
  let sum = 0;
  let max = 0;
  for (const u of utilisations) {
    sum += u;
    if (u > max) max = u;
  }
  const mean = sum / utilisations.length;
  return mean > 0 ? max / mean - 1 : 0;
}

/** Throughput: settled tasks per second of wall time. */
export function throughput(settled: number, wallMs: number): number {
  return wallMs > 0 ? settled / (wallMs / 1000) : 0;
}

/** Memory per worker: distinct processes' resident memory over the workers (threads share their process's). */
export function memoryPerWorker(samples: readonly { pid: number; rssBytes: number }[], workers: number): number | null {
  if (workers <= 0 || samples.length === 0) return null;
  const byPid = new Map<number, number>();
  for (const s of samples) byPid.set(s.pid, s.rssBytes);
  let total = 0;
  for (const rss of byPid.values()) total += rss;
  return total / workers;
}
