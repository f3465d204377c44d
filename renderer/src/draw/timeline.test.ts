import { describe, expect, it } from 'vitest';
import { makeFrame, type PoolEvent } from '../../../shared/events';
import { makeRunSpec } from '../../../shared/run-spec';
import { TaskStore } from '../../../shared/task-store';
import { axisTicks, describeRows, gutterWidth, placeChips, timelineLayout } from './timeline';
import { TimelineIndex } from './timeline-index';

function storeWith(lanes: [worker: number, pid: number, spawned: number, exited: number | null][]): TaskStore {
  const store = new TaskStore();
  const events: PoolEvent[] = [];
  for (const [worker, pid, spawned] of lanes) {
    events.push({ type: 'worker-spawned', worker, pid, at: spawned });
    events.push({ type: 'worker-ready', worker, pid, at: spawned + 1 });
  }
  const run = { source: 'engine' as const, title: 't', spec: makeRunSpec({ tasks: 1 }, 2), chunksize: 1, poolSize: 2 };
  events.push({ type: 'run-started', runId: 1, at: 0, run, tasks: 1 });
  store.ingest(makeFrame({ seq: 1, at: 0, runId: 1, events }));
  const exits: PoolEvent[] = lanes
    .filter(([, , , exited]) => exited !== null)
    .map(([worker, , , exited]) => ({
      type: 'worker-exited',
      worker,
      at: exited!,
      cause: 'retired',
      code: 0,
      signal: null,
      stderrTail: '',
    }));
  store.ingest(makeFrame({ seq: 2, at: 10, runId: 1, events: exits }));
  return store;
}

describe('timeline layout', () => {
  it('makes the gutter wide enough for a seven-digit pid beside the worker number', () => {
    const small = storeWith([[700, 12345, 0, null]]);
    const large = storeWith([[700, 4194304, 0, null]]);
    const widthOf = (store: TaskStore) => {
      const index = new TimelineIndex();
      index.update(store);
      return gutterWidth(store, index);
    };
    // "W1" at ~7 px a character, a gap, then seven mono digits at ~6 px each.
    expect(widthOf(large)).toBeGreaterThanOrEqual(20 + 2 * 7 + 10 + 7 * 6);
    expect(widthOf(large)).toBeGreaterThan(widthOf(small));
    const index = new TimelineIndex();
    index.update(large);
    const layout = timelineLayout({ width: 590, height: 300, index, store: large });
    expect(layout.pidRight).toBeLessThan(layout.plotX);
    expect(layout.pidRight - 7 * 6.2).toBeGreaterThan(20 + 2 * 7.2);
  });

  it('describes each row as segments, one process each, by its small number', () => {
    // Worker 801 retires at 50; 802 starts after it and takes its row.
    const store = storeWith([
      [800, 1000, 0, null],
      [801, 1001, 0, 50],
      [802, 1002, 60, null],
    ]);
    const index = new TimelineIndex();
    index.update(store);
    const rows = describeRows(store, index, 0, 100);
    expect(rows.map((row) => row.map((s) => s.worker))).toEqual([['W1'], ['W2', 'W3']]);
    expect(rows[1][0]).toMatchObject({ pid: 1001, from: 0, to: 50 });
    expect(rows[1][1]).toMatchObject({ pid: 1002, from: 60, to: null });
  });

  it('labels the axis of a short run in ms, every tick different', () => {
    const ticks = axisTicks({ t0: 0, t1: 180 }, 500);
    expect(ticks[0]).toBe('0');
    expect(ticks.slice(1).every((t) => t.endsWith(' ms'))).toBe(true);
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});

describe('segment chips', () => {
  const plot = [100, 600] as const;

  it('puts each chip where its segment begins, or at the left edge while it runs on from before', () => {
    const chips = placeChips(
      [
        { x0: 50, x1: 200, w: 24 },
        { x0: 210, x1: 600, w: 24 },
      ],
      ...plot,
    );
    expect(chips).toEqual([102, 211]);
  });

  it('names a process that lived a few pixels, moving the next chip clear of it', () => {
    // Q6's children: W2 lives 2 px, W5 starts 4 px after it exits.
    const chips = placeChips(
      [
        { x0: 300, x1: 302, w: 22 },
        { x0: 306, x1: 500, w: 22 },
      ],
      ...plot,
    );
    expect(chips).toEqual([301, 325]);
  });

  it('drops a chip pushed past its own segment, so labels never drift far from what they name', () => {
    // Ten one-pixel processes in a row: only those with room get a chip, each within 4 px of its segment.
    const segments = Array.from({ length: 10 }, (_, k) => ({ x0: 200 + 3 * k, x1: 201 + 3 * k, w: 20 }));
    const chips = placeChips(segments, ...plot);
    expect(chips[0]).toBe(201);
    chips.forEach((x, k) => {
      if (x !== null) expect(x).toBeLessThanOrEqual(segments[k].x1 + 4);
    });
    expect(chips.filter((x) => x !== null).length).toBeLessThan(10);
  });

  it('draws nothing for segments outside the plot or chips that would leave it', () => {
    expect(
      placeChips(
        [
          { x0: 10, x1: 90, w: 20 },
          { x0: 590, x1: 600, w: 30 },
          { x0: 650, x1: 700, w: 20 },
        ],
        ...plot,
      ),
    ).toEqual([null, null, null]);
  });
});
