/**
 * The dask and ray backends through their bridges: real local clusters of 2
 * workers, real tasks, one TaskStore fed by the frames as every view is.
 * Where the project's .venv lacks an engine these tests are skipped, saying
 * so; CI (POOLSCOPE_REQUIRE_CLUSTER=1) fails instead.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf, Frame, PoolEvent } from '../../shared/events';
import { makeRunSpec, type RunSpec } from '../../shared/run-spec';
import { TaskState, TaskStore } from '../../shared/task-store';
import { FrameBuilder } from '../engine/frame-builder';
import { Hub } from '../engine/hub';
import { forkLauncher } from '../engine/launcher';
import { pythonDir, workerEntryPath } from '../host/build';
import { descendants } from '../host/process-tree';
import { ClusterPool } from './cluster-pool';
import { findPython } from './python-process';
import { clusterEngines } from './testing';

const { hasDask, hasRay } = clusterEngines();

const bootDir = join(pythonDir, 'boot');
const pools: ClusterPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function openCluster() {
  const frames = new FrameBuilder();
  const store = new TaskStore();
  const seen: Frame[] = [];
  frames.subscribe((frame) => {
    seen.push(frame);
    store.ingest(frame);
  }, []);
  const pool = new ClusterPool(frames, { bootDir });
  pools.push(pool);
  const events = <T extends PoolEvent['type']>(type: T) =>
    seen.flatMap((f) => f.events).filter((e): e is EventOf<T> => e.type === type);
  return { pool, store, events };
}

const spec = (partial: Partial<RunSpec>) => makeRunSpec({ poolSize: 2, ...partial }, 2);
const lanesThatRan = (store: TaskStore) => store.laneList().filter((lane) => lane.tasksDone + lane.tasksFailed > 0);
/** Resolves once `check` holds, polling; rejects after `ms`. */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!hasDask)('the dask backend', () => {
  it('runs a 1,000-task map on a local cluster of 2: every task once, on a thread of the worker that ran it', async () => {
    const { pool, store, events } = openCluster();
    const run = await pool.start(spec({ backend: 'dask', workload: 'square', tasks: 1000 }));
    expect((await run.finished) as { status: string }).toMatchObject({ status: 'completed' });
    expect(store.run?.run).toMatchObject({ source: 'dask', backend: 'dask' });
    expect(store.counts).toMatchObject({ submitted: 1000, done: 1000, failed: 0, queued: 0, running: 0 });
    const ran = lanesThatRan(store);
    // Lanes are worker threads, grouped by the worker's address; both workers took part.
    expect(ran.every((lane) => lane.kind === 'thread' && /^tcp:\/\//.test(lane.group ?? ''))).toBe(true);
    expect(new Set(ran.map((lane) => lane.group)).size).toBe(2);
    expect(ran.reduce((sum, lane) => sum + lane.tasksDone, 0)).toBe(1000);
    for (let task = 0; task < 1000; task++) {
      expect(store.state[task]).toBe(TaskState.done);
      expect(ran.some((lane) => lane.worker === store.worker[task])).toBe(true);
    }
    expect(events('pool-resized').map((e) => [e.poolSize, e.backend])).toEqual([[2, 'dask']]);
  });

  it('scales 2 → 4 → 1 from the slider during a run: no task lost or counted twice', async () => {
    const { pool, store, events } = openCluster();
    await pool.configure('dask', 2);
    // Long enough (about 5 s on two workers) that the scheduler moves queued tasks onto the new
    // workers however long they take to start; Dask does that by stealing, not at once. Sleeping
    // tasks leave the cores to those start-ups.
    const run = await pool.start(spec({ backend: 'dask', workload: 'io', tasks: 240, costMs: 40 }));
    await until(() => store.run?.runId === run.runId && (store.counts?.done ?? 0) >= 10, 'the first tasks');
    await pool.resize(4);
    const addressesThatRan = () => new Set(lanesThatRan(store).map((lane) => lane.group)).size;
    await until(() => addressesThatRan() >= 3, 'a new worker running tasks');
    // Late in the run, so that what is left for one worker takes seconds, not the whole run.
    await until(() => (store.counts?.done ?? 0) >= 150, 'most tasks');
    await pool.resize(1);
    expect((await run.finished) as { status: string }).toMatchObject({ status: 'completed' });
    expect(store.counts).toMatchObject({ submitted: 240, done: 240, failed: 0, cancelled: 0 });
    expect(lanesThatRan(store).reduce((sum, lane) => sum + lane.tasksDone, 0)).toBe(240);
    expect(events('pool-resized').map((e) => e.poolSize)).toEqual([2, 4, 1]);
    await until(() => store.laneList().filter((l) => l.exitedAt === null).length === 1, 'one worker left');
    expect(pool.size).toBe(1);
  });

  it('reports a task that raises with its error, and cancels a run: queued tasks never run', async () => {
    const { pool, store } = openCluster();
    const failing = await pool.start(spec({ backend: 'dask', workload: 'fail', tasks: 10, faultEvery: 4 }));
    await failing.finished;
    expect(store.counts).toMatchObject({ done: 8, failed: 2 });
    expect(store.failures.map((f) => [f.task, f.message])).toEqual([
      [3, 'ValueError: task 3 failed on purpose'],
      [7, 'ValueError: task 7 failed on purpose'],
    ]);
    const slow = await pool.start(spec({ backend: 'dask', workload: 'io', tasks: 200, costMs: 100 }));
    await until(() => store.run?.runId === slow.runId && (store.counts?.done ?? 0) >= 2, 'the first tasks');
    await pool.cancel();
    expect((await slow.finished) as { status: string }).toMatchObject({ status: 'cancelled' });
    const counts = store.counts!;
    expect(counts.cancelled).toBeGreaterThan(100);
    expect(counts.done + counts.failed + counts.cancelled).toBe(200);
    expect(counts.queued + counts.running).toBe(0);
  });

  it('refuses a workload a cluster does not run, and says where a scheduler cannot be reached', async () => {
    const { pool } = openCluster();
    await expect(pool.start(spec({ backend: 'dask', workload: 'primes' }))).rejects.toThrow(
      /the dask backend runs the cpu, square, io, fail workloads, not primes/,
    );
    await expect(pool.attach('dask', 'tcp://127.0.0.1:9')).rejects.toThrow(
      /^nothing answers at tcp:\/\/127\.0\.0\.1:9/,
    );
  });

  it('follows a scheduler someone else runs, read-only, and keeps what it saw when the scheduler goes away', async () => {
    const python = findPython();
    const scripts = join(pythonDir, 'tests', 'cluster_scripts');
    const scheduler = spawn(python, [join(scripts, 'dask_scheduler.py')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let text = '';
        scheduler.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const found = /tcp:\/\/[\d.]+:\d+/.exec(text);
          if (found) resolve(found[0]);
        });
        scheduler.once('exit', () => reject(new Error(`the scheduler exited: ${text}`)));
      });
      const { pool, store } = openCluster();
      const { runId } = await pool.attach('dask', address);
      await until(() => store.run?.runId === runId, 'the attached run');
      expect(store.run).toMatchObject({ status: 'running' });
      await expect(pool.resize(3)).rejects.toThrow(/was not started by this bridge/);
      // Someone else's client maps on it.
      const client = `from distributed import Client\nwith Client(${JSON.stringify(address)}) as c:\n    c.gather(c.map(lambda x: x * x, range(30)))`;
      execFileSync(python, ['-c', client], { stdio: 'ignore', timeout: 60_000 });
      await until(() => (store.counts?.done ?? 0) === 30, '30 tasks from the other client');
      scheduler.kill('SIGKILL');
      await until(() => store.run?.status === 'failed', 'the run to end', 20_000);
      expect(store.run?.error).toMatch(/scheduler/i);
      expect(store.counts?.done).toBe(30);
    } finally {
      scheduler.kill('SIGKILL');
    }
  });
});

describe.skipIf(!hasDask)('the hub and the dask backend', () => {
  it('moves the slider and runs from the engine to Dask and back: each side’s processes exit, none is left', async () => {
    const hub = new Hub({ launcher: forkLauncher, workerEntry: workerEntryPath, pythonDir, poolSize: 2 });
    const store = new TaskStore();
    hub.onFrame((frame) => store.ingest(frame));
    const live = () => store.laneList().filter((lane) => lane.exitedAt === null);
    try {
      await hub.pool.ready();
      const engineWorkers = descendants(process.pid).filter((p) => p.cmdline.includes(workerEntryPath));
      expect(engineWorkers).toHaveLength(2);
      await hub.configure(2, 'dask');
      expect([hub.backend, hub.size]).toEqual(['dask', 2]);
      await until(() => live().length === 2 && live().every((lane) => lane.kind === 'thread'), 'two Dask lanes');
      expect(descendants(process.pid).filter((p) => p.cmdline.includes(workerEntryPath))).toEqual([]);
      const run = await hub.start(spec({ backend: 'dask', workload: 'io', tasks: 20, costMs: 20 }));
      expect(() => hub.pause()).toThrow(/cancelled, not paused/);
      await expect(run.finished).resolves.toMatchObject({ status: 'completed' });
      const bridges = descendants(process.pid).filter((p) => p.cmdline.includes('poolscope_trace.dask_bridge'));
      expect(bridges).toHaveLength(1);
      await hub.configure(2, 'process');
      expect(hub.backend).toBe('process');
      await hub.pool.ready();
      // The bridge and the cluster it owned are gone; the engine's workers are back.
      const left = descendants(process.pid);
      expect(left.filter((p) => /python/.test(p.cmdline))).toEqual([]);
      expect(left.filter((p) => p.cmdline.includes(workerEntryPath))).toHaveLength(2);
    } finally {
      await hub.close();
    }
    expect(descendants(process.pid).filter((p) => /python|worker\.cjs/.test(p.cmdline))).toEqual([]);
  });
});

describe.skipIf(!hasDask)('the hub and an attach that fails', () => {
  it('says nothing answers at the address, in the bridge’s words, and gives back the pool the user had', async () => {
    const hub = new Hub({ launcher: forkLauncher, workerEntry: workerEntryPath, pythonDir, poolSize: 2 });
    const engineWorkers = () => descendants(process.pid).filter((p) => p.cmdline.includes(workerEntryPath));
    try {
      await hub.pool.ready();
      expect(engineWorkers()).toHaveLength(2);
      await expect(hub.attachCluster('dask', 'tcp://127.0.0.1:9')).rejects.toThrow(
        /^nothing answers at tcp:\/\/127\.0\.0\.1:9 \(Connection refused\)$/,
      );
      expect([hub.backend, hub.size]).toEqual(['process', 2]);
      await hub.pool.ready();
      expect(engineWorkers()).toHaveLength(2);
    } finally {
      await hub.close();
    }
  });
});

describe.skipIf(!hasRay)('the ray backend', () => {
  it('runs tasks on a local Ray of 2 CPUs, lanes per worker process by node; a new size applies from the next run', async () => {
    const { pool, store, events } = openCluster();
    const run = await pool.start(spec({ backend: 'ray', workload: 'cpu', tasks: 20, costMs: 50 }));
    await pool.resize(1); // during the run: Ray keeps its CPUs until it ends
    expect((await run.finished) as { status: string }).toMatchObject({ status: 'completed' });
    expect(store.counts).toMatchObject({ submitted: 20, done: 20, failed: 0 });
    const ran = lanesThatRan(store);
    expect(ran.every((lane) => lane.kind === 'process' && /^node [0-9a-f]{8}$/.test(lane.group ?? ''))).toBe(true);
    expect(ran.reduce((sum, lane) => sum + lane.tasksDone, 0)).toBe(20);
    await until(() => pool.size === 1, 'Ray restarted with 1 CPU', 90_000);
    expect(events('pool-resized').map((e) => e.poolSize)).toEqual([2, 1, 1]);
  }, 180_000);
});
