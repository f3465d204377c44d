import { afterEach, describe, expect, it } from 'vitest';
import { importTrace } from '../../../shared/trace-import';
import type { DrawLoop, LoopView } from '../draw/loop';
import type { RunSnapshot } from '../store/run-slice';
import { Replay } from './replay';

/** The loop's side as the replay sees it: views to call, and whether a frame was asked for. */
class FakeLoop {
  views = new Set<LoopView>();
  asked = 0;
  add(view: LoopView) {
    this.views.add(view);
    return () => void this.views.delete(view);
  }
  invalidate() {
    this.asked++;
  }
  /** Runs one animation frame at `time`; true if any view wants another. */
  tick(time: number): boolean {
    let again = false;
    for (const view of this.views) if (view.frame(time)) again = true;
    return again;
  }
}

// Three tasks on two threads: 0–10 ms and 20–40 ms on one, 5–15 ms on the other.
const trace = importTrace([
  { ph: 'X', name: 'a', pid: 1, tid: 1, ts: 0, dur: 10_000 },
  { ph: 'X', name: 'b', pid: 1, tid: 2, ts: 5_000, dur: 10_000 },
  { ph: 'X', name: 'c', pid: 1, tid: 1, ts: 20_000, dur: 20_000 },
]);

let replay: Replay | null = null;
afterEach(() => replay?.dispose());

function start() {
  const loop = new FakeLoop();
  const published: RunSnapshot[] = [];
  replay = new Replay(trace, 'three.json', loop as unknown as DrawLoop, (s) => published.push(s));
  return { replay, loop, store: replay.pump.store };
}

describe('Replay', () => {
  it('advances with the draw loop at its speed and stops at the end', () => {
    const { replay, loop, store } = start();
    expect(store.run?.status).toBe('running');
    expect(store.counts).toMatchObject({ submitted: 3, running: 1, done: 0 });
    expect(loop.tick(1000)).toBe(true);
    expect(loop.tick(1012)).toBe(true);
    expect(replay.snapshot().position).toBe(0);
    expect(store.counts).toMatchObject({ done: 1, running: 1 });

    replay.setSpeed(10);
    loop.tick(1014); // 12 ms + 2 ms × 10 = 32 ms
    expect(replay.pump.hostClock() - store.run!.startedAt).toBeCloseTo(32);
    expect(store.counts).toMatchObject({ done: 2, running: 1 });

    expect(loop.tick(1100)).toBe(false);
    expect(replay.snapshot()).toMatchObject({ position: 40, playing: false });
    expect(store.run?.status).toBe('completed');
    expect(store.counts).toMatchObject({ done: 3, running: 0 });
  });

  it('holds still while paused, and plays again from the start once ended', () => {
    const { replay, loop, store } = start();
    replay.pause();
    expect(loop.tick(0)).toBe(false);
    expect(loop.tick(5000)).toBe(false);
    expect(store.counts?.done).toBe(0);
    replay.seek(40);
    expect(store.counts?.done).toBe(3);
    const asked = loop.asked;
    replay.play();
    expect(loop.asked).toBeGreaterThan(asked);
    expect(replay.snapshot()).toMatchObject({ position: 0, playing: true });
    expect(store.counts?.done).toBe(0);
  });

  it('seeks back by starting the store over under a new run id, and tells subscribers', () => {
    const { replay, store } = start();
    const heard: number[] = [];
    const off = replay.subscribe(() => heard.push(replay.snapshot().position));
    replay.seek(30);
    const firstRun = store.run!.runId;
    expect(store.counts).toMatchObject({ done: 2, running: 1 });
    replay.seek(12);
    expect(store.run!.runId).not.toBe(firstRun);
    expect(store.run!.runId).toBeLessThan(0);
    expect(store.counts).toMatchObject({ done: 1, running: 1, queued: 1 });
    expect(store.orderLength).toBe(1);
    replay.seek(-5);
    expect(store.counts).toMatchObject({ done: 0, running: 1 });
    off();
    replay.seek(40);
    expect(heard).toEqual([30, 12, 0]);
  });
});
