/**
 * A sweep's measurements as speedup, efficiency and an Amdahl fit. The fit uses
 * pool sizes up to the core count only: past it, speedup flattens for want of
 * cores, not because of serial work.
 */
import { amdahlSpeedup, fitSerialFraction } from '../../../shared/amdahl';
import type { SweepPoint } from './teach-slice';

export interface SweepWall {
  workers: number;
  runId: number;
  wallMs: number;
}

export function summariseSweep(walls: SweepWall[], cores: number): { points: SweepPoint[]; serialFraction: number } {
  if (walls.length === 0) return { points: [], serialFraction: 0 };
  // Without a one-worker run, assume the smallest pool scaled perfectly down to one.
  const base = walls.find((w) => w.workers === 1)?.wallMs ?? walls[0].wallMs * walls[0].workers;
  const measured = walls.map((w) => ({ ...w, speedup: base / w.wallMs }));
  const serialFraction = fitSerialFraction(measured.filter((p) => p.workers <= cores));
  return {
    serialFraction,
    points: measured.map((p) => ({
      ...p,
      efficiency: p.speedup / p.workers,
      amdahl: amdahlSpeedup(serialFraction, p.workers),
    })),
  };
}
