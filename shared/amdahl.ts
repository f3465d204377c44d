import { efficiency, idealSpeedup } from './figures';

/** Amdahl's law: the speedup on n workers of work whose serial fraction is s. */
export function amdahlSpeedup(serialFraction: number, workers: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / workers);
}

/** Amdahl's law for n workers on a machine of `cores`: past the cores, more workers only take turns. */
export function amdahlOnCores(serialFraction: number, workers: number, cores: number): number {
  return amdahlSpeedup(serialFraction, idealSpeedup(workers, cores));
}

/**
 * The serial fraction that best explains measured speedups, by least squares
 * on Amdahl's law rearranged to a line through the origin:
 * 1/S − 1/n = s·(1 − 1/n). Points with n = 1 say nothing about s and drop out.
 */
export function fitSerialFraction(points: { workers: number; speedup: number }[]): number {
  let xy = 0;
  let xx = 0;
  for (const { workers, speedup } of points) {
    if (workers <= 1 || !(speedup > 0)) continue;
    const x = 1 - 1 / workers;
    const y = 1 / speedup - 1 / workers;
    xy += x * y;
    xx += x * x;
  }
  return xx > 0 ? Math.min(1, Math.max(0, xy / xx)) : 0;
}

/** A pool-size sweep's point: its measured wall time and what follows from it. */
export type SweepPoint<T extends SweepWall = SweepWall> = T & {
  /** Wall time on one worker over wall time on this many. */
  speedup: number;
  /** Speedup over its ideal, min(workers, cores): 0…1 (figures.efficiency, as every view has it). */
  efficiency: number;
  /** What Amdahl's law with the fitted serial fraction predicts on the cores this many workers can use. */
  amdahl: number;
};

export interface SweepWall {
  workers: number;
  wallMs: number;
}

/**
 * Speedup, efficiency and an Amdahl fit from a sweep's wall times. The fit uses
 * pool sizes up to the core count only: past it, speedup flattens for want of
 * cores, not because of serial work. A line through one point says nothing:
 * the fit (and its `amdahl` column) exists only from two such sizes on.
 */
export function summariseSweep<T extends SweepWall>(
  walls: T[],
  cores: number,
): { points: SweepPoint<T>[]; serialFraction: number | null } {
  if (walls.length === 0) return { points: [], serialFraction: null };
  // Without a one-worker run, assume the smallest pool scaled perfectly down to one.
  const base = walls.find((w) => w.workers === 1)?.wallMs ?? walls[0].wallMs * walls[0].workers;
  const measured = walls.map((w) => ({ ...w, speedup: base / w.wallMs }));
  const fitted = measured.filter((p) => p.workers <= cores);
  const serialFraction = new Set(fitted.map((p) => p.workers)).size >= 2 ? fitSerialFraction(fitted) : null;
  return {
    serialFraction,
    points: measured.map((p) => ({
      ...p,
      efficiency: efficiency(p.speedup, idealSpeedup(p.workers, cores)),
      amdahl: serialFraction === null ? NaN : amdahlOnCores(serialFraction, p.workers, cores),
    })),
  };
}
