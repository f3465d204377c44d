/**
 * The slider's promise, with real worker processes: a shrink takes effect after
 * the current task, growing gives new workers work, storms of resizes stay
 * bounded, and every task runs exactly once. Plus the figures' truth: live
 * speedup cannot exceed the cores, and frozen workers are seen as such.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf, Frame, PoolEvent } from '../../shared/events';
import { makeRunSpec, type RunSpec } from '../../shared/run-spec';
import { computeStats } from '../../shared/stats';
import { TaskStore } from '../../shared/task-store';
import { workerEntryPath } from '../host/build';
import { now } from './clock';
import { forkLauncher } from './launcher';
import { Pool, type PoolOptions } from './pool';
import { ProcSampler } from './sampler';

const open: Pool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
});

function openPool(options: Partial<PoolOptions> = {}) {
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2, ...options });
  const store = new TaskStore();
  const frames: Frame[] = [];
  const broken: string[] = [];
  /** How many times each task settled, by whom. */
  const settledBy = new Map<number, number[]>();
  pool.onFrame((frame) => {
    frames.push(frame);
    store.ingest(frame);
    const c = frame.counts;
    if (c && c.submitted !== c.done + c.failed + c.cancelled + c.queued + c.running) broken.push(JSON.stringify(c));
    for (let i = 0; i < frame.settled.task.length; i++) {
      const task = frame.settled.task[i];
      settledBy.set(task, [...(settledBy.get(task) ?? []), frame.settled.worker[i]]);
    }
  });
  open.push(pool);
  const events = <T extends PoolEvent['type']>(type: T) =>
    frames.flatMap((f) => f.events).filter((e): e is EventOf<T> => e.type === type);
  return { pool, store, frames, broken, settledBy, events };
}

const spec = (partial: Partial<RunSpec>) => makeRunSpec({ poolSize: 2, ...partial }, 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls every 20 ms: the conditions scan /proc synchronously, and a tighter loop starves the pool sharing this event loop. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** Worker processes of this test process that are alive, from /proc (zombies excluded). */
function liveWorkers(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker.cjs')) pids.push(Number(entry));
    } catch {
      // gone while listing
    }
  }
  return pids;
}

/** Every task settled exactly once, on the worker that the store says ran it. */
function expectEachOnce(settledBy: Map<number, number[]>, store: TaskStore, tasks: number): void {
  expect(settledBy.size).toBe(tasks);
  for (const [task, workers] of settledBy) {
    expect(workers, `task ${task}`).toHaveLength(1);
    expect(store.worker[task]).toBe(workers[0]);
  }
}

describe.runIf(process.platform === 'linux')('resizing a running pool', () => {
  it('shrinks after the retired workers’ current task: what they held comes back, nothing runs twice', async () => {
    const { pool, store, broken, settledBy, events } = openPool({ poolSize: 4 });
    await pool.ready();
    const { finished } = pool.start(spec({ poolSize: 4, workload: 'cpu', costMs: 50, tasks: 80, chunksize: 1 }));
    await sleep(300);
    const asked = now();
    pool.resize(1);
    await until(() => pool.workerPids().length === 1 && liveWorkers().length === 1);
    const tookMs = now() - asked;
    const result = await finished;
    // One task time plus a margin: the old dispatch let retired workers finish their whole inbox (seconds).
    let longest = 0;
    for (let t = 0; t < 80; t++) longest = Math.max(longest, store.end[t] - store.start[t]);
    // After the current task (its exit and our notice take a little more on a loaded machine), long before the run ends.
    expect(tookMs).toBeLessThan(longest + 500);
    expect(result.finishedAt - asked).toBeGreaterThan(Math.max(1000, 2 * tookMs));
    expect(result.counts).toMatchObject({ done: 80, failed: 0, cancelled: 0 });
    expectEachOnce(settledBy, store, 80);
    expect(events('worker-exited').filter((e) => e.cause === 'retired')).toHaveLength(3);
    expect(broken).toEqual([]);
  });

  it('gives workers added mid-run work as soon as they are ready', async () => {
    const { pool, frames, events } = openPool({ poolSize: 1 });
    await pool.ready();
    const { finished } = pool.start(spec({ poolSize: 1, workload: 'cpu', costMs: 30, tasks: 40, chunksize: 1 }));
    await sleep(100);
    pool.resize(3);
    await finished;
    const newcomers = events('worker-ready').slice(1);
    expect(newcomers).toHaveLength(2);
    for (const ready of newcomers) {
      // The first chunk it got, in the same frame as its ready or the next one.
      const got = frames.find((f) => Array.from(f.dispatched.worker).includes(ready.worker));
      const readyFrame = frames.find((f) => f.events.includes(ready));
      expect(got, `worker ${ready.worker}`).toBeDefined();
      expect(got!.seq - readyFrame!.seq).toBeLessThanOrEqual(1);
    }
  });

  it('survives thrash: 30 changes in 3 s end at the last size, every task once, no orphan', async () => {
    const { pool, store, broken, settledBy } = openPool({ poolSize: 4 });
    await pool.ready();
    const { finished } = pool.start(spec({ poolSize: 4, workload: 'cpu', costMs: 10, tasks: 400, chunksize: 1 }));
    let most = 0;
    for (let i = 0; i < 30; i++) {
      pool.resize(1 + ((i * 5) % 8));
      await sleep(100);
      most = Math.max(most, liveWorkers().length);
    }
    pool.resize(2);
    const result = await finished;
    await until(() => liveWorkers().length === 2 && pool.workerPids().length === 2);
    expect(result.counts).toMatchObject({ done: 400, failed: 0 });
    expectEachOnce(settledBy, store, 400);
    expect(most).toBeLessThanOrEqual(8 + 8);
    expect(broken).toEqual([]);
  });

  it('keeps a storm of 1,000 resizes in one second bounded and answers each at once', async () => {
    const { pool, events } = openPool({ poolSize: 2 });
    await pool.ready();
    const { finished } = pool.start(spec({ workload: 'cpu', costMs: 5, tasks: 400, chunksize: 1 }));
    let most = 0;
    let slowest = 0;
    for (let i = 0; i < 1000; i++) {
      const before = now();
      pool.resize(1 + (i % 8));
      slowest = Math.max(slowest, now() - before);
      if (i % 10 === 0) {
        await sleep(10);
        most = Math.max(most, liveWorkers().length);
      }
    }
    pool.resize(3);
    await until(() => liveWorkers().length === 3 && pool.workerPids().length === 3, 15_000);
    // Each answered at once (spawning happens after, coalesced): well within the second asked for, on a loaded machine too.
    expect(slowest).toBeLessThan(250);
    // Coalesced toward the latest size: a worker per several commands, not one each (875 before).
    // A loaded machine stretches the storm's sleeps, so the pool settles on more sizes between them.
    expect(events('worker-spawned').length).toBeLessThan(200);
    // The largest size asked for plus workers finishing their current task, at most.
    expect(most).toBeLessThanOrEqual(16);
    expect((await finished).counts.done).toBe(400);
  });

  it('shares a run started on a cold pool of 8 among all 8 as they come up', async () => {
    const { pool, store } = openPool({ poolSize: 8 });
    const result = await pool.start(spec({ poolSize: 8, workload: 'square', tasks: 20_000 })).finished;
    expect(result.counts.done).toBe(20_000);
    const doers = store.laneList().filter((lane) => lane.tasksDone > 0);
    expect(doers).toHaveLength(8);
  });
});

describe.runIf(process.platform === 'linux')('figures that are physically true', () => {
  it('never reports a speedup above the cores, and agrees with the wall times', async () => {
    const cores = availableParallelism();
    // One pool for both sizes: a pool calibrates its spin once, so both runs do the same work even if the
    // machine's load changes between them (two pools calibrated apart once differed by a quarter).
    const { pool, store } = openPool({ poolSize: 1 });
    const measure = async (poolSize: number) => {
      pool.resize(poolSize);
      await pool.ready();
      const result = await pool.start(spec({ poolSize, workload: 'cpu', costMs: 40, tasks: 24, chunksize: 1 }))
        .finished;
      return { wall: result.finishedAt - result.startedAt, stats: computeStats(store, result.finishedAt, cores)! };
    };
    const one = await measure(1);
    const four = await measure(4);
    expect(four.stats.speedup).not.toBeNull();
    expect(four.stats.speedup!).toBeLessThanOrEqual(cores * 1.05);
    // Same work, same CPU: the live speedups' ratio is the wall times' ratio.
    const wallRatio = one.wall / four.wall;
    expect(four.stats.speedup! / one.stats.speedup!).toBeGreaterThan(wallRatio * 0.8);
    expect(four.stats.speedup! / one.stats.speedup!).toBeLessThan(wallRatio * 1.25);
    if (cores < 4) expect(four.stats.coreWaitShare!).toBeGreaterThan(0.2);
  });

  it('times out a task sent to a frozen worker, counting from when it could have started', async () => {
    const { pool, store, events } = openPool({ poolSize: 1 });
    await pool.ready();
    const [victim] = pool.workerPids();
    process.kill(victim.pid, 'SIGSTOP');
    const t0 = now();
    const result = await pool.start(spec({ poolSize: 1, workload: 'square', tasks: 3, timeoutMs: 300 })).finished;
    expect(result.failures[0]).toMatchObject({ task: 0, reason: 'timeout' });
    expect(now() - t0).toBeLessThan(300 + 1000);
    expect(store.end[0] - store.start[0]).toBeGreaterThanOrEqual(300);
    expect(result.counts).toMatchObject({ done: 2, failed: 1 });
    expect(events('worker-exited').map((e) => e.cause)).toContain('timed-out');
  });

  it('takes one sample at a time, however long reading the workers takes', async () => {
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const real = new ProcSampler();
    // Slower than the interval, as /proc is on a saturated machine.
    const slow = {
      coreSampling: true,
      sample: async (targets: Parameters<ProcSampler['sample']>[0]) => {
        calls++;
        most = Math.max(most, ++inFlight);
        await sleep(120);
        inFlight--;
        return real.sample(targets);
      },
    };
    const { pool } = openPool({ poolSize: 1, sampler: slow, sampleIntervalMs: 20 });
    await pool.ready();
    await pool.start(spec({ poolSize: 1, workload: 'io', costMs: 100, tasks: 5, chunksize: 1 })).finished;
    expect(calls).toBeGreaterThan(1);
    expect(most).toBe(1);
  });

  it('shows a stopped worker as stopped, with for how long', async () => {
    const { pool, events } = openPool({ poolSize: 1, sampler: new ProcSampler(), sampleIntervalMs: 50 });
    await pool.ready();
    const { finished } = pool.start(spec({ poolSize: 1, workload: 'cpu', costMs: 20, tasks: 30, chunksize: 1 }));
    await sleep(100);
    const [victim] = pool.workerPids();
    process.kill(victim.pid, 'SIGSTOP');
    await until(() =>
      events('sample').some((e) => e.workers.some((w) => w.state === 'stopped' && (w.stalledMs ?? 0) > 200)),
    );
    process.kill(victim.pid, 'SIGCONT');
    expect((await finished).counts.done).toBe(30);
  });
});
