/**
 * What the Run, Pause and Cancel buttons and the pool-size slider do to the live
 * pool — one implementation, which the keyboard shortcuts and the desktop app's
 * menu call too, so a key does exactly what its button does.
 */
import type { CommandResult, PoolscopeApi } from '../../../shared/api';
import type { CancelRunning } from '../../../shared/commands';
import { LIMITS, isClusterBackend, type Backend, type ClusterBackend } from '../../../shared/run-spec';
import { formProblem, useApp } from '../store';
import { pythonRequestFor } from '../views/python-form';
import { useRuntime } from './runtime';

/** Reports a refused command as a toast; returns whether it succeeded. */
export function report(title: string, result: CommandResult<unknown>): boolean {
  if (!result.ok) useApp.getState().notify({ tone: 'error', title, message: result.message });
  return result.ok;
}

/** How the UI names a backend. */
export const BACKEND_NAMES: Record<Backend, string> = {
  process: 'process',
  thread: 'thread',
  gil: 'GIL',
  serial: 'serial',
  dask: 'Dask',
  ray: 'Ray',
};

/**
 * A command that may take seconds because a local cluster starts or scales
 * (Dask ~2 s, Ray ~10 s): the controls say what is happening while it is
 * pending, and keep the host's answer on screen when it fails — it says how
 * to install what is missing.
 */
export async function clusterCommand<T>(
  pending: string,
  failTitle: string,
  command: () => Promise<CommandResult<T>>,
): Promise<boolean> {
  const { setClusterNote } = useApp.getState();
  const note = { tone: 'pending' as const, text: pending, since: performance.now() };
  setClusterNote(note);
  const result = await command();
  // A later command's note is its own.
  if (useApp.getState().clusterNote !== note) return result.ok;
  setClusterNote(result.ok ? null : { tone: 'error', text: `${failTitle}: ${result.message}`, since: note.since });
  return report(failTitle, result);
}

/** Sizes or switches the live pool; a cluster backend's start-up is shown while it is pending. */
function configurePool(api: PoolscopeApi, poolSize: number, backend: Backend): void {
  if (!isClusterBackend(backend)) {
    useApp.getState().setClusterNote(null);
    void api.configure(poolSize, backend).then((r) => report('Could not switch the backend', r));
    return;
  }
  void clusterCommand(`Starting a local ${BACKEND_NAMES[backend]} cluster…`, 'Could not start the cluster', () =>
    api.configure(poolSize, backend),
  );
}

/** Follows someone else's scheduler, read-only, until Stop detaches. */
export async function attachCluster(api: PoolscopeApi, engine: ClusterBackend, address: string): Promise<boolean> {
  const { setAttachedRunId } = useApp.getState();
  let runId: number | null = null;
  const ok = await clusterCommand(
    `Connecting to the ${BACKEND_NAMES[engine]} cluster at ${address}…`,
    'Could not attach to the cluster',
    async () => {
      const result = await api.attachCluster(engine, address);
      if (result.ok) runId = result.value.runId;
      return result;
    },
  );
  setAttachedRunId(runId);
  return ok;
}

export interface PoolCommands {
  run(): void;
  /** Pauses or resumes handing out queued tasks. */
  togglePause(): void;
  cancel(running: CancelRunning): void;
  /** Shows the new size at once and resizes the live pool shortly after, so a sliding thumb sends one resize. */
  setPoolSize(poolSize: number): void;
  resizeBy(delta: number): void;
  /** Sizes and switches the live pool at once, in place of any resize still waiting to be sent. */
  configure(poolSize: number, backend: Backend): void;
}

const RESIZE_DEBOUNCE_MS = 120;
const created = new WeakMap<PoolscopeApi, PoolCommands>();

export function poolCommands(api: PoolscopeApi): PoolCommands {
  const existing = created.get(api);
  if (existing) return existing;
  let resizeTimer: ReturnType<typeof setTimeout> | null = null;
  const setPoolSize = (poolSize: number) => {
    const state = useApp.getState();
    state.setSpec({ poolSize });
    // A Python program's pools take the size at its next run; the engine's pool is not what it runs on.
    if (state.source === 'python') return;
    if (resizeTimer) clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      resizeTimer = null;
      const { backend } = useApp.getState().spec;
      if (backend === 'dask')
        void clusterCommand(`Scaling the Dask cluster to ${poolSize}…`, 'Could not scale the cluster', () =>
          api.resize(poolSize),
        );
      else void api.resize(poolSize).then((r) => report('Could not resize the pool', r));
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
      const { source, python, spec } = useApp.getState();
      useApp.getState().setAttachedRunId(null);
      if (source === 'python') {
        const made = pythonRequestFor(python, spec.poolSize);
        if (made.ok) void api.runPython(made.request).then((r) => report('Could not start the program', r));
        return;
      }
      if (isClusterBackend(spec.backend)) {
        const name = BACKEND_NAMES[spec.backend];
        void clusterCommand(`Starting the run on the local ${name} cluster…`, 'Could not start the run', () =>
          api.start(spec),
        );
        return;
      }
      void api.start(spec).then((r) => report('Could not start the run', r));
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
    configure: (poolSize, backend) => {
      // The size travels with the switch; a resize sent after it would land on the new backend.
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = null;
      configurePool(api, poolSize, backend);
    },
    resizeBy: (delta) => {
      const { spec } = useApp.getState();
      if (spec.backend === 'serial' || (useApp.getState().source === 'python' && !useApp.getState().python.useSlider))
        return;
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
