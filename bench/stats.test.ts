import { describe, expect, it } from 'vitest';
import { medianRatioInterval } from './stats';

describe('medianRatioInterval', () => {
  const runs = [612, 580, 655, 701, 598, 630, 566, 690, 645, 603, 620];

  it('holds 0 when both series are the same runs', () => {
    const [lo, hi] = medianRatioInterval(runs, [...runs].reverse());
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0);
  });

  it('brackets a real slowdown and leaves 0 out when it stands out from the spread', () => {
    const [lo, hi] = medianRatioInterval(
      runs,
      runs.map((x) => x * 1.2),
    );
    expect(lo).toBeGreaterThan(5);
    expect(lo).toBeLessThan(20);
    expect(hi).toBeGreaterThan(20);
  });

  it('gives the same interval each time, so a report can be made again', () => {
    expect(
      medianRatioInterval(
        runs,
        runs.map((x) => x + 10),
      ),
    ).toEqual(
      medianRatioInterval(
        runs,
        runs.map((x) => x + 10),
      ),
    );
  });
});
