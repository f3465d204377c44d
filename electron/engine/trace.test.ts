import { afterEach, describe, expect, it } from 'vitest';
import { makeRunSpec } from '../../shared/run-spec';
import { TaskState, TaskStore } from '../../shared/task-store';
import { chromeTraceJson, type ChromeTrace } from '../../shared/trace';
import { importTrace, TraceReplay } from '../../shared/trace-import';
import { workerEntryPath } from '../host/build';
import { forkLauncher } from './launcher';
import { Pool } from './pool';

let pool: Pool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** A real run recorded into a task store. */
async function recordRun(backend: 'process' | 'gil', tasks: number) {
  pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2, backend });
  const store = new TaskStore();
  pool.onFrame((frame) => store.ingest(frame));
  await pool.ready();
  await pool.start(makeRunSpec({ poolSize: 2, backend, workload: 'cpu', costMs: 8, tasks, chunksize: 1 }, 2)).finished;
  return store;
}

describe('trace export and import', () => {
  it('round-trips a real run: the same tasks, workers, times and results', async () => {
    const original = await recordRun('process', 16);
    const json = JSON.parse(chromeTraceJson(original));
    const imported = importTrace(json);
    expect(imported.ours).toBe(true);
    expect(imported.run.spec).toMatchObject({ workload: 'cpu', costMs: 8, tasks: 16, poolSize: 2 });

    const replayed = new TaskStore();
    const replay = new TraceReplay(imported, 1, original.run!.startedAt);
    replayed.ingest(replay.frameAt(Infinity));
    expect(replayed.counts).toMatchObject({ done: 16, failed: 0 });

    // Task ids in a replay are positions in start order; match each to its original by start time.
    const origin = original.run!.startedAt;
    const byStart = [...Array(16).keys()].sort((a, b) => original.start[a] - original.start[b]);
    const firstStart = original.start[byStart[0]];
    byStart.forEach((task, k) => {
      expect(replayed.state[k]).toBe(TaskState.done);
      expect(replayed.worker[k]).toBe(original.worker[task]);
      expect(replayed.result[k]).toBe(original.result[task]);
      expect(replayed.cpu[k]).toBeCloseTo(original.cpu[task], 3);
      // Replayed times are relative to the first event, which is the earliest start here.
      expect(replayed.start[k] - origin).toBeCloseTo(original.start[task] - firstStart, 3);
      expect(replayed.end[k] - replayed.start[k]).toBeCloseTo(original.end[task] - original.start[task], 3);
    });
  });

  it('exports GIL waits as their own slices and brings them back', async () => {
    const original = await recordRun('gil', 8);
    expect(original.waits.length).toBeGreaterThan(0);
    const trace = JSON.parse(chromeTraceJson(original)) as ChromeTrace;
    const waitSlices = trace.traceEvents.filter((e) => e.cat === 'lock-wait');
    expect(waitSlices).toHaveLength(original.waits.length);
    // Threads of one process: one pid, a tid per worker.
    const tasks = trace.traceEvents.filter((e) => e.cat === 'cpu');
    expect(new Set(tasks.map((e) => e.pid)).size).toBe(1);
    expect(new Set(tasks.map((e) => e.tid)).size).toBe(2);
    const imported = importTrace(trace);
    expect(imported.waits).toHaveLength(original.waits.length);
    expect(imported.tasks).toHaveLength(8);
  });
});
