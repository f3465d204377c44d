import { describe, expect, it } from 'vitest';
import { makeFrame } from './frames';
import type { Frame, PoolEvent } from './protocol';
import { makeRunSpec } from './run-spec';
import { computeStats } from './stats';
import { TaskStore } from './task-store';

const frame = (seq: number, patch: Partial<Frame>): Frame => makeFrame({ seq, at: seq, runId: 1, ...patch });

describe('computeStats', () => {
  it('measures speedup and efficiency against the workers the pool really had', () => {
    const store = new TaskStore();
    const spec = makeRunSpec({ workload: 'cpu', tasks: 4, poolSize: 1 }, 1);
    const events: PoolEvent[] = [
      { type: 'worker-ready', worker: 1, pid: 11, at: 0 },
      { type: 'run-started', runId: 1, at: 100, spec, chunksize: 1 },
    ];
    // Worker 1 works 100…300; worker 2 joins at 200 (the pool grew) and works 200…300.
    store.ingest(
      frame(1, {
        events,
        dispatched: { worker: [1, 1], first: [0, 1], count: [1, 1], at: [100, 100] },
      }),
    );
    store.ingest(
      frame(2, {
        events: [{ type: 'worker-ready', worker: 2, pid: 12, at: 200 }],
        dispatched: { worker: [2, 2], first: [2, 3], count: [1, 1], at: [200, 200] },
        done: {
          worker: [1, 1, 2, 2],
          task: [0, 1, 2, 3],
          start: [100, 200, 200, 250],
          end: [200, 300, 250, 300],
          result: [1, 1, 1, 1],
        },
      }),
    );
    store.ingest(
      frame(3, {
        events: [
          {
            type: 'run-finished',
            runId: 1,
            at: 300,
            status: 'completed',
            counts: { submitted: 4, queued: 0, running: 0, done: 4, failed: 0, cancelled: 0 },
          },
        ],
      }),
    );
    const stats = computeStats(store, 1e9)!;
    expect(stats.elapsedMs).toBe(200);
    expect(stats.speedup).toBeCloseTo(300 / 200);
    // 1 worker for 200 ms + 1 for 100 ms = 1.5 workers on average: fully used.
    expect(stats.efficiency).toBeCloseTo(1);
    expect(stats.utilisation).toBeCloseTo(1);
    expect(stats.throughput).toBeCloseTo(20);
    expect(stats.workers.map((w) => [w.worker, w.tasksDone])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});
