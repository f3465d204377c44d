import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf, Frame, PoolEvent } from '../../shared/events';
import { makeRunSpec, type RunSpec } from '../../shared/run-spec';
import { TaskState, TaskStore } from '../../shared/task-store';
import { costFor } from '../../shared/workloads';
import { workerEntryPath } from '../host/build';
import { forkLauncher } from './launcher';
import { Pool, type PoolOptions } from './pool';

/** A real pool with every frame recorded and the settlement invariant checked on each. */
function openPool(options: Partial<PoolOptions> = {}) {
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2, ...options });
  const frames: Frame[] = [];
  const store = new TaskStore();
  const broken: string[] = [];
  pool.onFrame((frame) => {
    frames.push(frame);
    store.ingest(frame);
    const c = frame.counts;
    if (c && c.submitted !== c.done + c.failed + c.cancelled + c.queued + c.running) {
      broken.push(`frame ${frame.seq}: ${JSON.stringify(c)}`);
    }
  });
  open.push(pool);
  const events = <T extends PoolEvent['type']>(type: T) =>
    frames.flatMap((f) => f.events).filter((e): e is EventOf<T> => e.type === type);
  return { pool, frames, store, broken, events };
}

const open: Pool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
});

const spec = (partial: Partial<RunSpec>) => makeRunSpec({ poolSize: 2, ...partial }, 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('Pool', () => {
  it('map returns results in input order, like Python', async () => {
    const { pool, broken } = openPool({ poolSize: 5 });
    const result = await pool.start(spec({ poolSize: 5, workload: 'square', tasks: 10 })).finished;
    expect(result.status).toBe('completed');
    expect(Array.from(result.values)).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    expect(broken).toEqual([]);
  });

  it('imap_unordered hands results back in completion order', async () => {
    const { pool, store } = openPool({ poolSize: 3 });
    // All three first: on a loaded machine one early worker could take every task, in order.
    await pool.ready();
    // io tasks with seeded uneven sleeps finish out of input order.
    const run = spec({
      poolSize: 3,
      workload: 'io',
      tasks: 12,
      costMs: 20,
      distribution: 'uniform',
      mode: 'imap_unordered',
      seed: 7,
    });
    const result = await pool.start(run).finished;
    const order = Array.from(result.completionOrder);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(order).not.toEqual([...Array(12).keys()]);
    // Completion order is the order results reached the parent: each worker's in the order they ended.
    for (const lane of store.laneList()) {
      const ends = order.filter((task) => store.worker[task] === lane.worker).map((task) => store.end[task]);
      expect(ends).toEqual([...ends].sort((a, b) => a - b));
    }
    // Every value is still the task's own: io returns its input.
    for (const task of order) expect(result.values[task]).toBe(task);
  });

  it('chunks like Python: ⌈n/(4·workers)⌉ for map, 1 for imap and apply_async, or as told', async () => {
    const { pool, frames } = openPool();
    const chunkCounts = async (partial: Partial<RunSpec>) => {
      const from = frames.length;
      await pool.start(spec({ workload: 'square', tasks: 100, ...partial })).finished;
      // Each row is a worker's consecutive chunks of `size`: split back into chunks.
      return frames.slice(from).flatMap((f) =>
        Array.from(f.dispatched.count).flatMap((count, i) => {
          const size = f.dispatched.size[i];
          return Array.from({ length: Math.ceil(count / size) }, (_, k) => Math.min(size, count - k * size));
        }),
      );
    };
    const auto = await chunkCounts({});
    expect(auto.slice(0, 7)).toEqual([13, 13, 13, 13, 13, 13, 13]);
    expect(auto.reduce((a, b) => a + b)).toBe(100);
    expect(new Set(await chunkCounts({ chunksize: 7 }))).toEqual(new Set([7, 2]));
    expect(new Set(await chunkCounts({ mode: 'imap' }))).toEqual(new Set([1]));
    expect(new Set(await chunkCounts({ mode: 'apply_async', chunksize: 10 }))).toEqual(new Set([1]));
  });

  it('orders every task dispatch ≤ start ≤ end on the shared clock across processes', async () => {
    const { pool, store } = openPool();
    await pool.start(spec({ workload: 'cpu', costMs: 2, tasks: 40, chunksize: 3 })).finished;
    for (let task = 0; task < 40; task++) {
      expect(store.state[task]).toBe(TaskState.done);
      expect(store.dispatchedAt[task]).toBeLessThanOrEqual(store.start[task]);
      expect(store.start[task]).toBeLessThanOrEqual(store.end[task]);
    }
  });

  it('resizes up and down during a run without losing a task', async () => {
    const { pool, events, broken } = openPool();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 10, tasks: 80, chunksize: 1 }));
    await sleep(60);
    pool.resize(4);
    await until(() => pool.workerPids().length === 4);
    await sleep(60);
    pool.resize(1);
    const result = await finished;
    expect(result.counts).toMatchObject({ submitted: 80, done: 80, failed: 0, cancelled: 0 });
    expect(result.values.every((v) => !Number.isNaN(v))).toBe(true);
    expect(events('worker-exited').filter((e) => e.cause === 'retired').length).toBeGreaterThanOrEqual(3);
    expect(pool.workerPids()).toHaveLength(1);
    expect(broken).toEqual([]);
  });

  it('fails only the task of a worker killed with SIGKILL, and refills the pool', async () => {
    const { pool, frames, events, broken } = openPool();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 60, tasks: 8, chunksize: 1 }));
    await until(() => frames.some((f) => f.started.task.length > 0));
    const started = frames.find((f) => f.started.task.length > 0)!.started;
    const victim = pool.workerPids().find((w) => w.worker === started.worker[0])!;
    process.kill(victim.pid, 'SIGKILL');
    const result = await finished;
    expect(result.failures).toEqual([
      { task: started.task[0], reason: 'crash', message: expect.stringContaining('was killed with signal SIGKILL') },
    ]);
    expect(result.counts).toMatchObject({ submitted: 8, done: 7, failed: 1, cancelled: 0, queued: 0, running: 0 });
    expect(events('worker-exited').map((e) => e.cause)).toContain('killed');
    expect(pool.workerPids()).toHaveLength(2);
    expect(isAlive(victim.pid)).toBe(false);
    expect(broken).toEqual([]);
  });

  it('counts a clean exit(0) in the middle of a task as that task failing', async () => {
    const { pool, events } = openPool();
    const result = await pool.start(spec({ workload: 'crash', tasks: 10, faultEvery: 5, chunksize: 2 })).finished;
    // Each worker crashes on its own task; which is noticed first varies.
    expect(result.failures.map((f) => [f.task, f.reason]).sort()).toEqual([
      [4, 'crash'],
      [9, 'crash'],
    ]);
    expect(result.failures[0].message).toContain('exit code 0');
    expect(result.counts).toMatchObject({ done: 8, failed: 2 });
    for (const task of [0, 1, 2, 3, 5, 6, 7, 8]) expect(result.values[task]).toBe(task);
    expect(events('worker-exited').filter((e) => e.cause === 'crashed')).toHaveLength(2);
  });

  it('fails a hung task at its timeout, kills and replaces its worker', async () => {
    const { pool, events, store } = openPool();
    const result = await pool.start(spec({ workload: 'hang', tasks: 6, faultEvery: 3, timeoutMs: 200, chunksize: 1 }))
      .finished;
    // Each worker times out on its own hang; which is noticed first varies.
    expect(result.failures.map((f) => [f.task, f.reason]).sort()).toEqual([
      [2, 'timeout'],
      [5, 'timeout'],
    ]);
    for (const { task } of result.failures) expect(store.end[task] - store.start[task]).toBeGreaterThanOrEqual(200);
    expect(result.counts).toMatchObject({ done: 4, failed: 2 });
    await until(() => events('worker-exited').filter((e) => e.cause === 'timed-out').length === 2);
    await until(() => pool.workerPids().length === 2);
  });

  it('cancel(finish) cancels the queue and lets dispatched tasks complete', async () => {
    const { pool, broken } = openPool();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 20, tasks: 50, chunksize: 1 }));
    await sleep(80);
    pool.cancel('finish');
    const result = await finished;
    expect(result.status).toBe('cancelled');
    expect(result.counts.cancelled).toBeGreaterThan(0);
    expect(result.counts.failed).toBe(0);
    expect(result.counts.done + result.counts.cancelled).toBe(50);
    expect(broken).toEqual([]);
  });

  it('cancel(kill) stops running tasks at once and starts fresh workers', async () => {
    const { pool, events, broken } = openPool();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 500, tasks: 10, chunksize: 1 }));
    await until(() => pool.workerPids().length === 2 && events('worker-ready').length >= 2);
    await sleep(50);
    const before = pool.workerPids().map((w) => w.pid);
    const t0 = Date.now();
    pool.cancel('kill');
    const result = await finished;
    expect(Date.now() - t0).toBeLessThan(400);
    expect(result.status).toBe('cancelled');
    expect(result.counts).toMatchObject({ done: 0, failed: 0, cancelled: 10, queued: 0, running: 0 });
    await until(() => events('worker-exited').filter((e) => e.cause === 'cancelled').length === 2);
    await until(() => before.every((pid) => !isAlive(pid)) && pool.workerPids().length === 2);
    expect(broken).toEqual([]);
  });

  it('pause stops dispatch; resume carries on', async () => {
    const { pool, frames } = openPool();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 5, tasks: 200, chunksize: 1 }));
    await sleep(40);
    pool.pause();
    await sleep(60); // in-flight work drains
    const dispatchedBefore = frames.reduce((n, f) => n + f.dispatched.count.length, 0);
    await sleep(60);
    expect(frames.reduce((n, f) => n + f.dispatched.count.length, 0)).toBe(dispatchedBefore);
    expect(frames.at(-1)!.counts!.queued).toBeGreaterThan(0);
    pool.resume();
    expect((await finished).counts.done).toBe(200);
  });

  it('recycles a worker after max tasks per worker', async () => {
    const { pool, frames, events } = openPool();
    const result = await pool.start(spec({ workload: 'square', tasks: 12, chunksize: 1, maxTasksPerWorker: 3 }))
      .finished;
    expect(result.counts.done).toBe(12);
    const perWorker = new Map<number, number>();
    for (const f of frames) for (const w of f.settled.worker) perWorker.set(w, (perWorker.get(w) ?? 0) + 1);
    expect(Math.max(...perWorker.values())).toBeLessThanOrEqual(3);
    expect(perWorker.size).toBeGreaterThanOrEqual(4);
    // The last recycling may land just after the run has finished.
    await until(() => events('worker-exited').filter((e) => e.cause === 'recycled').length >= 3);
  });

  it('gives up on workers that cannot start, after a bounded number of tries, with a clear error', async () => {
    const broken = join(tmpdir(), `poolscope-broken-worker-${process.pid}.cjs`);
    writeFileSync(broken, "process.stderr.write('cannot load the workload module\\n'); process.exit(3);\n");
    const { pool, events } = openPool({ workerEntry: broken, startupRetries: 3 });
    const result = await pool.start(spec({ workload: 'square', tasks: 10 })).finished;
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/fail to start.*exited with code 3.*cannot load the workload module/);
    expect(result.counts).toMatchObject({ cancelled: 10, done: 0 });
    const spawned = events('worker-spawned').length;
    await sleep(300); // no respawn storm afterwards
    expect(events('worker-spawned').length).toBe(spawned);
    expect(spawned).toBeLessThanOrEqual(2 * 4);
    await expect(pool.ready()).rejects.toThrow(/fail to start/);
  });

  it('captures what a task prints, tagged with its task and worker', async () => {
    const { pool, events } = openPool({ poolSize: 4 });
    await pool.start(spec({ poolSize: 4, workload: 'print', tasks: 4, from: 1 })).finished;
    const lines = events('output').filter((e) => e.stream === 'stdout');
    expect(lines.map((e) => e.text).sort()).toEqual([
      'Process 1: The square of 1 is 1.',
      'Process 2: The square of 2 is 4.',
      'Process 3: The square of 3 is 9.',
      'Process 4: The square of 4 is 16.',
    ]);
    for (const line of lines)
      expect(line.text).toBe(`Process ${line.task! + 1}: The square of ${line.task! + 1} is ${(line.task! + 1) ** 2}.`);
  });

  it('runs a million tasks without holding a million objects', async () => {
    const { pool } = openPool();
    const result = await pool.start(spec({ workload: 'square', tasks: 1_000_000 })).finished;
    expect(result.counts.done).toBe(1_000_000);
    expect(result.values[999_999]).toBe(999_999 ** 2);
  });

  it('close() lets every worker exit, like Python’s close and join; a run brings the pool back', async () => {
    const { pool, events } = openPool();
    await pool.ready();
    const pids = pool.workerPids().map((w) => w.pid);
    pool.closeWorkers();
    await until(() => events('worker-exited').filter((e) => e.cause === 'closed').length === 2);
    expect(pool.workerPids()).toEqual([]);
    expect(pids.some(isAlive)).toBe(false);
    const result = await pool.start(spec({ workload: 'double', tasks: 5, from: 1 })).finished;
    expect(Array.from(result.values)).toEqual([2, 4, 6, 8, 10]);
    expect(pool.workerPids()).toHaveLength(2);
  });

  it('closing while workers start tells whoever waits for them, and closing twice is one close', async () => {
    const { pool } = openPool();
    const waiting = pool.ready();
    const first = pool.close();
    await expect(waiting).rejects.toThrow('the pool is closing');
    await expect(pool.ready()).rejects.toThrow('the pool is closing');
    expect(pool.close()).toBe(first);
    await first;
    expect(pool.workerPids()).toEqual([]);
  });

  it('refuses a second run while one is going, and changes nothing', async () => {
    const { pool } = openPool();
    const first = pool.start(spec({ workload: 'cpu', costMs: 20, tasks: 4 }));
    expect(() => pool.start(spec({ workload: 'square', tasks: 3 }))).toThrow(/still going/);
    expect((await first.finished).counts.done).toBe(4);
  });

  it('uses costs from the seeded distribution', () => {
    const costs = Array.from({ length: 1000 }, (_, i) => costFor({ costMs: 10, distribution: 'longtail', seed: 3 }, i));
    const mean = costs.reduce((a, b) => a + b) / costs.length;
    expect(mean).toBeGreaterThan(7);
    expect(mean).toBeLessThan(13);
    expect(Math.max(...costs)).toBeGreaterThan(30);
    expect(costFor({ costMs: 10, distribution: 'longtail', seed: 3 }, 5)).toBe(costs[5]);
  });
});
