import { describe, expect, it } from 'vitest';
import { columnsOf, makeFrame, type Frame } from '../../shared/events';
import { decodeFrame } from '../../shared/frame-codec';
import { FrameChannel } from './frame-channel';

/** A frame source like Pool.onFrame: each subscriber first gets a catch-up frame. */
function source() {
  const listeners = new Set<(frame: Frame) => void>();
  let seq = 0;
  let subscriptions = 0;
  return {
    subscribe(listener: (frame: Frame) => void) {
      subscriptions++;
      listener(
        makeFrame({
          seq,
          at: 0,
          runId: null,
          events: [{ type: 'pool-resized', at: 0, poolSize: 2, backend: 'process' }],
        }),
      );
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    /** A frame of `rows` settled tasks (about 50 bytes each). */
    emit(rows: number) {
      const task = Array.from({ length: rows }, (_, i) => i);
      const frame = makeFrame({ seq: ++seq, at: seq, runId: 1, settled: columnsOf('settled', { task }) });
      for (const listener of listeners) listener(frame);
    },
    get subscriptions() {
      return subscriptions;
    },
  };
}

function receiver() {
  const got: Frame[] = [];
  return { got, send: (bytes: Uint8Array) => got.push(decodeFrame(bytes)), seqs: () => got.map((f) => f.seq) };
}

describe('FrameChannel', () => {
  it('starts every open with a catch-up frame, then passes frames on while the receiver keeps up', () => {
    const frames = source();
    const channel = new FrameChannel({ subscribe: (l) => frames.subscribe(l) });
    const page = receiver();
    channel.open(page);
    frames.emit(10);
    channel.ack(1);
    frames.emit(10);
    expect(page.seqs()).toEqual([0, 1, 2]);
    // A reload: a new document, a new subscription, a new catch-up frame.
    channel.open(page);
    expect(frames.subscriptions).toBe(2);
    expect(page.got.at(-1)!.events[0]).toMatchObject({ type: 'pool-resized' });
    channel.close();
  });

  it('holds frames past the unacknowledged allowance, in order, and sends them as acks come', () => {
    const frames = source();
    const channel = new FrameChannel({ subscribe: (l) => frames.subscribe(l), maxInFlightBytes: 4_000 });
    const page = receiver();
    channel.open(page);
    for (let k = 0; k < 10; k++) frames.emit(100);
    const sent = page.got.length;
    expect(sent).toBeLessThan(11);
    expect(channel.backlog.held).toBe(11 - sent);
    for (let k = 0; k < 20 && channel.backlog.held > 0; k++) channel.ack(page.got.at(-1)!.seq);
    expect(page.seqs()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    channel.close();
  });

  it('drops what it holds past its limit and resyncs the receiver once it has caught up, saying how much it missed', () => {
    const frames = source();
    const channel = new FrameChannel({
      subscribe: (l) => frames.subscribe(l),
      maxInFlightBytes: 1_000,
      maxHeldBytes: 20_000,
    });
    const page = receiver();
    channel.open(page);
    for (let k = 0; k < 100; k++) frames.emit(100);
    // O(1) per frame: bounded memory however long the receiver is away.
    expect(channel.backlog.heldBytes).toBeLessThanOrEqual(20_000);
    const skipped = channel.backlog.skipped;
    expect(skipped).toBeGreaterThan(0);
    channel.ack(page.got.at(-1)!.seq);
    const resync = page.got.at(-1)!;
    expect(resync.resync).toEqual({ skipped });
    expect(resync.events[0]).toMatchObject({ type: 'pool-resized' });
    frames.emit(1);
    expect(page.got.at(-1)!.seq).toBe(101);
    channel.close();
  });

  it('gives up on a receiver that takes nothing in for the stall timeout', async () => {
    const frames = source();
    let stalled = '';
    const channel = new FrameChannel({
      subscribe: (l) => frames.subscribe(l),
      stallTimeoutMs: 50,
      onStall: (why) => (stalled = why),
    });
    channel.open(receiver());
    frames.emit(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stalled).toMatch(/took in nothing/);
  });
});
