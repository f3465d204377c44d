import { afterEach, describe, expect, it } from 'vitest';
import { columnsOf, makeFrame, type Frame, type PoolEvent, type RunDescription } from './events';
import { makeRunSpec } from './run-spec';
import { TaskState, TaskStore } from './task-store';

let seq = 0;
function frame(runId: number | null, patch: Partial<Frame> = {}): Frame {
  return makeFrame({ seq: ++seq, at: 1000 + seq, runId, ...patch });
}

const run = (tasks: number): RunDescription => ({
  source: 'engine',
  title: 'test',
  spec: makeRunSpec({ workload: 'square', tasks }, 1),
  chunksize: 1,
  poolSize: 1,
});

function started(store: TaskStore, tasks: number, workers = [1]): void {
  const events: PoolEvent[] = [];
  for (const worker of workers) {
    events.push({ type: 'worker-spawned', worker, pid: 10 + worker, at: 0 });
    events.push({ type: 'worker-ready', worker, pid: 10 + worker, at: 1 });
  }
  events.push({ type: 'run-started', runId: 1, at: 2, run: run(tasks), tasks });
  store.ingest(frame(1, { events }));
}

const settle = (tasks: number[], worker = 1, ok = tasks.map(() => 1)) =>
  columnsOf('settled', {
    worker: tasks.map(() => worker),
    task: tasks,
    start: tasks.map((t) => 10 + t),
    end: tasks.map((t) => 11 + t),
    cpu: tasks.map(() => 0.5),
    coreWait: tasks.map(() => 0.25),
    result: tasks.map((t) => t * t),
    ok,
  });

describe('TaskStore', () => {
  it('settles a chunk whose failed task comes in the same rows as those that ran ahead of it', () => {
    const store = new TaskStore();
    started(store, 5);
    store.ingest(frame(1, { dispatched: columnsOf('dispatched', { worker: [1], first: [0], count: [5], at: [3] }) }));
    expect(store.lanes.get(1)?.held).toBe(5);
    store.ingest(
      frame(1, {
        events: [{ type: 'task-failed', runId: 1, task: 4, worker: 1, reason: 'error', message: 'boom' }],
        settled: settle([0, 1, 2, 3, 4], 1, [1, 1, 1, 1, 0]),
      }),
    );
    const lane = store.lanes.get(1)!;
    expect(lane.held).toBe(0);
    expect(store.runningTask(lane)).toBe(-1);
    const { done, failed } = TaskState;
    expect(Array.from(store.state.subarray(0, 5))).toEqual([done, done, done, done, failed]);
    expect(store.failures).toEqual([{ task: 4, worker: 1, reason: 'error', message: 'boom' }]);
    expect(store.sumCpuMs).toBeCloseTo(2.5);
    expect(store.sumCoreWaitMs).toBeCloseTo(1.25);
    expect(lane.tasksDone).toBe(4);
    expect(lane.tasksFailed).toBe(1);
  });

  it('puts tasks a worker gave back into the queue and out of its hands', () => {
    const store = new TaskStore();
    started(store, 10);
    store.ingest(
      frame(1, { dispatched: columnsOf('dispatched', { worker: [1, 1], first: [0, 5], count: [5, 5], at: [3, 3] }) }),
    );
    store.ingest(
      frame(1, {
        settled: settle([0, 1]),
        events: [
          {
            type: 'tasks-returned',
            runId: 1,
            worker: 1,
            at: 20,
            ranges: [
              [2, 3],
              [5, 5],
            ],
          },
        ],
      }),
    );
    const lane = store.lanes.get(1)!;
    expect(lane.held).toBe(0);
    expect(Array.from(store.state.subarray(0, 10))).toEqual([3, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(store.worker[7]).toBe(-1);
  });

  it('hands a task that starts without being dispatched (a shared queue) to the lane that runs it', () => {
    const store = new TaskStore();
    started(store, 0);
    store.ingest(frame(1, { submitted: columnsOf('submitted', { task: [0, 1, 2], call: [7, 7, 7], at: [3, 3, 3] }) }));
    expect(store.size).toBe(3);
    store.ingest(frame(1, { started: columnsOf('started', { worker: [1], task: [1], at: [4] }) }));
    const lane = store.lanes.get(1)!;
    expect([lane.held, lane.current, store.state[1]]).toEqual([1, 1, TaskState.running]);
    store.ingest(frame(1, { settled: settle([1, 0]) }));
    expect([lane.held, lane.current]).toEqual([0, -1]);
    expect(store.call[2]).toBe(7);
    expect(Array.from(store.state.subarray(0, 3))).toEqual([TaskState.done, TaskState.done, TaskState.queued]);
  });

  it('numbers workers per run, so names stay small however many workers came and went', () => {
    const store = new TaskStore();
    started(store, 1, [101, 102]);
    expect(store.laneList().map((l) => l.number)).toEqual([1, 2]);
    store.ingest(
      frame(1, {
        events: [
          { type: 'worker-exited', worker: 101, at: 5, cause: 'retired', code: 0, signal: null, stderrTail: '' },
          { type: 'run-finished', runId: 1, at: 6, status: 'completed', counts: store.counts! },
        ],
      }),
    );
    store.ingest(
      frame(2, {
        events: [
          { type: 'worker-spawned', worker: 150, pid: 7, at: 7 },
          { type: 'run-started', runId: 2, at: 8, run: run(1), tasks: 1 },
          { type: 'worker-spawned', worker: 151, pid: 8, at: 9 },
        ],
      }),
    );
    expect(store.laneList().map((l) => [l.worker, l.number])).toEqual([
      [102, 1],
      [150, 2],
      [151, 3],
    ]);
  });

  it('starts every run with clean slots, whatever the sizes of the runs before it and what was reserved', () => {
    const store = new TaskStore();
    // Reserved in steps, and the first run begins before the last step.
    expect(store.reserve(5_000, 2_000)).toBe(false);
    expect(store.reserve(5_000, 2_000)).toBe(false);
    let runId = 0;
    const runOf = (tasks: number, settled: number) => {
      runId++;
      const events: PoolEvent[] =
        runId === 1
          ? [
              { type: 'worker-spawned', worker: 1, pid: 11, at: 0 },
              { type: 'worker-ready', worker: 1, pid: 11, at: 1 },
            ]
          : [];
      events.push({ type: 'run-started', runId, at: 2, run: run(tasks), tasks });
      store.ingest(frame(runId, { events }));
      const ids = Array.from({ length: settled }, (_, t) => t);
      store.ingest(
        frame(runId, {
          dispatched: columnsOf('dispatched', { worker: [1], first: [0], count: [settled], at: [3] }),
          settled: settle(ids),
        }),
      );
    };
    const clean = (from: number, to: number) => {
      for (let t = from; t < to; t++) {
        if (
          store.state[t] !== TaskState.queued ||
          store.worker[t] !== -1 ||
          !Number.isNaN(store.start[t] + store.end[t] + store.cpu[t] + store.result[t] + store.dispatchedAt[t])
        )
          return t;
      }
      return -1;
    };
    runOf(4_000, 1_000);
    expect(clean(1_000, 5_000)).toBe(-1);
    runOf(6_000, 6_000); // grows past what was reserved
    runOf(3_000, 3_000); // smaller: slots 3,000 … 5,999 were the first run's
    runOf(5_000, 1_000);
    expect(store.orderLength).toBe(1_000);
    expect(clean(1_000, 5_000)).toBe(-1);
    expect(clean(5_000, 6_000)).toBe(-1);
    // Between runs, steps ready a larger store without touching the last run's tasks.
    let steps = 1;
    while (!store.reserve(20_000, 4_000)) steps++;
    expect(steps).toBeGreaterThan(1);
    expect(store.orderLength).toBe(1_000);
    expect(store.state[0]).toBe(TaskState.done);
    runOf(20_000, 0);
    expect(clean(0, 20_000)).toBe(-1);
  });
});

/**
 * Counts the elements array methods may visit: a per-task scan of a lane's
 * chunks, the failure list or any other list shows up as work that grows with
 * the square of the task count.
 */
const SCANNERS = [
  'findIndex',
  'find',
  'indexOf',
  'includes',
  'filter',
  'some',
  'every',
  'splice',
  'slice',
  'shift',
  'unshift',
  'map',
  'reduce',
  'forEach',
  'concat',
  'findLast',
  'findLastIndex',
  'lastIndexOf',
] as const;
const originals = new Map<string, unknown>();
let visited = 0;
function countScans(): void {
  for (const name of SCANNERS) {
    const original = Array.prototype[name] as (...args: unknown[]) => unknown;
    originals.set(name, original);
    Object.defineProperty(Array.prototype, name, {
      configurable: true,
      writable: true,
      value: function (this: unknown[], ...args: unknown[]) {
        visited += this.length;
        return original.apply(this, args);
      },
    });
  }
}
afterEach(() => {
  for (const [name, original] of originals)
    Object.defineProperty(Array.prototype, name, { configurable: true, writable: true, value: original });
  originals.clear();
});

/** A run of n one-task chunks on 4 workers, settled in frames of 500, with returns and failures along the way. */
function ingestRun(n: number): TaskStore {
  const store = new TaskStore();
  started(store, n, [1, 2, 3, 4]);
  const perWorker = n / 4;
  const dispatched = { worker: [] as number[], first: [] as number[], count: [] as number[], at: [] as number[] };
  for (let t = 0; t < n; t++) {
    dispatched.worker.push(1 + Math.floor(t / perWorker));
    dispatched.first.push(t);
    dispatched.count.push(1);
    dispatched.at.push(3);
  }
  store.ingest(frame(1, { dispatched: columnsOf('dispatched', dispatched) }));
  for (let from = 0; from < perWorker; from += 500) {
    for (let w = 0; w < 4; w++) {
      const tasks = Array.from({ length: Math.min(500, perWorker - from) }, (_, k) => w * perWorker + from + k);
      // The last of every batch fails: failures are events as well as rows.
      const ok = tasks.map((_, k) => (k === tasks.length - 1 ? 0 : 1));
      const events: PoolEvent[] = [
        { type: 'task-failed', runId: 1, task: tasks[tasks.length - 1], worker: w + 1, reason: 'error', message: 'x' },
      ];
      store.ingest(frame(1, { events, settled: settle(tasks, w + 1, ok) }));
    }
  }
  return store;
}

describe('TaskStore ingest', () => {
  it('does O(1) work per task: no list is scanned per task, however long the run', () => {
    countScans();
    visited = 0;
    const small = ingestRun(8_000);
    const smallWork = visited;
    visited = 0;
    const large = ingestRun(32_000);
    const largeWork = visited;
    expect(small.orderLength).toBe(8_000);
    expect(large.orderLength).toBe(32_000);
    expect(large.laneList().every((lane) => lane.held === 0)).toBe(true);
    // Four times the tasks: four times the work when linear, sixteen when quadratic.
    expect(largeWork).toBeLessThan(5 * Math.max(smallWork, 1_000));
    expect(largeWork / 32_000).toBeLessThan(20);
  });
});

describe('TaskStore settling whole chunks', () => {
  /**
   * Two workers with chunks of 10, dispatched three chunks to a row, each
   * worker's second row right after its first; settled in reports that start
   * and end inside chunks and rows, in frames that mix both workers; one
   * report has a failure. Fed as is, most rows go through the column-copying
   * path; with a row for no task put first, every report goes through the
   * per-task loop.
   */
  function feed(perTaskOnly: boolean, reportCount: number): TaskStore {
    const store = new TaskStore();
    started(store, 120, [1, 2]);
    store.ingest(
      frame(1, {
        dispatched: columnsOf('dispatched', {
          worker: [1, 2, 1, 2],
          first: [0, 60, 30, 90],
          count: [30, 30, 30, 30],
          at: [3, 3, 40, 41],
          size: [10, 10, 10, 10],
        }),
      }),
    );
    const reports: [number, number[], number[]?][] = [
      [1, range(0, 15)],
      [2, range(60, 95)],
      [1, range(15, 45)],
      [1, range(45, 60), range(45, 60).map((t) => (t === 50 ? 0 : 1))],
      [2, range(95, 120)],
    ];
    for (const [worker, tasks, ok] of reports.slice(0, reportCount)) {
      const rows = perTaskOnly ? [-1, ...tasks] : tasks;
      const oks = perTaskOnly ? [1, ...(ok ?? tasks.map(() => 1))] : ok;
      store.ingest(frame(1, { settled: settle(rows, worker, oks) }));
    }
    return store;
  }
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  /** Everything settling changes, as plain values. */
  const snapshot = (store: TaskStore) => ({
    columns: Object.fromEntries(
      (['state', 'worker', 'start', 'end', 'cpu', 'coreWait', 'result'] as const).map((name) => [
        name,
        Array.from(store[name].subarray(0, 120)),
      ]),
    ),
    order: Array.from(store.order.subarray(0, store.orderLength)),
    sums: [
      store.sumTaskMs,
      store.sumCpuMs,
      store.cpuTasks,
      store.sumCoreWaitMs,
      store.coreWaitTasks,
      store.sumDispatchLatencyMs,
      store.dispatchLatencyCount,
      store.firstStart,
      store.lastEnd,
    ],
    lanes: store.laneList().map((lane) => ({
      held: lane.held,
      tasksDone: lane.tasksDone,
      tasksFailed: lane.tasksFailed,
      busyMs: lane.busyMs,
      cpuMs: lane.cpuMs,
      coreWaitMs: lane.coreWaitMs,
      lastEnd: lane.lastEnd,
      running: store.runningTask(lane),
      chunksLeft: lane.chunks.length - lane.chunkHead,
    })),
  });

  it('gives what settling task by task gives, report after report', () => {
    for (let count = 1; count <= 5; count++)
      expect(snapshot(feed(false, count)), `after ${count} reports`).toEqual(snapshot(feed(true, count)));
    const store = feed(false, 5);
    expect(store.orderLength).toBe(120);
    expect(store.state[50]).toBe(TaskState.failed);
    expect(store.laneList().map((lane) => [lane.held, lane.tasksDone, lane.chunks.length - lane.chunkHead])).toEqual([
      [0, 59, 0],
      [0, 60, 0],
    ]);
    // A chunk's first task counts its start against when the worker could have begun it.
    expect(store.dispatchLatencyCount).toBe(12);
  });
});
