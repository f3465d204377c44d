import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame, type Frame, type PoolEvent } from './events';
import { makeRunSpec } from './run-spec';
import { computeStats } from './stats';
import { TaskStore } from './task-store';

const frame = (seq: number, patch: Partial<Frame>): Frame => makeFrame({ seq, at: seq, runId: 1, ...patch });
const spec = makeRunSpec({ workload: 'cpu', tasks: 4, poolSize: 2 }, 2);

/** Worker 1 works 100…300; worker 2 joins at 200 (the pool grew) and works 200…300. */
function grownRun(cpu: number[], coreWait: number[]): TaskStore {
  const store = new TaskStore();
  const events: PoolEvent[] = [
    { type: 'worker-ready', worker: 1, pid: 11, at: 0 },
    {
      type: 'run-started',
      runId: 1,
      at: 100,
      run: { source: 'engine', title: 'cpu', spec, chunksize: 1, poolSize: 2 },
      tasks: 4,
    },
  ];
  store.ingest(
    frame(1, {
      events,
      dispatched: columnsOf('dispatched', { worker: [1, 1], first: [0, 1], count: [1, 1], at: [100, 100] }),
    }),
  );
  store.ingest(
    frame(2, {
      events: [{ type: 'worker-ready', worker: 2, pid: 12, at: 200 }],
      dispatched: columnsOf('dispatched', { worker: [2, 2], first: [2, 3], count: [1, 1], at: [200, 200] }),
      settled: columnsOf('settled', {
        worker: [1, 1, 2, 2],
        task: [0, 1, 2, 3],
        start: [100, 200, 200, 250],
        end: [200, 300, 250, 300],
        cpu,
        coreWait,
        result: [1, 1, 1, 1],
      }),
    }),
  );
  const counts = { submitted: 4, queued: 0, running: 0, done: 4, failed: 0, cancelled: 0 };
  store.ingest(frame(3, { events: [{ type: 'run-finished', runId: 1, at: 300, status: 'completed', counts }] }));
  return store;
}

describe('computeStats', () => {
  it('measures speedup on CPU time, against the workers the pool really had and the cores there are', () => {
    // Worker 2's tasks waited half their time for a core: they took 50 ms but used 25 ms of CPU each.
    const store = grownRun([100, 100, 25, 25], [0, 0, 25, 25]);
    const stats = computeStats(store, 1e9, 2)!;
    expect(stats.elapsedMs).toBe(200);
    expect(stats.speedup).toBeCloseTo(250 / 200);
    // 1 worker for 200 ms + 1 for 100 ms = 1.5 workers on average, on 2 cores.
    expect(stats.averageWorkers).toBeCloseTo(1.5);
    expect(stats.ideal).toBeCloseTo(1.5);
    expect(stats.efficiency).toBeCloseTo(1.25 / 1.5);
    expect(stats.utilisation).toBeCloseTo(1);
    expect(stats.coreWaitShare).toBeCloseTo(50 / 300);
    expect(stats.throughput).toBeCloseTo(20);
    // Worker 2 was busy all of its 100 ms in the pool: it joined late, it was not idle.
    expect(stats.loadImbalance).toBeCloseTo(0);
    expect(stats.workers.map((w) => [w.worker, w.tasksDone, w.utilisation])).toEqual([
      [1, 2, 1],
      [2, 2, 1],
    ]);
  });

  it('holds the ideal at the core count: more workers than cores cannot count as more speedup', () => {
    const stats = computeStats(grownRun([100, 100, 50, 50], [0, 0, 0, 0]), 1e9, 1)!;
    expect(stats.ideal).toBe(1);
    expect(stats.speedup).toBeCloseTo(1.5);
  });

  it('says what it cannot measure instead of guessing', () => {
    const stats = computeStats(grownRun([NaN, NaN, NaN, NaN], [NaN, NaN, NaN, NaN]), 1e9, 2)!;
    expect(stats.speedup).toBeNull();
    expect(stats.efficiency).toBeNull();
    expect(stats.coreWaitShare).toBeNull();
    expect(stats.missing.speedup).toMatch(/CPU time/);
    expect(stats.missing.coreWait).toMatch(/Linux/);
  });
});
