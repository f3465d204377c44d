/**
 * The Sweep view's runner: the shared sweep job (shared/jobs/sweep.ts — the
 * same one `npm run cli -- sweep` runs) through this page's API, with its points
 * and fit written to the store as they come in. The live pool is put back afterwards.
 */
import type { PoolscopeApi } from '../../../shared/api';
import { Cancelled, type Session } from '../../../shared/jobs/session';
import { sweepPoolSizes } from '../../../shared/jobs/sweep';
import { makeRunSpec } from '../../../shared/run-spec';
import type { JobTarget } from '../../../shared/jobs/steps';
import { formProblem, useApp } from '../store';
import { pythonRequestFor } from '../views/python-form';
import { JobMachineMeter } from '../machine-load';
import { ProgressTicker } from './progress';

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
    if (state.teachBusy || formProblem(state.problems.sweep)) return;
    const { settings } = state.sweep;
    const cores = state.host?.cores ?? 1;
    const maxSize = settings.maxSize ?? 2 * cores;
    const sizes = Array.from({ length: maxSize }, (_, i) => i + 1);
    const { workload, costMs, tasks, backend } = settings;
    const spec = makeRunSpec({ workload, costMs, tasks, backend, chunksize: 1, mode: 'map' }, cores);
    let target: JobTarget = { kind: 'engine', spec };
    if (settings.target === 'python') {
      // Every size overrides the program's pools; the Live view's boxes say which program, with which arguments.
      const made = pythonRequestFor({ ...state.python, useSlider: true }, 1);
      if (!made.ok) return;
      target = { kind: 'python', request: made.request };
    }
    const abort = (this.abort = new AbortController());
    const patch = useApp.getState().patchSweep;
    const total = target.kind === 'engine' ? tasks * sizes.length : 0;
    const ticker = new ProgressTicker(this.session, total, (progress) => patch({ progress }));
    // The machine beside each run: what makes a measurement noisy.
    const meter = new JobMachineMeter();
    const offFrames = this.api.onFrame(meter.onFrame);
    state.setTeachBusy('sweep');
    patch({ status: 'running', points: [], serialFraction: null, cores, machine: {}, error: null });
    try {
      await sweepPoolSizes({ api: this.api, session: this.session, signal: abort.signal }, target, sizes, cores, {
        phase: (label) => ticker.phase(label),
        runStarted: (runId) => {
          ticker.runStarted(runId);
          meter.runStarted(runId);
        },
        runFinished: (n) => {
          ticker.runFinished(n);
          const measured = meter.runFinished();
          if (measured) patch({ machine: { ...useApp.getState().sweep.machine, [measured.runId]: measured.load } });
        },
        measured: (result) => patch(result),
      });
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
      const live = useApp.getState().spec;
      void this.api.configure(live.poolSize, live.backend);
    }
  }
}
