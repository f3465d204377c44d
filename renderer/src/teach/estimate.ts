/**
 * About how long a comparison or a sweep will take, from its settings: shown
 * where the task count is chosen, so a limit that bites is a duration the user
 * sees, not a number they hit.
 */
import type { Backend } from '../../../shared/run-spec';

/** Starting a fresh pool and tearing it down: roughly what a process pool costs (threads less, a cluster more). */
const STARTUP_MS: Record<Backend, number> = { process: 400, thread: 250, gil: 250, serial: 300, dask: 3000, ray: 5000 };

/** How many tasks run at once: CPU-bound work needs a core each (GIL threads take turns); waiting needs none. */
export function parallelism(backend: Backend, workers: number, cores: number, cpuBound: boolean): number {
  if (backend === 'serial') return 1;
  if (!cpuBound) return Math.max(1, workers);
  return backend === 'gil' ? 1 : Math.max(1, Math.min(workers, cores));
}

function runMs(
  tasks: number,
  costMs: number,
  backend: Backend,
  workers: number,
  cores: number,
  cpuBound: boolean,
): number {
  return STARTUP_MS[backend] + (tasks * costMs) / parallelism(backend, workers, cores, cpuBound);
}

/** A comparison: each backend on a fresh pool, one after another. */
export function compareEstimateMs(
  work: { costMs: number; cpuBound: boolean },
  tasks: number,
  poolSize: number,
  cores: number,
  backends: readonly Backend[],
): number {
  return backends.reduce(
    (sum, b) => sum + runMs(tasks, work.costMs, b, b === 'serial' ? 1 : poolSize, cores, work.cpuBound),
    0,
  );
}

/** A sweep: every pool size from 1 to `maxSize`, on one pool resized between runs. */
export function sweepEstimateMs(
  work: { costMs: number; cpuBound: boolean },
  tasks: number,
  maxSize: number,
  cores: number,
  backend: Backend,
): number {
  let sum = 0;
  for (let n = 1; n <= maxSize; n++) sum += runMs(tasks, work.costMs, backend, n, cores, work.cpuBound);
  return sum;
}
