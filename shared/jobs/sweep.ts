/**
 * "How many workers?", measured: one run at each pool size on the same pool,
 * resized between runs (each size waits until exactly that many workers are
 * ready), with speedup against one worker and an Amdahl fit. The CLI's `sweep`
 * and the Sweep view both call this.
 */
import { summariseSweep, type SweepPoint } from '../amdahl';
import type { RunSpec } from '../run-spec';
import type { JobHooks } from './compare';
import { createPool, runToEnd, type StepContext } from './steps';

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

export async function sweepPoolSizes(
  ctx: StepContext,
  spec: RunSpec,
  sizes: readonly number[],
  cores: number,
  hooks: SweepHooks = {},
): Promise<SweepResult> {
  const walls: { workers: number; runId: number; wallMs: number }[] = [];
  let result: SweepResult = { points: [], serialFraction: null };
  for (const workers of sizes) {
    const name = `${workers} worker${workers === 1 ? '' : 's'}`;
    hooks.phase?.(`${name}: sizing the pool`);
    await createPool(ctx, workers, spec.backend);
    hooks.phase?.(`${name}: running ${spec.tasks} tasks`);
    const { entry } = await runToEnd(ctx, { ...spec, poolSize: workers }, 'sweep', name, (runId) =>
      hooks.runStarted?.(runId),
    );
    hooks.runFinished?.(spec.tasks);
    if (entry.status !== 'completed') throw new Error(`the run on ${name} ${entry.status}`);
    walls.push({ workers, runId: entry.runId, wallMs: (entry.finishedAt ?? entry.startedAt) - entry.startedAt });
    result = summariseSweep(walls, cores);
    hooks.measured?.(result);
  }
  return result;
}
