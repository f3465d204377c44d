import { describe, expect, it } from 'vitest';
import { compareEstimateMs, parallelism, sweepEstimateMs } from './estimate';

describe('estimates', () => {
  it('counts CPU-bound work on the cores, GIL threads one at a time, and waits on every worker', () => {
    expect(parallelism('process', 8, 2, true)).toBe(2);
    expect(parallelism('gil', 8, 2, true)).toBe(1);
    expect(parallelism('gil', 8, 2, false)).toBe(8);
    expect(parallelism('serial', 8, 2, false)).toBe(1);
  });

  it('adds up a comparison and a sweep', () => {
    // 40 × 20 ms: serial 800 ms, processes 400 ms, each plus its start-up.
    expect(compareEstimateMs({ costMs: 20, cpuBound: true }, 40, 2, 2, ['serial', 'process'])).toBe(
      300 + 800 + 400 + 400,
    );
    const sweep = sweepEstimateMs({ costMs: 10, cpuBound: true }, 100, 4, 2, 'process');
    expect(sweep).toBe(4 * 400 + 1000 + 500 + 500 + 500);
    // A million tasks of 20 ms is hours, which is what the hint must say.
    expect(compareEstimateMs({ costMs: 20, cpuBound: true }, 1_000_000, 2, 2, ['process'])).toBeGreaterThan(
      2 * 3_600_000,
    );
  });
});
