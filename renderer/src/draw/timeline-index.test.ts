import { describe, expect, it } from 'vitest';
import {
  PHASE_KINDS,
  columnsOf,
  makeFrame,
  type Frame,
  type PoolEvent,
  type RunDescription,
} from '../../../shared/events';
import { makeRunSpec } from '../../../shared/run-spec';
import { TaskStore } from '../../../shared/task-store';
import { TimelineIndex } from './timeline-index';

let seq = 0;
const description = (tasks: number): RunDescription => ({
  source: 'engine',
  title: 'test',
  spec: makeRunSpec({ tasks }, 2),
  chunksize: 1,
  poolSize: 2,
});
function frame(patch: Partial<Frame>): Frame {
  return makeFrame({ seq: ++seq, at: 0, runId: 1, ...patch });
}

function run(tasks: number, lanes: [worker: number, spawned: number, exited: number | null][]): TaskStore {
  const store = new TaskStore();
  const events: PoolEvent[] = [];
  for (const [worker, spawned] of lanes) {
    events.push({ type: 'worker-spawned', worker, pid: 100 + worker, at: spawned });
    events.push({ type: 'worker-ready', worker, pid: 100 + worker, at: spawned + 1 });
  }
  events.push({ type: 'run-started', runId: 1, at: 0, run: description(tasks), tasks });
  for (const [worker, , exited] of lanes) {
    if (exited !== null)
      events.push({
        type: 'worker-exited',
        worker,
        at: exited,
        cause: 'recycled',
        code: 0,
        signal: null,
        stderrTail: '',
      });
  }
  store.ingest(frame({ events }));
  return store;
}

describe('TimelineIndex', () => {
  it('keeps each worker’s tasks in start order with a prefix sum of their durations', () => {
    const store = run(6, [
      [1, 0, null],
      [2, 0, null],
    ]);
    // Worker 1 runs 0, 2, 4 (10 ms each); worker 2 runs 1, 3, 5 (5 ms each); reported out of order across frames.
    store.ingest(
      frame({
        settled: columnsOf('settled', {
          worker: [1, 2, 1],
          task: [0, 1, 2],
          start: [0, 0, 10],
          end: [10, 5, 20],
          result: [0, 1, 2],
        }),
      }),
    );
    store.ingest(
      frame({
        settled: columnsOf('settled', {
          worker: [2, 1, 2],
          task: [3, 4, 5],
          start: [5, 20, 10],
          end: [10, 30, 15],
          result: [3, 4, 5],
        }),
      }),
    );
    const index = new TimelineIndex();
    index.update(store);
    const one = index.lanes.get(1)!;
    expect(Array.from(one.ids.subarray(0, one.length))).toEqual([0, 2, 4]);
    expect(Array.from(one.cum.subarray(0, 4))).toEqual([0, 10, 20, 30]);
    expect(one.lowerBound(store.start, 15)).toBe(2);
    const two = index.lanes.get(2)!;
    expect(two.cum[two.length]).toBe(15);
  });

  it('gives each lane the same sums in runs of many tasks, update after update, as adding them one by one', () => {
    const workers = [1, 2, 3];
    const store = run(
      600,
      workers.map((w) => [w, 0, null] as [number, number, number | null]),
    );
    const index = new TimelineIndex();
    const clock = new Map(workers.map((w) => [w, 0]));
    const expected = new Map(workers.map((w) => [w, { ids: [] as number[], cum: [0], cumWait: [0] }]));
    let task = 0;
    // Reports of 1…37 consecutive tasks from one worker, rotating, several reports per frame:
    // lanes outgrow their first arrays (64) and every update starts inside some worker's run.
    for (let report = 0; task < 600; report++) {
      const cols = { worker: [] as number[], task: [] as number[], start: [] as number[], end: [] as number[] };
      const coreWait: number[] = [];
      for (let r = 0; r < 3 && task < 600; r++) {
        const w = workers[(report + r) % 3];
        for (let n = 1 + ((report * 7 + r * 13) % 37); n > 0 && task < 600; n--, task++) {
          const start = clock.get(w)!;
          const end = start + 1 + (task % 5);
          const wait = task % 4 === 0 ? Number.NaN : (task % 3) / 2;
          clock.set(w, end);
          cols.worker.push(w);
          cols.task.push(task);
          cols.start.push(start);
          cols.end.push(end);
          coreWait.push(wait);
          const e = expected.get(w)!;
          e.ids.push(task);
          e.cum.push(e.cum[e.cum.length - 1] + (end - start));
          e.cumWait.push(e.cumWait[e.cumWait.length - 1] + (Number.isNaN(wait) ? 0 : wait));
        }
      }
      store.ingest(frame({ settled: columnsOf('settled', { ...cols, coreWait, result: cols.task }) }));
      index.update(store);
      for (const w of workers) {
        const lane = index.lanes.get(w);
        const e = expected.get(w)!;
        expect(lane?.length ?? 0).toBe(e.ids.length);
        if (!lane) continue;
        expect(Array.from(lane.ids.subarray(0, lane.length))).toEqual(e.ids);
        expect(Array.from(lane.cum.subarray(0, lane.length + 1))).toEqual(e.cum);
        expect(Array.from(lane.cumWait.subarray(0, lane.length + 1))).toEqual(e.cumWait);
        expect(lane.sorted).toBe(true);
      }
    }
    expect(index.lanes.get(1)!.ids.length).toBeGreaterThan(64);
  });

  it('files each task phase under the worker that ran it, and counts them as a change', () => {
    const store = run(2, [
      [1, 0, null],
      [2, 0, null],
    ]);
    const index = new TimelineIndex();
    index.update(store);
    const version = index.version;
    const transfer = PHASE_KINDS.indexOf('transfer');
    const compute = PHASE_KINDS.indexOf('compute');
    store.ingest(
      frame({
        phases: columnsOf('phases', {
          worker: [2, 1, 2],
          task: [1, 0, 1],
          start: [0, 0, 3],
          end: [3, 4, 9],
          kind: [transfer, compute, compute],
        }),
      }),
    );
    index.update(store);
    expect(index.version).toBeGreaterThan(version);
    expect(index.lanes.get(1)?.phases).toEqual([1]);
    expect(index.lanes.get(2)?.phases).toEqual([0, 2]);
  });

  it('puts a replacement worker in the row its predecessor left', () => {
    const store = run(1, [
      [1, 0, 50],
      [2, 0, null],
      [3, 60, null],
    ]);
    const index = new TimelineIndex();
    index.update(store);
    expect(index.rows.map((row) => row.workers)).toEqual([[1, 3], [2]]);
  });

  it('starts over for a new run', () => {
    const store = run(2, [[1, 0, null]]);
    store.ingest(
      frame({ settled: columnsOf('settled', { worker: [1], task: [0], start: [0], end: [1], result: [0] }) }),
    );
    const index = new TimelineIndex();
    index.update(store);
    expect(index.lanes.get(1)?.length).toBe(1);
    store.ingest(
      frame({
        runId: 2,
        events: [{ type: 'run-started', runId: 2, at: 5, run: description(2), tasks: 2 }],
      }),
    );
    index.update(store);
    expect(index.lanes.get(1)).toBeUndefined();
  });

  it('gives no row to a worker spawned after the run ended (the pool went on; the run did not)', () => {
    const store = run(1, [[1, 0, null]]);
    store.ingest(
      frame({
        events: [
          {
            type: 'run-finished',
            runId: 1,
            at: 20,
            status: 'completed',
            counts: { submitted: 1, queued: 0, running: 0, done: 1, failed: 0, cancelled: 0 },
          },
          { type: 'worker-spawned', worker: 2, pid: 102, at: 30 },
        ],
      }),
    );
    const index = new TimelineIndex();
    index.update(store);
    expect(index.rows.map((row) => row.workers)).toEqual([[1]]);
  });
});
