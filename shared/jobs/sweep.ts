/**
 * "How many workers?", measured: one run at each pool size on the same pool,
 * resized between runs (each size waits until exactly that many workers are
 * ready), with speedup against one worker and an Amdahl fit. The CLI's `sweep`
 * and the Sweep view both call this.
 */
import { summariseSweep, type SweepPoint } from '../amdahl';
import type { JobHooks } from './compare';
import { createPool, runToEnd, type JobTarget, type StepContext } from './steps';

export type SweepRunPoint = SweepPoint<{ workers: number; runId: number; wallMs: number }>;

export interface SweepResult {
  points: SweepRunPoint[];
  /** The fitted serial fraction; null until two pool sizes up to the core count are measured. */
  serialFraction: number | null;
}

export interface SweepHooks extends JobHooks {
  /** The sweep so far, after each pool size. */
  measured?(result: SweepResult): void;
}

/**
 * Runs the target at each pool size: the engine's workload on its pool resized
 * in between, or a Python program with every pool it creates sized so
 * (POOLSCOPE_PROCESSES).
 */
export async function sweepPoolSizes(
  ctx: StepContext,
  target: JobTarget,
  sizes: readonly number[],
  cores: number,
  hooks: SweepHooks = {},
): Promise<SweepResult> {
  const walls: { workers: number; runId: number; wallMs: number }[] = [];
  let result: SweepResult = { points: [], serialFraction: null };
  for (const workers of sizes) {
    const name = `${workers} worker${workers === 1 ? '' : 's'}`;
    let run: JobTarget;
    if (target.kind === 'engine') {
      hooks.phase?.(`${name}: sizing the pool`);
      await createPool(ctx, workers, target.spec.backend);
      run = { kind: 'engine', spec: { ...target.spec, poolSize: workers } };
    } else run = { kind: 'python', request: { ...target.request, processes: workers } };
    hooks.phase?.(`${name}: running`);
    const { entry } = await runToEnd(ctx, run, 'sweep', name, (runId) => hooks.runStarted?.(runId));
    hooks.runFinished?.(entry.tasks);
    if (entry.status !== 'completed') throw new Error(`the run on ${name} ${entry.status}`);
    walls.push({ workers, runId: entry.runId, wallMs: (entry.finishedAt ?? entry.startedAt) - entry.startedAt });
    result = summariseSweep(walls, cores);
    hooks.measured?.(result);
  }
  return result;
}
