/**
 * Measures one workload on several backends, one after another, through the
 * API: close the pool and wait for the join, configure the backend and wait
 * until every worker is ready (its start-up), read memory per worker from the
 * next sample, then run and keep the run's TaskStore. Serial goes first, so the
 * others' speedups are against it. The live pool is put back afterwards.
 */
import type { PoolscopeApi } from '../../../shared/protocol';
import { BACKENDS, makeRunSpec } from '../../../shared/run-spec';
import { useApp } from '../store';
import { BACKEND_INFO, COMPARE_PRESETS } from './compare-model';
import { closePool, createPool, joinPool, memoryPerWorker, runToEnd, type StepContext } from './pool-steps';
import { ProgressTicker } from './progress';
import { Cancelled, type Session } from './session';
import type { CompareRow } from './teach-slice';

export class CompareRunner {
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
    const { settings } = state.compare;
    const cores = state.host?.cores ?? 1;
    const poolSize = settings.poolSize ?? cores;
    const spec = makeRunSpec({ ...COMPARE_PRESETS[settings.preset].spec, tasks: settings.tasks, mode: 'map' }, cores);
    // Serial first: the baseline the others are measured against.
    const backends = [...BACKENDS]
      .filter((b) => settings.backends.includes(b))
      .sort((a, b) => Number(b === 'serial') - Number(a === 'serial'));
    const vsSerial = backends.includes('serial');
    const abort = (this.abort = new AbortController());
    const ctx: StepContext = { api: this.api, session: this.session, signal: abort.signal };
    const patch = useApp.getState().patchCompare;
    const ticker = new ProgressTicker(this.session, spec.tasks * backends.length, (progress) => patch({ progress }));
    state.setTeachBusy('compare');
    patch({
      status: 'running',
      rows: [],
      error: null,
      measured: { preset: settings.preset, poolSize, cores, tasks: spec.tasks, vsSerial },
    });
    const rows: CompareRow[] = [];
    let serialWall: number | null = null;
    try {
      for (const backend of backends) {
        const name = BACKEND_INFO[backend].name;
        const workers = backend === 'serial' ? 1 : poolSize;
        // A fresh pool for each, so its start-up is measured.
        ticker.phase(`${name}: closing the previous pool`);
        await joinPool(ctx, await closePool(ctx));
        ticker.phase(`${name}: starting ${workers} worker${workers === 1 ? '' : 's'}`);
        const pool = await createPool(ctx, workers, backend);
        ticker.phase(`${name}: measuring memory`);
        const rssPerWorkerBytes = await memoryPerWorker(ctx, pool.workers, pool.readyAt);
        ticker.phase(`${name}: running ${spec.tasks} tasks`);
        const { entry, store } = await runToEnd(
          ctx,
          { ...spec, backend, poolSize: workers },
          'compare',
          name,
          (runId) => ticker.runStarted(runId),
        );
        ticker.runFinished(spec.tasks);
        if (entry.status !== 'completed') throw new Error(`the ${name} run ${entry.status}`);
        const wallMs = (entry.finishedAt ?? entry.startedAt) - entry.startedAt;
        if (backend === 'serial') serialWall = wallMs;
        rows.push({
          backend,
          runId: entry.runId,
          workers,
          wallMs,
          speedup: serialWall !== null ? serialWall / wallMs : (entry.stats?.speedup ?? 0),
          startupMs: pool.readyAt - pool.requestedAt,
          rssPerWorkerBytes,
          failed: entry.stats?.failed ?? 0,
          store,
        });
        patch({ rows: [...rows] });
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
      // Back to the pool the live controls describe.
      const live = useApp.getState().spec;
      void this.api.configure(live.poolSize, live.backend);
    }
  }
}
