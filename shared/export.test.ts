import { describe, expect, it } from 'vitest';
import { tasksCsvText, tasksToCsv } from './csv';
import { chromeTraceJson, chromeTraceText, type ChromeTrace } from './trace';
import { importTrace, TraceReplay } from './trace-import';
import { TaskStore } from './task-store';

/** A store fed by replaying `tasks` slices of 1 ms, one every 0.5 ms on two threads, up to `until` ms. */
function storeAt(tasks: number, until: number) {
  const events = Array.from({ length: tasks }, (_, i) => ({
    ph: 'X',
    pid: 1,
    tid: (i % 2) + 1,
    ts: i * 500,
    dur: 1000,
  }));
  const replay = new TraceReplay(importTrace(events), 1);
  const store = new TaskStore();
  store.ingest(replay.frameAt(until));
  return { store, replay };
}

const taskSlices = (json: string) =>
  (JSON.parse(json) as ChromeTrace).traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'worker');

describe('chromeTraceText', () => {
  it('writes the same JSON in pieces of any size', () => {
    const { store } = storeAt(50, Infinity);
    const whole = chromeTraceJson(store);
    expect(taskSlices(whole)).toHaveLength(50);
    for (const size of [1, 7, 50, 1000]) {
      const pieces = [...chromeTraceText(store, size)];
      expect(pieces.join('')).toBe(whole);
      // 50 task events (and a few for the threads) at `size` a piece, plus the closing one.
      expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(50 / size));
    }
  });

  it('holds the tasks settled when it began, while the run goes on under it', () => {
    const { store, replay } = storeAt(50, 10);
    const settled = store.orderLength;
    expect(settled).toBeGreaterThan(0);
    const pieces = chromeTraceText(store, 4);
    const first = pieces.next();
    store.ingest(replay.frameAt(Infinity));
    expect(store.orderLength).toBe(50);
    const json = [first.value as string, ...pieces].join('');
    expect(taskSlices(json)).toHaveLength(settled);
  });
});

describe('tasksCsvText', () => {
  it('writes the same CSV in pieces of any size, a row per task', () => {
    const { store } = storeAt(50, Infinity);
    const whole = tasksToCsv(store);
    expect(whole.trimEnd().split('\n')).toHaveLength(51);
    for (const size of [1, 7, 50, 1000]) expect([...tasksCsvText(store, size)].join('')).toBe(whole);
  });

  it('shows every task as it was when it began, while the run goes on under it', () => {
    const { store, replay } = storeAt(50, 10);
    const before = tasksToCsv(store);
    const pieces = tasksCsvText(store, 4);
    const first = pieces.next();
    store.ingest(replay.frameAt(Infinity));
    expect([first.value as string, ...pieces].join('')).toBe(before);
    expect(before).toContain(',running,');
    expect(tasksToCsv(store)).not.toContain(',running,');
  });
});
