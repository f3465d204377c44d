/**
 * Runs one workload at pool sizes 1 … 2×cores on the same pool, resized between
 * runs (each size waits until exactly that many workers are ready), and fits
 * Amdahl's law to the speedups as they come in. The live pool is put back afterwards.
 */
import type { PoolscopeApi } from '../../../shared/protocol';
import { makeRunSpec } from '../../../shared/run-spec';
import { useApp } from '../store';
import { createPool, runToEnd, type StepContext } from './pool-steps';
import { ProgressTicker } from './progress';
import { Cancelled, type Session } from './session';
import { summariseSweep } from '../../../shared/amdahl';

export class SweepRunner {
  private abort: AbortController | null = null;

  constructor(
    private readonly api: PoolscopeApi,
    private readonly session: Session,
  ) {}

  cancel(): void {
    this.abort?.abort();
  }

  async run(): Promise<void> {
    const state = useApp.getState();
    if (state.teachBusy) return;
    const { settings } = state.sweep;
    const cores = state.host?.cores ?? 1;
    const maxSize = settings.maxSize ?? 2 * cores;
    const sizes = Array.from({ length: maxSize }, (_, i) => i + 1);
    const { workload, costMs, tasks, backend } = settings;
    const spec = makeRunSpec({ workload, costMs, tasks, backend, chunksize: 1, mode: 'map' }, cores);
    const abort = (this.abort = new AbortController());
    const ctx: StepContext = { api: this.api, session: this.session, signal: abort.signal };
    const patch = useApp.getState().patchSweep;
    const ticker = new ProgressTicker(this.session, tasks * sizes.length, (progress) => patch({ progress }));
    state.setTeachBusy('sweep');
    patch({ status: 'running', points: [], serialFraction: null, cores, error: null });
    const walls: { workers: number; runId: number; wallMs: number }[] = [];
    try {
      for (const workers of sizes) {
        ticker.phase(`${workers} worker${workers === 1 ? '' : 's'}: sizing the pool`);
        await createPool(ctx, workers, backend);
        ticker.phase(`${workers} worker${workers === 1 ? '' : 's'}: running ${tasks} tasks`);
        const { entry } = await runToEnd(
          ctx,
          { ...spec, poolSize: workers },
          'sweep',
          `${workers} worker${workers === 1 ? '' : 's'}`,
          (runId) => ticker.runStarted(runId),
        );
        ticker.runFinished(tasks);
        if (entry.status !== 'completed') throw new Error(`the run on ${workers} workers ${entry.status}`);
        walls.push({ workers, runId: entry.runId, wallMs: (entry.finishedAt ?? entry.startedAt) - entry.startedAt });
        patch(summariseSweep(walls, cores));
      }
      patch({ status: 'done' });
    } catch (error) {
      const cancelled = error instanceof Cancelled || abort.signal.aborted;
      patch({
        status: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? null : error instanceof Error ? error.message : String(error),
      });
    } finally {
      ticker.stop();
      this.abort = null;
      patch({ progress: null });
      useApp.getState().setTeachBusy(null);
      const live = useApp.getState().spec;
      void this.api.configure(live.poolSize, live.backend);
    }
  }
}
