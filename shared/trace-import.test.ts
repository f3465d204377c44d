import { describe, expect, it } from 'vitest';
import { importTrace, TraceImportError, TraceReplay } from './trace-import';
import { TaskState, TaskStore } from './task-store';

const x = (ts: number, dur: number, tid = 1, extra: Record<string, unknown> = {}) => ({
  ph: 'X',
  name: 'work',
  pid: 7,
  tid,
  ts,
  dur,
  ...extra,
});

describe('importTrace', () => {
  it('reads a bare array of X events from any tool', () => {
    const trace = importTrace([x(1000, 500), x(1200, 300, 2), { ph: 'C', name: 'counter', ts: 5, pid: 7, args: {} }]);
    expect(trace.ours).toBe(false);
    expect(trace.lanes.map((l) => l.lane)).toEqual([1, 2]);
    const { tasks } = trace;
    expect(tasks.length).toBe(2);
    expect([...tasks.lane]).toEqual([1, 2]);
    expect([...tasks.start]).toEqual([0, 0.2]);
    expect([...tasks.end]).toEqual([0.5, 0.5]);
    // Nothing measured or returned in another tool's trace; both end at 0.5 ms, in start order.
    expect([...tasks.cpu, ...tasks.coreWait, ...tasks.result]).toEqual(Array(6).fill(NaN));
    expect([...tasks.failed]).toEqual([0, 0]);
    expect([...tasks.byEnd]).toEqual([0, 1]);
    expect(trace.run.title).toBe('2 trace slices');
    expect(trace.run.spec).toBeUndefined();
  });

  it('pairs B/E events per thread, nested ones too, in a traceEvents object', () => {
    const trace = importTrace({
      traceEvents: [
        { ph: 'B', name: 'outer', pid: 1, tid: 1, ts: 0 },
        { ph: 'B', name: 'inner', pid: 1, tid: 1, ts: 100 },
        { ph: 'B', name: 'other', pid: 1, tid: 2, ts: 150 },
        { ph: 'E', pid: 1, tid: 1, ts: 200 },
        { ph: 'E', pid: 1, tid: 2, ts: 250 },
        { ph: 'E', pid: 1, tid: 1, ts: 1000 },
      ],
    });
    // outer, inner, other by start; inner and other end before outer.
    expect([...trace.tasks.start]).toEqual([0, 0.1, 0.15]);
    expect([...trace.tasks.end]).toEqual([1, 0.2, 0.25]);
    expect([...trace.tasks.lane]).toEqual([1, 1, 2]);
    expect([...trace.tasks.byEnd]).toEqual([1, 2, 0]);
  });

  it.each([
    ['not a trace', { hello: 1 }, /traceEvents/],
    ['a non-object event', [x(0, 1), 5], /event 1: expected an object/],
    ['a missing phase', [{ name: 'a', ts: 0 }], /event 0, field "ph"/],
    ['a string timestamp', [x(0, 1), { ...x(0, 1), ts: '12' }], /event 1, field "ts": expected a finite number/],
    ['a negative duration', [{ ...x(0, 1), dur: -4 }], /event 0, field "dur": expected at least 0/],
    ['an object pid', [{ ...x(0, 1), pid: { a: 1 } }], /event 0, field "pid"/],
    [
      'an E without a B',
      [{ ph: 'E', pid: 1, tid: 1, ts: 5 }],
      /event 0, field "ph": an end \(E\) event with no matching begin/,
    ],
    [
      'a B that never ends',
      [x(0, 1), { ph: 'B', pid: 1, tid: 1, ts: 5 }],
      /event 1, field "ph": a begin \(B\) event that never ends/,
    ],
    ['no slices at all', [{ ph: 'M', name: 'process_name', pid: 1, args: { name: 'p' } }], /no task slices/],
    ['an end that overflows', [x(1e308, 1e308)], /event 0, field "dur": ts \+ dur overflows/],
    // JSON's 1e309 parses to Infinity.
    ['a pid beyond any integer', [x(0, 1, 1, { pid: Infinity })], /event 0, field "pid": expected an integer id/],
    ['a 400-digit pid', [x(0, 1, 1, { pid: '9'.repeat(400) })], /event 0, field "pid": expected an id of at most 64/],
    ['an infinite ts', [{ ph: 'B', pid: 1, tid: 1, ts: Infinity }], /event 0, field "ts": expected a finite number/],
  ])('refuses %s with the event and field named', (_, json, message) => {
    expect(() => importTrace(json)).toThrow(TraceImportError);
    expect(() => importTrace(json)).toThrow(message);
  });

  it('keeps what our own export measured: results, CPU, core waits and which tasks failed', () => {
    const trace = importTrace({
      traceEvents: [
        x(0, 100, 1, { name: 'task 0', cat: 'square', args: { result: 4, cpu_ms: 0.05, core_wait_ms: 0.01 } }),
        x(50, 20, 2, { name: 'task 1 (error)', cat: 'failed', args: { cpu_ms: 0.02 } }),
      ],
      otherData: { generator: 'poolscope' },
    });
    const { tasks } = trace;
    expect([...tasks.result]).toEqual([4, NaN]);
    expect([...tasks.cpu]).toEqual([0.05, 0.02]);
    expect([...tasks.coreWait]).toEqual([0.01, NaN]);
    expect([...tasks.failed]).toEqual([0, 1]);
    expect([...tasks.failedNames]).toEqual([[1, 'task 1 (error)']]);
    expect([...tasks.byEnd]).toEqual([1, 0]);

    const store = new TaskStore();
    store.ingest(new TraceReplay(trace, 1).frameAt(trace.durationMs));
    expect(store.counts).toMatchObject({ done: 1, failed: 1 });
    expect(store.failures).toEqual([{ task: 1, worker: 2, reason: 'error', message: 'task 1 (error)' }]);
    expect([...store.order.subarray(0, 2)]).toEqual([1, 0]);
    expect(store.result[0]).toBe(4);
  });

  it('reads a trace of 300,000 tasks (too many to spread into one call)', () => {
    const events = Array.from({ length: 300_000 }, (_, i) => x(i * 10, 8, (i % 4) + 1));
    const trace = importTrace(events);
    expect(trace.tasks.length).toBe(300_000);
    expect(trace.durationMs).toBeCloseTo(2_999.998, 6);
  });
});

describe('TraceReplay', () => {
  it('feeds a task store the same way a live run does, a slice of time at a time', () => {
    const trace = importTrace([x(0, 1000), x(500, 1000, 2), x(1000, 1000)]);
    const replay = new TraceReplay(trace, 1, 10_000);
    const store = new TaskStore();
    store.ingest(replay.frameAt(0.6));
    expect(store.counts).toMatchObject({ submitted: 3, queued: 1, running: 2, done: 0 });
    expect(store.state[0]).toBe(TaskState.running);
    store.ingest(replay.frameAt(1.2));
    expect(store.counts).toMatchObject({ done: 1, running: 2, queued: 0 });
    store.ingest(replay.frameAt(5));
    expect(replay.done).toBe(true);
    expect(store.run?.status).toBe('completed');
    expect(store.counts).toMatchObject({ done: 3, running: 0 });
    expect(Array.from(store.start.subarray(0, 3))).toEqual([10_000, 10_000.5, 10_001]);
    expect(Array.from(store.end.subarray(0, 3))).toEqual([10_001, 10_001.5, 10_002]);
    expect(store.lanes.get(2)?.tasksDone).toBe(1);
    // A trace says when tasks ran, not when they were sent: no dispatch latency is made up.
    expect(store.dispatchLatencyCount).toBe(0);
  });

  it('seeks to the end of a million-task trace in one frame, fast', () => {
    const events = Array.from({ length: 1_000_000 }, (_, i) => x(i, 0.8, (i % 8) + 1));
    const trace = importTrace(events);
    const store = new TaskStore();
    const t0 = performance.now();
    store.ingest(new TraceReplay(trace, 1).frameAt(trace.durationMs));
    const ms = performance.now() - t0;
    expect(store.counts).toMatchObject({ done: 1_000_000, running: 0, queued: 0 });
    expect(store.run?.status).toBe('completed');
    // Generous for a loaded 2-core machine; per-task scans took 75 s here.
    expect(ms).toBeLessThan(5_000);
  });
});
