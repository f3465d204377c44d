/**
 * "Processes or threads?", measured: the same run on several backends, one
 * after another, each on a fresh pool so its start-up is measured too. The one
 * implementation: the CLI's `compare` and the Compare view both call this,
 * through whatever PoolscopeApi their host gives them.
 */
import { idealSpeedup, wallSpeedup } from '../figures';
import { BACKENDS, type Backend } from '../run-spec';
import { computeStats } from '../stats';
import type { TaskStore } from '../task-store';
import { closePool, createPool, joinPool, measureMemory, runToEnd, type JobTarget, type StepContext } from './steps';

export interface BackendMeasurement {
  backend: Backend;
  runId: number;
  workers: number;
  /** From asking for the pool until every worker said it is ready; null for a program (its pools start inside it). */
  startupMs: number | null;
  wallMs: number;
  /** Serial wall time over this one's, when serial was measured first; else null. */
  wallSpeedup: number | null;
  /** Σ task CPU time / wall (how many cores' worth ran at once); null where CPU time is not measured. */
  speedup: number | null;
  /** min(workers, cores): what `speedup` is held against. */
  ideal: number;
  /** Share of task time spent waiting for a core; null where not measured. */
  coreWaitShare: number | null;
  /** Resident memory per worker just after start-up (null where not sampled). */
  rssPerWorkerBytes: number | null;
  failed: number;
  /** The run's record (kept by the session's history), for drawing it. */
  store: TaskStore | null;
}

export interface JobHooks {
  /** What is happening now, e.g. "threads: starting 2 workers". */
  phase?(label: string): void;
  runStarted?(runId: number): void;
  runFinished?(tasks: number): void;
}

export interface CompareHooks extends JobHooks {
  /** Every measurement so far, after each backend. */
  measured?(rows: BackendMeasurement[]): void;
}

/** Backends in measuring order: serial first, so the others' wall speedups are against it. */
export function compareOrder(backends: readonly Backend[]): Backend[] {
  return BACKENDS.filter((b) => backends.includes(b)).sort((a, b) => Number(b === 'serial') - Number(a === 'serial'));
}

/** The backends a Python program can be compared on: its pools as written, as threads (the real GIL), serially. */
export const PYTHON_BACKENDS: readonly Backend[] = ['process', 'thread', 'serial'];

/**
 * Measures one target on each backend in turn. The engine's workload gets a
 * fresh pool per backend (its start-up and memory are measured too); a Python
 * program runs as itself with its pools made processes, threads or serial
 * (POOLSCOPE_POOL_KIND), sized `workers` — its start-up is its pools' own.
 */
export async function compareBackends(
  ctx: StepContext,
  target: JobTarget,
  backends: readonly Backend[],
  cores: number,
  hooks: CompareHooks = {},
): Promise<BackendMeasurement[]> {
  const rows: BackendMeasurement[] = [];
  let serialWall: number | null = null;
  const poolSize = target.kind === 'engine' ? target.spec.poolSize : (target.request.processes ?? cores);
  const order = compareOrder(target.kind === 'python' ? backends.filter((b) => PYTHON_BACKENDS.includes(b)) : backends);
  for (const backend of order) {
    const workers = backend === 'serial' ? 1 : poolSize;
    let startupMs: number | null = null;
    let rssPerWorkerBytes: number | null = null;
    let run: JobTarget;
    if (target.kind === 'engine') {
      // A fresh pool for each, so its start-up is measured.
      hooks.phase?.(`${backend}: closing the previous pool`);
      await joinPool(ctx, await closePool(ctx));
      hooks.phase?.(`${backend}: starting ${workers} worker${workers === 1 ? '' : 's'}`);
      const pool = await createPool(ctx, workers, backend);
      hooks.phase?.(`${backend}: measuring memory`);
      rssPerWorkerBytes = await measureMemory(ctx, pool.workers, pool.readyAt);
      startupMs = pool.readyAt - pool.requestedAt;
      run = { kind: 'engine', spec: { ...target.spec, backend, poolSize: workers } };
    } else {
      const poolKind = backend === 'process' ? 'process' : backend === 'thread' ? 'thread' : 'serial';
      run = { kind: 'python', request: { ...target.request, processes: workers, poolKind } };
    }
    hooks.phase?.(`${backend}: running`);
    const { entry, store } = await runToEnd(ctx, run, 'compare', backend, (runId) => hooks.runStarted?.(runId));
    hooks.runFinished?.(entry.tasks);
    if (entry.status !== 'completed') throw new Error(`the ${backend} run ${entry.status}`);
    const wallMs = (entry.finishedAt ?? entry.startedAt) - entry.startedAt;
    if (backend === 'serial') serialWall = wallMs;
    const stats = store ? computeStats(store, entry.finishedAt ?? entry.startedAt, cores) : entry.stats;
    rows.push({
      backend,
      runId: entry.runId,
      workers,
      startupMs,
      wallMs,
      wallSpeedup: serialWall !== null ? wallSpeedup(serialWall, wallMs) : null,
      speedup: stats?.speedup ?? null,
      ideal: idealSpeedup(workers, cores),
      coreWaitShare: stats?.coreWaitShare ?? null,
      rssPerWorkerBytes,
      failed: stats?.failed ?? 0,
      store,
    });
    hooks.measured?.([...rows]);
  }
  return rows;
}
