import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame } from './events';
import { decodeFrame, encodeFrame, FrameDecodeError } from './frame-codec';

describe('frame codec', () => {
  it('carries events and every column through bytes unchanged, as typed arrays', () => {
    const frame = makeFrame({
      seq: 7,
      at: 123.456,
      runId: 3,
      counts: { submitted: 3, queued: 0, running: 1, done: 1, failed: 1, cancelled: 0 },
      events: [{ type: 'output', worker: 1, task: 2, stream: 'stdout', text: 'héllo ✓', at: 5 }],
      dispatched: columnsOf('dispatched', { worker: [1], first: [0], count: [3], at: [1.5] }),
      settled: columnsOf('settled', {
        worker: [1, 1],
        task: [0, 1],
        start: [2, 3],
        end: [3, 4],
        cpu: [0.9, NaN],
        coreWait: [0.1, NaN],
        result: [0, NaN],
        ok: [1, 0],
      }),
    });
    const decoded = decodeFrame(encodeFrame(frame));
    expect(decoded.seq).toBe(7);
    expect(decoded.events).toEqual(frame.events);
    expect(decoded.counts).toEqual(frame.counts);
    expect(decoded.settled.cpu).toBeInstanceOf(Float64Array);
    expect(Array.from(decoded.settled.cpu)).toEqual([0.9, NaN]);
    expect(Array.from(decoded.settled.ok)).toEqual([1, 0]);
    expect(Array.from(decoded.dispatched.count)).toEqual([3]);
    expect(decoded.lockWaits.worker.length).toBe(0);
  });

  it('decodes from a misaligned view (a pooled buffer) by copying', () => {
    const bytes = encodeFrame(makeFrame({ seq: 1, at: 1, runId: null, settled: columnsOf('settled', { task: [5] }) }));
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Array.from(decodeFrame(padded.subarray(3)).settled.task)).toEqual([5]);
  });

  it('refuses what is not a frame, naming why', () => {
    expect(() => decodeFrame(new Uint8Array(3))).toThrow(FrameDecodeError);
    expect(() => decodeFrame(new TextEncoder().encode('{"seq":1}xxxxxxxx'))).toThrow(/not a Poolscope frame/);
    const bytes = encodeFrame(
      makeFrame({ seq: 1, at: 1, runId: null, settled: columnsOf('settled', { task: [1, 2] }) }),
    );
    expect(() => decodeFrame(bytes.subarray(0, bytes.length - 8))).toThrow(/overruns/);
  });
});
