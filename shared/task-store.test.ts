import { describe, expect, it } from 'vitest';
import { makeFrame } from './frames';
import type { Frame, PoolEvent } from './protocol';
import { makeRunSpec } from './run-spec';
import { TaskState, TaskStore } from './task-store';

let seq = 0;
function frame(runId: number | null, patch: Partial<Frame> = {}): Frame {
  return makeFrame({ seq: ++seq, at: 1000 + seq, runId, ...patch });
}

describe('TaskStore', () => {
  it('empties a chunk whose failed task is reported before the tasks that ran ahead of it', () => {
    const store = new TaskStore();
    const spec = makeRunSpec({ workload: 'fail', tasks: 5, faultEvery: 5 }, 1);
    const events: PoolEvent[] = [
      { type: 'worker-spawned', worker: 1, pid: 10, at: 0 },
      { type: 'worker-ready', worker: 1, pid: 10, at: 1 },
      { type: 'run-started', runId: 1, at: 2, spec, chunksize: 5 },
    ];
    store.ingest(frame(1, { events, dispatched: { worker: [1], first: [0], count: [5], at: [3] } }));
    expect(store.lanes.get(1)?.inbox).toHaveLength(1);

    // One frame: task 4's failure travels as an event, tasks 0–3 as done columns.
    const failed: PoolEvent = {
      type: 'task-failed',
      runId: 1,
      task: 4,
      worker: 1,
      start: 9,
      at: 10,
      reason: 'error',
      message: 'boom',
    };
    store.ingest(
      frame(1, {
        events: [failed],
        done: {
          worker: [1, 1, 1, 1],
          task: [0, 1, 2, 3],
          start: [4, 5, 6, 7],
          end: [5, 6, 7, 8],
          result: [0, 1, 2, 3],
        },
      }),
    );
    expect(store.lanes.get(1)?.inbox).toEqual([]);
    const { done, failed: fail } = TaskState;
    expect(Array.from(store.state.subarray(0, 5))).toEqual([done, done, done, done, fail]);
  });
});
