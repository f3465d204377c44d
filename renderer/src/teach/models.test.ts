import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame } from '../../../shared/events';
import { makeRunSpec } from '../../../shared/run-spec';
import { SCENARIOS } from '../../../shared/scenarios';
import { TaskStore } from '../../../shared/task-store';
import { compareReading } from './compare-model';
import { afterMapLines, finalLines, mapCall, printCall, workerLines } from './scenario-output';
import { summariseSweep } from '../../../shared/amdahl';
import { sweepReading } from './sweep-model';
import type { CompareRow } from './teach-slice';

const row = (backend: CompareRow['backend'], wallSpeedup: number): CompareRow => ({
  backend,
  runId: 1,
  workers: backend === 'serial' ? 1 : 2,
  wallMs: 100,
  wallSpeedup,
  speedup: null,
  ideal: 2,
  coreWaitShare: null,
  startupMs: 40,
  rssPerWorkerBytes: null,
  failed: 0,
  store: null,
});

describe('compareReading', () => {
  const cpu = { preset: 'cpu' as const, poolSize: 2, cores: 2, tasks: 40, vsSerial: true };

  it('says which backends used the cores and that GIL threads take turns', () => {
    const rows = [row('serial', 1), row('process', 1.96), row('thread', 1.91), row('gil', 0.98)];
    expect(compareReading(rows, cpu)).toBe(
      'Processes and threads compute on 2 cores at once (process 1.96×, thread 1.91×); GIL threads take turns: 0.98× — no faster than one worker.',
    );
  });

  it('measures I/O-bound work against the pool size, not the cores', () => {
    const rows = [row('serial', 1), row('process', 3.9), row('gil', 3.8)];
    expect(compareReading(rows, { ...cpu, preset: 'io', poolSize: 4 })).toBe(
      'Processes and GIL threads overlap their waits, which need no core (process 3.90×, GIL 3.80×).',
    );
  });

  it('reports a shortfall as measured', () => {
    expect(compareReading([row('process', 1.4)], cpu)).toBe('Processes: 1.40× of an ideal 2×.');
  });
});

describe('summariseSweep', () => {
  it('fits no Amdahl line through one point', () => {
    const { points, serialFraction } = summariseSweep([{ workers: 1, runId: 1, wallMs: 1000 }], 2);
    expect(serialFraction).toBeNull();
    expect(points[0].amdahl).toBeNaN();
  });

  it('takes speedups against one worker and fits Amdahl below the core count only', () => {
    const { points, serialFraction } = summariseSweep(
      [
        { workers: 1, runId: 1, wallMs: 1000 },
        { workers: 2, runId: 2, wallMs: 500 },
        { workers: 3, runId: 3, wallMs: 500 },
        { workers: 4, runId: 4, wallMs: 500 },
      ],
      2,
    );
    expect(serialFraction).toBe(0);
    // Efficiency against the ideal of min(workers, cores), as every view has it; Amdahl on the cores there are.
    expect(points.map((p) => [p.workers, p.speedup, p.efficiency, p.amdahl])).toEqual([
      [1, 1, 1, 1],
      [2, 2, 1, 2],
      [3, 2, 1, 2],
      [4, 2, 1, 2],
    ]);
  });
});

describe('scenario output', () => {
  function ranStore(tasks: number, from: number, value: (n: number) => number, lines: string[] = []): TaskStore {
    const store = new TaskStore();
    const spec = makeRunSpec({ workload: 'square', tasks, from, poolSize: 2 }, 2);
    const task = Array.from({ length: tasks }, (_, i) => i);
    store.ingest(
      makeFrame({
        seq: 1,
        at: 10,
        runId: 1,
        events: [
          {
            type: 'run-started',
            runId: 1,
            at: 0,
            run: { source: 'engine', title: 'q', spec, chunksize: 1, poolSize: 2 },
            tasks,
          },
          ...lines.map((text, i) => ({
            type: 'output' as const,
            worker: 1,
            task: i,
            stream: 'stdout' as const,
            text,
            at: 5,
          })),
        ],
        settled: columnsOf('settled', {
          worker: task.map(() => 1),
          task,
          start: task.map(() => 1),
          end: task.map(() => 2),
          result: task.map((i) => value(from + i)),
        }),
      }),
    );
    return store;
  }

  it('prints Q1 as the seed does', () => {
    const store = ranStore(10, 0, (n) => n * n);
    expect([...afterMapLines(SCENARIOS.q1, store), ...finalLines(SCENARIOS.q1, store)]).toEqual(SCENARIOS.q1.expected);
  });

  it('prints Q4 and Q5 from the run’s own results', () => {
    const store = ranStore(5, 1, (n) => 2 * n);
    expect(finalLines(SCENARIOS.q4, store)).toEqual(['Results: [2, 4, 6, 8, 10]']);
    expect(finalLines(SCENARIOS.q5, store)).toEqual(SCENARIOS.q5.expected);
  });

  it('prints Q6’s worker lines in arrival order, then the parent’s', () => {
    const lines = ['Process 3: The square of 3 is 9.', 'Process 1: The square of 1 is 1.'];
    const store = ranStore(2, 1, () => NaN, lines);
    expect([...workerLines(store), ...finalLines(SCENARIOS.q6, store)]).toEqual([
      ...lines,
      'All processes have finished.',
    ]);
  });

  it('names the calls as the seed writes them', () => {
    expect(printCall(SCENARIOS.q1)).toBe('print("All squares calculated with multiprocessing")');
    expect(printCall(SCENARIOS.q5)).toBe('print("Results:", results)');
    expect(mapCall(makeRunSpec(SCENARIOS.q1.spec, 2))).toBe('results = pool.map(square, range(10))');
    expect(mapCall(makeRunSpec(SCENARIOS.q4.spec, 2))).toBe('results = pool.map(double, [1, 2, 3, 4, 5])');
  });
});

describe('sweepReading', () => {
  const walls = (pairs: [number, number][]) =>
    summariseSweep(
      pairs.map(([workers, wallMs], i) => ({ workers, wallMs, runId: i + 1 })),
      2,
    );

  it('shows no fit from one point, and says "1 worker"', () => {
    const { points, serialFraction } = walls([[1, 1000]]);
    expect(serialFraction).toBeNull();
    const text = sweepReading(points, serialFraction, 2);
    expect(text).toBe(
      'Measured so far: 1 worker 1.00× (the baseline). The Amdahl fit appears once two pool sizes up to the 2 cores are measured.',
    );
    expect(text).not.toMatch(/Serial fraction|1 workers/);
  });

  it('gives the fit and the best size from two sizes on', () => {
    const { points, serialFraction } = walls([
      [1, 1000],
      [2, 526],
    ]);
    expect(sweepReading(points, serialFraction, 2)).toMatch(
      /^Serial fraction \(Amdahl fit up to 2 workers\): \d+(\.\d)?%\. Best: 1\.90× on 2 workers\.$/,
    );
  });
});
