/**
 * Where each pool size sits on the pool-size slider. Sizes up to twice the
 * cores are the ones worth comparing, so they share most of the track evenly
 * (a few pixels a step on 1…64 would make "3 workers" hard to hit); larger
 * sizes share the rest on a log scale, still reachable by drag and by key.
 */

/** Share of the track given to 1 … 2×cores. */
export const USEFUL_SHARE = 0.75;

/** Positions (0…1) of the sizes min … max on a machine of `cores`. */
export function poolPositions(min: number, max: number, cores: number): number[] {
  const sizes = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const useful = Math.max(min + 1, Math.min(max, 2 * Math.max(1, cores)));
  if (useful >= max) return sizes.map((n) => (n - min) / Math.max(1, max - min));
  const tail = Math.log(max) - Math.log(useful);
  return sizes.map((n) =>
    n <= useful
      ? (USEFUL_SHARE * (n - min)) / (useful - min)
      : USEFUL_SHARE + ((1 - USEFUL_SHARE) * (Math.log(n) - Math.log(useful))) / tail,
  );
}

/** The stop nearest to a track position. */
export function nearestPosition(positions: readonly number[], at: number): number {
  let best = 0;
  for (let i = 1; i < positions.length; i++) if (Math.abs(positions[i] - at) < Math.abs(positions[best] - at)) best = i;
  return best;
}
