import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame, type Frame, type PoolEvent } from '../events';
import { makeRunSpec } from '../run-spec';
import { HistoryRecorder, type HistoryEntry } from './history';

let seq = 0;
const frame = (events: PoolEvent[], extra: Partial<Frame> = {}): Frame =>
  makeFrame({ seq: ++seq, at: lastAt(events), runId: null, events, ...extra });
const lastAt = (events: PoolEvent[]) => {
  const last = events[events.length - 1];
  return last && 'at' in last ? last.at : 0;
};

const spec = (tasks: number) => makeRunSpec({ workload: 'square', tasks, poolSize: 2 }, 2);
const spawn = (worker: number, at: number): PoolEvent[] => [
  { type: 'worker-spawned', worker, pid: 100 + worker, at },
  { type: 'worker-ready', worker, pid: 100 + worker, at: at + 5 },
];
const started = (runId: number, tasks: number, at: number): PoolEvent => ({
  type: 'run-started',
  runId,
  at,
  run: { source: 'engine', title: 'square', spec: spec(tasks), chunksize: 1, poolSize: 2 },
  tasks,
});
const finished = (runId: number, tasks: number, at: number): PoolEvent => ({
  type: 'run-finished',
  runId,
  at,
  status: 'completed',
  counts: { submitted: tasks, queued: 0, running: 0, done: tasks, failed: 0, cancelled: 0 },
});
const done = (worker: number, task: number, start: number, end: number) =>
  columnsOf('settled', { worker: [worker], task: [task], start: [start], end: [end], result: [task * task] });

/** Runs `runs` one-task runs on worker 1, one after another. */
function record(recorder: HistoryRecorder, runs: number, tasks = 1): void {
  for (let r = 1; r <= runs; r++) {
    const t = r * 100;
    recorder.ingest(frame([started(r, tasks, t)], { runId: r }));
    recorder.ingest(frame([finished(r, tasks, t + 10)], { runId: r, settled: done(1, 0, t + 1, t + 9) }));
  }
}

describe('HistoryRecorder', () => {
  it('gives each run its own store, seeded with the workers that were already alive', () => {
    let entries: HistoryEntry[] = [];
    const recorder = new HistoryRecorder(
      (e) => (entries = e),
      () => 2,
    );
    recorder.ingest(
      frame([{ type: 'pool-resized', at: 0, poolSize: 2, backend: 'process' }, ...spawn(1, 1), ...spawn(2, 2)]),
    );
    recorder.ingest(frame([started(1, 2, 50)], { runId: 1, settled: done(1, 0, 51, 60) }));
    recorder.ingest(frame([finished(1, 2, 70)], { runId: 1, settled: done(2, 1, 52, 69) }));

    const store = recorder.store(1);
    expect(store?.laneList().map((l) => [l.worker, l.spawnedAt, l.readyAt])).toEqual([
      [1, 1, 6],
      [2, 2, 7],
    ]);
    expect(Array.from(store?.result.subarray(0, 2) ?? [])).toEqual([0, 1]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ runId: 1, status: 'completed', startedAt: 50, finishedAt: 70, kept: true });
    expect(entries[0].stats?.done).toBe(2);
  });

  it('splits a frame at a run start: the exits before it belong to the previous run, the next pool is not its', () => {
    const recorder = new HistoryRecorder(
      () => {},
      () => 2,
    );
    recorder.ingest(frame(spawn(1, 0)));
    record(recorder, 1);
    // The join after run 1, the next pool's worker, and run 2 — all in one frame.
    recorder.ingest(
      frame(
        [
          { type: 'worker-exited', worker: 1, at: 120, cause: 'closed', code: 0, signal: null, stderrTail: '' },
          ...spawn(2, 130),
          started(2, 1, 140),
        ],
        { runId: 2 },
      ),
    );
    const first = recorder.store(1);
    expect(first?.laneList().map((l) => [l.worker, l.exitedAt])).toEqual([[1, 120]]);
    expect(
      recorder
        .store(2)
        ?.laneList()
        .map((l) => l.worker),
    ).toEqual([2]);
  });

  it('is the live store: the pool before any run, then the newest run, which follows the pool until the next', () => {
    const recorder = new HistoryRecorder(
      () => {},
      () => 2,
    );
    recorder.ingest(frame(spawn(1, 0)));
    expect(recorder.live.laneList().map((l) => l.worker)).toEqual([1]);
    const sample = {
      worker: 1,
      pid: 101,
      cpu: 50,
      rssBytes: 1,
      core: 0,
      waitingPct: null,
      state: null,
      stalledMs: null,
      migrations: null,
      migrationsFrom: null,
    };
    recorder.ingest(frame([{ type: 'sample', at: 20, workers: [sample] }]));
    record(recorder, 1);
    expect(recorder.live).toBe(recorder.store(1));
    // A resize after the run: the live view shows the new worker…
    recorder.ingest(frame(spawn(2, 130)));
    expect(recorder.live.laneList().map((l) => l.worker)).toEqual([1, 2]);
    recorder.prepareNext();
    recorder.ingest(frame([started(2, 1, 140)], { runId: 2, settled: done(1, 0, 141, 149) }));
    expect(recorder.live.result[0]).toBe(0);
    expect(recorder.live.counts?.submitted).toBe(1);
    // …but once the next run starts it was never run 1's; the samples carry over to the new run's lanes.
    expect(
      recorder
        .store(1)
        ?.laneList()
        .map((l) => l.worker),
    ).toEqual([1]);
    expect(recorder.live).toBe(recorder.store(2));
    expect(recorder.live.lanes.get(1)?.sample?.cpu).toBe(50);
  });

  it('readies the next run a store as large as the controls ask, between runs only', () => {
    const recorder = new HistoryRecorder(
      () => {},
      () => 2,
    );
    recorder.prepareNext(50_000);
    recorder.ingest(frame([started(1, 10, 10)], { runId: 1 }));
    expect(recorder.live.state.length).toBeGreaterThanOrEqual(50_000);
    // While a run streams, its frames must not pay for the next one.
    recorder.prepareNext(200_000);
    recorder.ingest(frame([finished(1, 10, 20)], { runId: 1 }));
    recorder.ingest(frame([started(2, 10, 30)], { runId: 2 }));
    expect(recorder.live.state.length).toBeLessThan(200_000);
    recorder.ingest(frame([finished(2, 10, 40)], { runId: 2 }));
    recorder.prepareNext(200_000);
    recorder.ingest(frame([started(3, 10, 50)], { runId: 3 }));
    expect(recorder.live.state.length).toBeGreaterThanOrEqual(200_000);
  });

  it('keeps stores for the newest runs only, and summaries for all', () => {
    let entries: HistoryEntry[] = [];
    const recorder = new HistoryRecorder(
      (e) => (entries = e),
      () => 2,
      { runs: 3, tasks: 1_000, entries: 100 },
    );
    recorder.ingest(frame(spawn(1, 0)));
    record(recorder, 5);
    expect(entries.map((e) => [e.runId, e.kept])).toEqual([
      [5, true],
      [4, true],
      [3, true],
      [2, false],
      [1, false],
    ]);
    expect(recorder.store(2)).toBeNull();
    expect(entries[4].stats?.done).toBe(1);
  });

  it('keeps within a task budget, but always the newest run', () => {
    const recorder = new HistoryRecorder(
      () => {},
      () => 2,
      { runs: 20, tasks: 10, entries: 100 },
    );
    recorder.ingest(frame(spawn(1, 0)));
    record(recorder, 3, 6);
    expect([1, 2, 3].map((id) => recorder.store(id) !== null)).toEqual([false, false, true]);
  });

  it('names runs by who started them, before or after their frames', () => {
    let entries: HistoryEntry[] = [];
    const recorder = new HistoryRecorder(
      (e) => (entries = e),
      () => 2,
    );
    recorder.label(1, 'compare', 'GIL');
    record(recorder, 2);
    recorder.label(2, 'sweep', '2 workers');
    expect(entries.map((e) => [e.runId, e.origin, e.label])).toEqual([
      [2, 'sweep', '2 workers'],
      [1, 'compare', 'GIL'],
    ]);
  });

  it('drops samples of workers that have exited', () => {
    const recorder = new HistoryRecorder(
      () => {},
      () => 2,
    );
    recorder.ingest(frame(spawn(1, 0)));
    recorder.ingest(
      frame([{ type: 'worker-exited', worker: 1, at: 10, cause: 'closed', code: 0, signal: null, stderrTail: '' }]),
    );
    const out = recorder.ingest(
      frame([
        {
          type: 'sample',
          at: 11,
          workers: [
            {
              worker: 1,
              pid: 101,
              cpu: 0,
              rssBytes: 1,
              core: null,
              waitingPct: null,
              state: null,
              stalledMs: null,
              migrations: null,
              migrationsFrom: null,
            },
          ],
        },
      ]),
    );
    expect(out.events).toEqual([{ type: 'sample', at: 11, workers: [] }]);
    expect(recorder.pool.live.size).toBe(0);
  });
});
