import type { Frame } from './protocol';

/** A frame with nothing in it but what `fields` says; every column empty. */
export function makeFrame(fields: Pick<Frame, 'seq' | 'at' | 'runId'> & Partial<Frame>): Frame {
  return {
    counts: null,
    events: [],
    dispatched: { worker: [], first: [], count: [], at: [] },
    started: { worker: [], task: [], at: [] },
    done: { worker: [], task: [], start: [], end: [], result: [] },
    waits: { worker: [], task: [], start: [], end: [] },
    ...fields,
  };
}

/**
 * One frame that says what `earlier` then `later` said. Frames are deltas with
 * append-only columns, so a consumer that fell behind can take several at once
 * without losing anything; the merged frame covers sequence numbers
 * earlier.firstSeq … later.seq.
 */
export function mergeFrames(earlier: Frame, later: Frame): Frame {
  const join = <T extends object>(a: T, b: T): T => {
    const columns = a as Record<string, unknown[]>;
    const more = b as Record<string, unknown[]>;
    return Object.fromEntries(Object.keys(columns).map((key) => [key, columns[key].concat(more[key])])) as T;
  };
  return {
    ...later,
    firstSeq: earlier.firstSeq ?? earlier.seq,
    // A frame's counts are null only before any run; keep what the earlier one knew.
    counts: later.counts ?? earlier.counts,
    runId: later.runId ?? earlier.runId,
    events: earlier.events.concat(later.events),
    dispatched: join(earlier.dispatched, later.dispatched),
    started: join(earlier.started, later.started),
    done: join(earlier.done, later.done),
    waits: join(earlier.waits, later.waits),
  };
}

/** How many per-task entries a frame carries: a measure of its size. */
export function frameEntries(frame: Frame): number {
  return (
    frame.events.length +
    frame.dispatched.at.length +
    frame.started.at.length +
    frame.done.task.length +
    frame.waits.start.length
  );
}
