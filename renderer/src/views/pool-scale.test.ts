import { describe, expect, it } from 'vitest';
import { nearestPosition, poolPositions, USEFUL_SHARE } from './pool-scale';

describe('poolPositions', () => {
  it('gives 1 … 2×cores most of the track, evenly, and the rest to larger pools', () => {
    const p = poolPositions(1, 64, 2);
    expect(p).toHaveLength(64);
    expect(p[0]).toBe(0);
    expect(p[3]).toBeCloseTo(USEFUL_SHARE); // 4 workers = 2×cores
    expect(p[63]).toBeCloseTo(1);
    // Even steps in the useful range: a quarter of the track each on 2 cores.
    expect(p[1] - p[0]).toBeCloseTo(p[2] - p[1]);
    expect(p[1] - p[0]).toBeCloseTo(0.25);
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThan(p[i - 1]);
  });

  it('is linear where twice the cores reaches the maximum', () => {
    const p = poolPositions(1, 64, 32);
    expect(p[31]).toBeCloseTo(31 / 63);
  });

  it('finds the size under a position', () => {
    const p = poolPositions(1, 64, 2);
    expect(nearestPosition(p, 0.5) + 1).toBe(3);
    expect(nearestPosition(p, 1) + 1).toBe(64);
    expect(nearestPosition(p, 0.8) + 1).toBeGreaterThan(4);
  });
});
