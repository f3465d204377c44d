/**
 * The steps of a Python pool program, as PoolscopeApi calls checked against the
 * frames: create the pool (configure, then wait until every worker said it is
 * ready), map (start, then wait for the run to finish), close and join (close,
 * then wait until every worker has exited). Times come from the host's clock in
 * the frames, so a step's duration is what the pool took, not the page.
 */
import type { CommandResult, PoolscopeApi } from '../api';
import type { PythonRequest } from '../commands';
import { isClusterBackend, type Backend, type RunSpec } from '../run-spec';
import type { TaskStore } from '../task-store';
import type { HistoryEntry, RunOrigin } from './history';
import type { LiveWorker } from './pool-tracker';
import { memoryPerWorker } from '../figures';
import { Cancelled, type Session } from './session';

export interface StepContext {
  api: PoolscopeApi;
  session: Session;
  signal: AbortSignal;
}

/** Workers start in well under a second; anything this slow means the host is stuck. */
const POOL_TIMEOUT_MS = 15_000;
/** A local Ray instance can take a quarter of a minute to come up on a busy machine. */
const CLUSTER_TIMEOUT_MS = 120_000;
/** Fewer workers than asked this long after a resize means the pool has stopped trying. */
const STALL_MS = 2_000;
/** Samples come every 250 ms while workers live; past this, memory is not reported. */
const SAMPLE_TIMEOUT_MS = 2_000;

/** A refused command as an Error carrying the host's own message. */
export function expectOk<T>(result: CommandResult<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.message}`);
  return result.value;
}

/** pool.close(): no more work; every worker exits once idle. Returns when the host closed it. */
export async function closePool({ api, session, signal }: StepContext): Promise<number> {
  const closed = session.nextEvent('pool-resized', (e) => e.poolSize === 0, {
    what: 'the pool to close',
    signal,
    timeoutMs: POOL_TIMEOUT_MS,
  });
  expectOk(await api.close(), 'Could not close the pool');
  return (await closed).at;
}

/** pool.join(): waits until every worker has exited; returns when the last one did. */
export function joinPool({ session, signal }: StepContext, closedAt: number): Promise<number> {
  return session.until(() => (session.pool.live.size === 0 ? Math.max(closedAt, session.pool.lastExitAt) : undefined), {
    what: 'the workers to exit',
    signal,
    timeoutMs: POOL_TIMEOUT_MS,
  });
}

export interface CreatedPool {
  /** When the host resized the pool: the Pool(...) call. */
  requestedAt: number;
  /** When the last worker said it was ready. */
  readyAt: number;
  workers: LiveWorker[];
}

/** Pool(processes=size): sizes the pool and waits until exactly `size` workers are alive and ready. */
export async function createPool(ctx: StepContext, size: number, backend: Backend): Promise<CreatedPool> {
  const { api, session, signal } = ctx;
  // Dask's lanes are worker threads, one per worker here (configure starts one thread each); Ray's, worker processes.
  const workers = backend === 'serial' ? 1 : size;
  const timeoutMs = isClusterBackend(backend) ? CLUSTER_TIMEOUT_MS : POOL_TIMEOUT_MS;
  const resized = session.nextEvent('pool-resized', (e) => e.poolSize === workers && e.backend === backend, {
    what: `a pool of ${workers}`,
    signal,
    timeoutMs,
  });
  expectOk(await api.configure(workers, backend), 'Could not configure the pool');
  const requestedAt = (await resized).at;
  const ready = () => {
    const live = [...session.pool.live.values()];
    if (live.length !== workers || live.some((w) => w.readyAt === null)) return undefined;
    // Fresh workers are spawned the moment the pool is resized; where some were there already, count from the resize.
    // A cluster's workers appear once it is up: its start-up counts from the request.
    const from = isClusterBackend(backend)
      ? requestedAt
      : Math.max(requestedAt, Math.min(...live.map((w) => w.spawnedAt)));
    return { requestedAt: from, readyAt: Math.max(from, ...live.map((w) => w.readyAt ?? from)), workers: live };
  };
  try {
    // A cluster's workers join over seconds; the engine's within one.
    const stallMs = isClusterBackend(backend) ? timeoutMs : STALL_MS;
    return await session.until(ready, { what: `${workers} ready workers`, signal, timeoutMs: stallMs });
  } catch (error) {
    if (signal.aborted) throw error;
    // A pool that gave up after failed start-ups spawns nothing more until reset: give it its fresh start.
    if (session.pool.live.size < workers) expectOk(await api.reset(), 'Could not restart the pool');
    return session.until(ready, { what: `${workers} ready workers`, signal, timeoutMs });
  }
}

/**
 * Resident memory per worker from the first sample after `after`: distinct
 * processes' RSS over the number of workers, since threads share their process's.
 * Null where the host does not sample memory.
 */
export async function measureMemory(
  { session, signal }: StepContext,
  workers: LiveWorker[],
  after: number,
): Promise<number | null> {
  const ids = new Set(workers.map((w) => w.worker));
  try {
    const sample = await session.nextEvent(
      'sample',
      (e) => e.at > after && e.workers.some((s) => ids.has(s.worker) && s.rssBytes > 0),
      { what: 'a memory sample', signal, timeoutMs: SAMPLE_TIMEOUT_MS },
    );
    return memoryPerWorker(
      sample.workers.filter((s) => ids.has(s.worker)),
      workers.length,
    );
  } catch (error) {
    if (signal.aborted) throw error;
    return null;
  }
}

export interface FinishedRun {
  entry: HistoryEntry;
  /** Its TaskStore, from the history (kept: it is the newest run). */
  store: TaskStore | null;
}

/** What a job runs: the engine's workload, or the user's own Python program. */
export type JobTarget = { kind: 'engine'; spec: RunSpec } | { kind: 'python'; request: PythonRequest };

/**
 * pool.map(...), or a whole Python program: starts the run, names it in the
 * history, and waits for it to finish. Cancelling stops it at once (running
 * tasks are killed; a program's process tree ends).
 */
export async function runToEnd(
  { api, session, signal }: StepContext,
  target: JobTarget,
  origin: RunOrigin,
  label: string,
  onStart?: (runId: number) => void,
): Promise<FinishedRun> {
  if (signal.aborted) throw new Cancelled();
  const started = target.kind === 'engine' ? await api.start(target.spec) : await api.runPython(target.request);
  const { runId } = expectOk(
    started,
    target.kind === 'engine' ? 'Could not start the run' : 'Could not start the program',
  );
  session.history.label(runId, origin, label);
  onStart?.(runId);
  const stop = () => void api.cancel('kill');
  signal.addEventListener('abort', stop);
  try {
    const entry = await session.until(
      () => {
        const entry = session.history.entry(runId);
        return entry && entry.finishedAt !== null ? entry : undefined;
      },
      { what: `run ${runId} to finish`, signal },
    );
    return { entry, store: session.history.store(runId) };
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
