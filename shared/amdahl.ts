/** Amdahl's law: the speedup on n workers of work whose serial fraction is s. */
export function amdahlSpeedup(serialFraction: number, workers: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / workers);
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
