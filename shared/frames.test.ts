import { describe, expect, it } from 'vitest';
import { frameEntries, makeFrame, mergeFrames } from './frames';
import type { Frame } from './protocol';
import { makeRunSpec } from './run-spec';
import { TaskStore } from './task-store';

const spec = makeRunSpec({ workload: 'square', tasks: 4, poolSize: 1 }, 1);
const empty = (seq: number): Frame => makeFrame({ seq, at: seq, runId: 1 });

describe('mergeFrames', () => {
  it('says in one frame what several said, so a task store ends in the same state', () => {
    const frames: Frame[] = [
      {
        ...empty(1),
        events: [
          { type: 'worker-ready', worker: 1, pid: 9, at: 0 },
          { type: 'run-started', runId: 1, at: 0, spec, chunksize: 2 },
        ],
        dispatched: { worker: [1, 1], first: [0, 2], count: [2, 2], at: [1, 1] },
      },
      { ...empty(2), done: { worker: [1, 1], task: [0, 1], start: [2, 3], end: [3, 4], result: [0, 1] } },
      {
        ...empty(3),
        counts: { submitted: 4, queued: 0, running: 0, done: 4, failed: 0, cancelled: 0 },
        done: { worker: [1, 1], task: [2, 3], start: [4, 5], end: [5, 6], result: [4, 9] },
      },
    ];
    const oneByOne = new TaskStore();
    for (const f of frames) oneByOne.ingest(f);
    const merged = mergeFrames(mergeFrames(frames[0], frames[1]), frames[2]);
    expect(merged).toMatchObject({ seq: 3, firstSeq: 1 });
    expect(frameEntries(merged)).toBe(2 + 2 + 4);
    const atOnce = new TaskStore();
    atOnce.ingest(merged);
    expect(atOnce.missedFrames).toBe(0);
    expect(Array.from(atOnce.result.subarray(0, 4))).toEqual(Array.from(oneByOne.result.subarray(0, 4)));
    expect(atOnce.counts).toEqual(oneByOne.counts);
    expect(atOnce.lanes.get(1)?.inbox).toEqual([]);

    // The next live frame follows on without a gap.
    atOnce.ingest(empty(4));
    expect(atOnce.missedFrames).toBe(0);
  });
});
