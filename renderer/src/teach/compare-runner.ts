/**
 * The Compare view's runner: the shared compare job (shared/jobs/compare.ts —
 * the same one `npm run cli -- compare` runs) through this page's API, with its
 * progress and rows written to the store. The live pool is put back afterwards.
 */
import type { PoolscopeApi } from '../../../shared/api';
import { compareBackends, compareOrder } from '../../../shared/jobs/compare';
import { Cancelled, type Session } from '../../../shared/jobs/session';
import { makeRunSpec } from '../../../shared/run-spec';
import { formProblem, useApp } from '../store';
import { COMPARE_PRESETS } from './compare-model';
import { JobMachineMeter } from '../machine-load';
import { ProgressTicker } from './progress';

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
    if (state.teachBusy || formProblem(state.problems.compare)) return;
    const { settings } = state.compare;
    const cores = state.host?.cores ?? 1;
    const poolSize = settings.poolSize ?? cores;
    const spec = makeRunSpec(
      { ...COMPARE_PRESETS[settings.preset].spec, tasks: settings.tasks, mode: 'map', poolSize },
      cores,
    );
    const backends = compareOrder(settings.backends);
    const abort = (this.abort = new AbortController());
    const patch = useApp.getState().patchCompare;
    const ticker = new ProgressTicker(this.session, spec.tasks * backends.length, (progress) => patch({ progress }));
    // The machine beside each run: what makes a measurement noisy.
    const meter = new JobMachineMeter();
    const offFrames = this.api.onFrame(meter.onFrame);
    state.setTeachBusy('compare');
    patch({
      status: 'running',
      rows: [],
      machine: {},
      error: null,
      measured: { preset: settings.preset, poolSize, cores, tasks: spec.tasks, vsSerial: backends.includes('serial') },
    });
    try {
      await compareBackends(
        { api: this.api, session: this.session, signal: abort.signal },
        { kind: 'engine', spec },
        backends,
        cores,
        {
          phase: (label) => ticker.phase(label),
          runStarted: (runId) => {
            ticker.runStarted(runId);
            meter.runStarted(runId);
          },
          runFinished: (tasks) => {
            ticker.runFinished(tasks);
            const measured = meter.runFinished();
            if (measured) patch({ machine: { ...useApp.getState().compare.machine, [measured.runId]: measured.load } });
          },
          measured: (rows) => patch({ rows }),
        },
      );
      patch({ status: 'done' });
    } catch (error) {
      const cancelled = error instanceof Cancelled || abort.signal.aborted;
      patch({
        status: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? null : error instanceof Error ? error.message : String(error),
      });
    } finally {
      ticker.stop();
      offFrames();
      this.abort = null;
      patch({ progress: null });
      useApp.getState().setTeachBusy(null);
      // Back to the pool the live controls describe.
      const live = useApp.getState().spec;
      void this.api.configure(live.poolSize, live.backend);
    }
  }
}
