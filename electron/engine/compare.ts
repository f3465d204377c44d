/**
 * Measured answers to "processes or threads?" and "how many workers?": the same
 * run on several backends, or at several pool sizes, each on a fresh pool so
 * start-up cost is measured too.
 */
import { availableParallelism } from 'node:os';
import { summariseSweep, type SweepPoint } from '../../shared/amdahl';
import type { Backend, RunSpec } from '../../shared/run-spec';
import { now } from './clock';
import type { Launcher } from './launcher';
import { Pool, type RunResult } from './pool';
import { ProcSampler } from './sampler';

export interface MeasureOptions {
  launcher: Launcher;
  workerEntry: string;
  /** Called with each run's result, e.g. to keep its timeline. */
  onRun?: (label: string, result: RunResult) => void;
}

export interface BackendMeasurement {
  backend: Backend;
  workers: number;
  /** From creating the pool until every worker said it is ready. */
  startupMs: number;
  wallMs: number;
  /** Serial wall time over this one's (Σ task time / wall when serial was not measured). */
  speedup: number;
  /** Resident memory per worker just after start-up (Linux only). */
  rssPerWorkerBytes: number | null;
  failed: number;
}

/** Runs `spec` on each backend in turn, serial first so the others' speedups are against it. */
export async function compareBackends(
  spec: RunSpec,
  backends: readonly Backend[],
  options: MeasureOptions,
): Promise<BackendMeasurement[]> {
  const ordered = [...backends].sort((a, b) => Number(b === 'serial') - Number(a === 'serial'));
  const measured: BackendMeasurement[] = [];
  let serialWall: number | null = null;
  for (const backend of ordered) {
    const runSpec = { ...spec, backend, poolSize: backend === 'serial' ? 1 : spec.poolSize };
    const t0 = now();
    const pool = new Pool({
      launcher: options.launcher,
      workerEntry: options.workerEntry,
      poolSize: runSpec.poolSize,
      backend,
    });
    try {
      await pool.ready();
      const startupMs = now() - t0;
      const rssPerWorkerBytes = await memoryPerWorker(pool);
      const result = await pool.start(runSpec).finished;
      options.onRun?.(backend, result);
      const wallMs = result.finishedAt - result.startedAt;
      if (backend === 'serial') serialWall = wallMs;
      measured.push({
        backend,
        workers: runSpec.poolSize,
        startupMs,
        wallMs,
        speedup: serialWall !== null ? serialWall / wallMs : 1,
        rssPerWorkerBytes,
        failed: result.counts.failed,
      });
    } finally {
      await pool.close();
    }
  }
  return measured;
}

/** Distinct processes' RSS over the number of workers: threads share their host's. */
async function memoryPerWorker(pool: Pool): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const workers = pool.workerPids();
  const samples = await new ProcSampler().sample(workers);
  const byPid = new Map(samples.map((s) => [s.pid, s.rssBytes]));
  const total = [...byPid.values()].reduce((a, b) => a + b, 0);
  return workers.length > 0 ? total / workers.length : null;
}

export interface Sweep {
  points: SweepPoint[];
  serialFraction: number;
}

/** Runs `spec` at each pool size on one pool, resized between runs. */
export async function sweepPoolSizes(spec: RunSpec, sizes: readonly number[], options: MeasureOptions): Promise<Sweep> {
  const pool = new Pool({
    launcher: options.launcher,
    workerEntry: options.workerEntry,
    poolSize: sizes[0],
    backend: spec.backend,
  });
  const walls: { workers: number; wallMs: number }[] = [];
  try {
    for (const workers of sizes) {
      pool.resize(workers);
      await pool.ready();
      const result = await pool.start({ ...spec, poolSize: workers }).finished;
      options.onRun?.(`${workers} workers`, result);
      walls.push({ workers, wallMs: result.finishedAt - result.startedAt });
    }
  } finally {
    await pool.close();
  }
  return summariseSweep(walls, availableParallelism());
}
