import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame } from '../../../shared/events';
import { makeRunSpec } from '../../../shared/run-spec';
import { TaskStore } from '../../../shared/task-store';
import { FlightTracker } from './flights';

describe('FlightTracker', () => {
  it('coalesces a frame’s settled rows into one result flight per worker, pointing at its last task', () => {
    const store = new TaskStore();
    const flights = new FlightTracker();
    const workers = [1, 2].flatMap((worker) => [
      { type: 'worker-spawned' as const, worker, pid: 10 + worker, at: 0 },
      { type: 'worker-ready' as const, worker, pid: 10 + worker, at: 1 },
    ]);
    const run = { source: 'engine' as const, title: 't', spec: makeRunSpec({ workload: 'square', tasks: 6 }, 2) };
    store.ingest(
      makeFrame({
        seq: 1,
        at: 2,
        runId: 1,
        events: [
          ...workers,
          { type: 'run-started', runId: 1, at: 2, run: { ...run, chunksize: 1, poolSize: 2 }, tasks: 6 },
        ],
      }),
    );
    // Runs of one worker's report, interleaved: 1,1 · 2 · 1 · 2,2 — task 3 failed.
    const frame = makeFrame({
      seq: 2,
      at: 20,
      runId: 1,
      settled: columnsOf('settled', {
        worker: [1, 1, 2, 1, 2, 2],
        task: [0, 1, 2, 3, 4, 5],
        start: [3, 4, 5, 6, 7, 8],
        end: [4, 5, 6, 7, 8, 9],
        ok: [1, 1, 1, 0, 1, 1],
      }),
    });
    store.ingest(frame);
    flights.observe(frame, store, 100);
    const results = flights.flights.filter((f) => f.kind === 'result');
    expect(results.map(({ worker, task, count, slot, failed }) => ({ worker, task, count, slot, failed }))).toEqual([
      { worker: 1, task: 3, count: 3, slot: 3, failed: true },
      { worker: 2, task: 5, count: 3, slot: 5, failed: false },
    ]);
    expect(Array.from(store.order.subarray(0, store.orderLength))).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
