/**
 * What the Run, Pause and Cancel buttons and the pool-size slider do to the live
 * pool — one implementation, which the keyboard shortcuts and the desktop app's
 * menu call too, so a key does exactly what its button does.
 */
import type { CommandResult, PoolscopeApi } from '../../../shared/api';
import type { CancelRunning } from '../../../shared/commands';
import { LIMITS } from '../../../shared/run-spec';
import { formProblem, useApp } from '../store';
import { useRuntime } from './runtime';

/** Reports a refused command as a toast; returns whether it succeeded. */
export function report(title: string, result: CommandResult<unknown>): boolean {
  if (!result.ok) useApp.getState().notify({ tone: 'error', title, message: result.message });
  return result.ok;
}

export interface PoolCommands {
  run(): void;
  /** Pauses or resumes handing out queued tasks. */
  togglePause(): void;
  cancel(running: CancelRunning): void;
  /** Shows the new size at once and resizes the live pool shortly after, so a sliding thumb sends one resize. */
  setPoolSize(poolSize: number): void;
  resizeBy(delta: number): void;
}

const RESIZE_DEBOUNCE_MS = 120;
const created = new WeakMap<PoolscopeApi, PoolCommands>();

export function poolCommands(api: PoolscopeApi): PoolCommands {
  const existing = created.get(api);
  if (existing) return existing;
  let resizeTimer: ReturnType<typeof setTimeout> | null = null;
  const setPoolSize = (poolSize: number) => {
    useApp.getState().setSpec({ poolSize });
    if (resizeTimer) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      resizeTimer = null;
      void api.resize(poolSize).then((r) => report('Could not resize the pool', r));
    }, RESIZE_DEBOUNCE_MS);
  };
  const commands: PoolCommands = {
    run: () => {
      // A box showing something it refuses blocks the run: running its last valid value instead would be a lie.
      const problem = formProblem(useApp.getState().problems.live);
      if (problem) {
        useApp.getState().notify({ tone: 'error', title: 'Could not start the run', message: problem });
        return;
      }
      void api.start(useApp.getState().spec).then((r) => report('Could not start the run', r));
    },
    togglePause: () => {
      // The live pool's state, also while a replay fills the panels.
      const paused = useApp.getState().liveRun.paused;
      void (paused ? api.resume() : api.pause()).then((r) =>
        report(paused ? 'Could not resume' : 'Could not pause', r),
      );
    },
    cancel: (running) => void api.cancel(running).then((r) => report('Could not cancel', r)),
    setPoolSize,
    resizeBy: (delta) => {
      const { spec } = useApp.getState();
      if (spec.backend === 'serial') return;
      const size = Math.min(LIMITS.poolSize.max, Math.max(LIMITS.poolSize.min, spec.poolSize + delta));
      if (size !== spec.poolSize) setPoolSize(size);
    },
  };
  created.set(api, commands);
  return commands;
}

export function usePoolCommands(): PoolCommands {
  return poolCommands(useRuntime().api);
}
