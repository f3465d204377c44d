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
    expect(trace.tasks).toEqual([
      { lane: 1, start: 0, end: 0.5, name: 'work', failed: false, result: null, cpu: NaN, coreWait: NaN },
      { lane: 2, start: 0.2, end: 0.5, name: 'work', failed: false, result: null, cpu: NaN, coreWait: NaN },
    ]);
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
    expect(trace.tasks.map((t) => [t.name, t.start, t.end])).toEqual([
      ['outer', 0, 1],
      ['inner', 0.1, 0.2],
      ['other', 0.15, 0.25],
    ]);
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

  it('reads a trace of 300,000 tasks (too many to spread into one call)', () => {
    const events = Array.from({ length: 300_000 }, (_, i) => x(i * 10, 8, (i % 4) + 1));
    const trace = importTrace(events);
    expect(trace.tasks).toHaveLength(300_000);
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
