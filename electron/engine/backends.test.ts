import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import type { Frame } from '../../shared/events';
import { computeStats } from '../../shared/stats';
import { TaskStore } from '../../shared/task-store';
import { makeRunSpec, type RunSpec } from '../../shared/run-spec';
import { workerEntryPath } from '../host/build';
import { forkLauncher } from './launcher';
import { Pool } from './pool';

const open: Pool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
});

function openPool(poolSize = 2) {
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize });
  const frames: Frame[] = [];
  const store = new TaskStore();
  pool.onFrame((frame) => {
    frames.push(frame);
    store.ingest(frame);
  });
  open.push(pool);
  return { pool, frames, store };
}

const spec = (partial: Partial<RunSpec>) => makeRunSpec({ poolSize: 2, ...partial }, 2);
const wall = (r: { startedAt: number; finishedAt: number }) => r.finishedAt - r.startedAt;

describe('backends', () => {
  it('thread: workers are threads of one process and compute the same results', async () => {
    const { pool } = openPool();
    const cpu = spec({ workload: 'cpu', costMs: 3, tasks: 12, chunksize: 1 });
    const byProcess = await pool.start(cpu).finished;
    pool.configure(2, 'thread');
    await pool.ready();
    const pids = pool.workerPids();
    expect(pids).toHaveLength(2);
    expect(new Set(pids.map((w) => w.pid)).size).toBe(1);
    expect(pids[0].pid).not.toBe(process.pid);
    const byThread = await pool.start({ ...cpu, backend: 'thread' }).finished;
    expect(Array.from(byThread.values)).toEqual(Array.from(byProcess.values));
  });

  it('thread: a task that exits ends only its own thread, which is replaced', async () => {
    const { pool } = openPool();
    pool.configure(2, 'thread');
    const result = await pool.start(
      spec({ backend: 'thread', workload: 'crash', tasks: 6, faultEvery: 3, chunksize: 1 }),
    ).finished;
    // Two threads may die in either order.
    expect(result.failures.map((f) => [f.task, f.reason]).sort()).toEqual([
      [2, 'crash'],
      [5, 'crash'],
    ]);
    expect(result.counts.done).toBe(4);
  });

  it('thread: a hung thread is terminated at its timeout', async () => {
    const { pool } = openPool();
    pool.configure(2, 'thread');
    const result = await pool.start(
      spec({ backend: 'thread', workload: 'hang', tasks: 4, faultEvery: 2, timeoutMs: 150 }),
    ).finished;
    expect(result.failures.map((f) => f.reason)).toEqual(['timeout', 'timeout']);
    expect(result.counts.done).toBe(2);
  });

  it('gil: CPU-bound threads take turns, so two are no faster than one; waits are recorded', async () => {
    const { pool, frames, store } = openPool();
    const work = spec({ workload: 'cpu', costMs: 20, tasks: 16, chunksize: 1 });
    const processes = await pool.start(work).finished;
    pool.configure(2, 'gil');
    await pool.ready();
    const from = frames.length;
    const gil = await pool.start({ ...work, backend: 'gil' }).finished;
    expect(Array.from(gil.values)).toEqual(Array.from(processes.values));
    const waits = frames.slice(from).reduce((n, f) => n + f.lockWaits.worker.length, 0);
    expect(waits).toBeGreaterThan(10);
    // Each thread's CPU time is its own: under one lock, about one core's worth ran at once, so
    // the wall time is at least the CPU time of all of it (a busy machine only makes it longer).
    const stats = computeStats(store, gil.finishedAt, availableParallelism())!;
    expect(stats.speedup!).toBeLessThan(1.25);
    expect(wall(gil)).toBeGreaterThan(0.8 * store.sumCpuMs);
    expect(stats.lockWaitMs).toBeGreaterThan(0);
  });

  it('gil: waiting for I/O releases the lock, so sleeps overlap', async () => {
    const { pool } = openPool(4);
    pool.configure(4, 'gil');
    await pool.ready();
    const result = await pool.start(
      spec({ poolSize: 4, backend: 'gil', workload: 'io', costMs: 100, tasks: 8, chunksize: 1 }),
    ).finished;
    expect(result.counts.done).toBe(8);
    expect(wall(result)).toBeLessThan(8 * 100 * 0.6);
  });

  it('serial: one worker runs everything, whatever the pool size says', async () => {
    const { pool, frames } = openPool(3);
    const result = await pool.start(spec({ poolSize: 3, backend: 'serial', workload: 'square', tasks: 30 })).finished;
    expect(result.spec.poolSize).toBe(1);
    expect(result.counts.done).toBe(30);
    const workers = new Set(frames.flatMap((f) => Array.from(f.settled.worker)));
    expect(workers.size).toBe(1);
    expect(() => pool.resize(2)).toThrow(/one worker/);
  });
});
