import { describe, expect, it } from 'vitest';
import { amdahlSpeedup, fitSerialFraction } from './amdahl';

describe('Amdahl fit', () => {
  it('recovers the serial fraction of exact Amdahl data', () => {
    const points = [1, 2, 3, 4, 8].map((workers) => ({ workers, speedup: amdahlSpeedup(0.1, workers) }));
    expect(fitSerialFraction(points)).toBeCloseTo(0.1, 10);
  });

  it('gives 0 for perfectly parallel work and clamps nonsense', () => {
    expect(fitSerialFraction([2, 4].map((workers) => ({ workers, speedup: workers })))).toBeCloseTo(0, 10);
    expect(fitSerialFraction([{ workers: 2, speedup: 0.2 }])).toBe(1);
    expect(fitSerialFraction([{ workers: 1, speedup: 1 }])).toBe(0);
  });
});
