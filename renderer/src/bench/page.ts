/**
 * The renderer benchmark's page (bundled by bench/renderer.ts, run in Chromium;
 * not part of the app).
 * It feeds synthetic frames through the real pump, TaskStore, painters and draw
 * loop — the pool is not involved: this measures the renderer alone.
 */
import '../styles/tokens.css';
import { columnsOf, makeFrame, type Frame, type PoolEvent } from '../../../shared/events';
import { makeRunSpec } from '../../../shared/run-spec';
import { attachCanvas } from '../draw/canvas';
import { DrawLoop } from '../draw/loop';
import { PoolPainter, TimelinePainter } from '../draw/painters';
import { Pump } from '../pump';
import type { BenchGlobal, PhaseResult, RendererBench } from './types';

const WORKERS = 8;
const FRAME_MS = 1000 / 60;

/** A synthetic host: eight workers running tasks back to back, reported as the engine reports them. */
class SyntheticHost {
  private seq = 0;
  private runId = 0;
  private next = 0;
  private total = 0;
  private readonly laneClock = new Float64Array(WORKERS + 1);

  frame(patch: Partial<Frame>): Frame {
    return makeFrame({ seq: ++this.seq, at: performance.now(), runId: this.runId || null, ...patch });
  }

  startRun(tasks: number, at: number): Frame {
    this.runId++;
    this.next = 0;
    this.total = tasks;
    const events: PoolEvent[] = [];
    if (this.runId === 1) {
      for (let w = 1; w <= WORKERS; w++) {
        events.push({ type: 'worker-spawned', worker: w, pid: 1000 + w, at: at - 60 });
        events.push({ type: 'worker-ready', worker: w, pid: 1000 + w, at: at - 20 });
      }
    }
    const spec = makeRunSpec({ workload: 'cpu', tasks, costMs: 1, mode: 'imap', poolSize: WORKERS }, WORKERS);
    events.push({
      type: 'run-started',
      runId: this.runId,
      at,
      run: { source: 'engine', title: 'synthetic', spec, chunksize: 1, poolSize: WORKERS },
      tasks,
    });
    this.laneClock.fill(at);
    return this.frame({ events, at, counts: this.counts(0) });
  }

  /** `n` tasks finishing, spread over the workers, each taking `taskMs`; dispatched ahead in chunks. */
  work(n: number, taskMs: number, at: number): Frame {
    const f = this.frame({ at });
    const dispatched = { worker: [] as number[], first: [] as number[], count: [] as number[], at: [] as number[] };
    const done = {
      worker: [] as number[],
      task: [] as number[],
      start: [] as number[],
      end: [] as number[],
      result: [] as number[],
    };
    const first = this.next;
    const count = Math.min(n, this.total - this.next);
    for (let i = 0; i < count; i++) {
      const task = this.next++;
      const worker = 1 + (task % WORKERS);
      const start = this.laneClock[worker];
      const end = start + taskMs * (0.5 + ((task * 7919) % 100) / 100);
      this.laneClock[worker] = end;
      dispatched.worker.push(worker);
      dispatched.first.push(task);
      dispatched.count.push(1);
      dispatched.at.push(start - 1);
      done.worker.push(worker);
      done.task.push(task);
      done.start.push(start);
      done.end.push(end);
      done.result.push(task);
    }
    f.dispatched = columnsOf('dispatched', dispatched);
    f.settled = columnsOf('settled', {
      ...done,
      cpu: done.start.map((t, i) => done.end[i] - t),
      coreWait: done.start.map(() => 0),
    });
    if (first + count >= this.total) {
      const end = Math.max(...this.laneClock);
      f.events.push({
        type: 'run-finished',
        runId: this.runId,
        at: end,
        status: 'completed',
        counts: this.counts(this.total),
      });
    }
    f.counts = this.counts(this.next);
    return f;
  }

  private counts(done: number) {
    return { submitted: this.total, queued: this.total - done, running: 0, done, failed: 0, cancelled: 0 };
  }
}

function canvas(width: number, height: number): HTMLCanvasElement {
  const el = document.createElement('canvas');
  el.style.cssText = `display:block;width:${width}px;height:${height}px`;
  document.body.append(el);
  return el;
}

const loop = new DrawLoop();
const pump = new Pump(loop, () => {});
const host = new SyntheticHost();
// The centre column of the app at 1920×1080: the largest canvases it draws.
const poolPainter = new PoolPainter(pump);
poolPainter.configure(WORKERS, true);
const timeline = new TimelinePainter(pump);
attachCanvas(canvas(1150, 460), loop, poolPainter);
attachCanvas(canvas(1150, 460), loop, timeline);

let ingestMs = 0;
let drawMs = 0;
loop.onFrameTime = (ms) => (drawMs += ms);

function ingest(frame: Frame): void {
  const begin = performance.now();
  pump.ingest(frame);
  ingestMs += performance.now() - begin;
}

/** Samples every animation frame for `ms`, calling `step` first in each. */
function sampleFrames(
  ms: number,
  step: (time: number) => void,
): Promise<Pick<PhaseResult, 'work' | 'draw' | 'intervals'>> {
  return new Promise((resolve) => {
    const work: number[] = [];
    const draw: number[] = [];
    const intervals: number[] = [];
    let last = 0;
    const until = performance.now() + ms;
    const tick = (time: number) => {
      // The loop's own callback for this frame ran just before this one: collect what it cost.
      if (last) {
        intervals.push(time - last);
        work.push(ingestMs + drawMs);
        draw.push(drawMs);
      }
      ingestMs = 0;
      drawMs = 0;
      last = time;
      if (performance.now() >= until) return resolve({ work, draw, intervals });
      step(time);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Phase 1: frames at 60 Hz carrying `perSecond` settled tasks a second, for `ms`. */
async function ingestPhase(perSecond: number, ms: number): Promise<PhaseResult> {
  ingest(host.startRun(perSecond * (ms / 1000 + 2), performance.now()));
  const taskMs = (1000 * WORKERS) / perSecond;
  const begin = performance.now();
  let sent = 0;
  // Like the engine: a frame at most every ~16 ms, carrying whatever became due, so timer jitter does not change the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - begin) / 1000) * perSecond) - sent;
    if (due > 0) ingest(host.work(due, taskMs, performance.now()));
    sent += Math.max(0, due);
  }, FRAME_MS);
  const frames = await sampleFrames(ms, () => {});
  clearInterval(timer);
  const seconds = (performance.now() - begin) / 1000;
  return { ...frames, tasks: Math.round(pump.store.orderLength / seconds), setup: {} };
}

/** Phase 2: 10^6 stored tasks, then the timeline zoomed and panned every frame for `ms`. */
async function panZoomPhase(tasks: number, ms: number): Promise<PhaseResult> {
  const loadBegin = performance.now();
  const begin = performance.now();
  ingest(host.startRun(tasks, begin));
  const batch = 20_000;
  for (let sent = 0; sent < tasks; sent += batch) ingest(host.work(batch, 0.05, begin));
  const load = performance.now() - loadBegin;
  // The first paint builds the per-worker index for all of them.
  const indexBegin = performance.now();
  timeline.index.update(pump.store);
  const index = performance.now() - indexBegin;

  const camera = timeline.camera;
  let frame = 0;
  const result = await sampleFrames(ms, () => {
    const now = pump.hostNow() - (pump.store.run?.startedAt ?? 0);
    // A repeating gesture: zoom in at wandering points, pan, zoom back out past the whole run.
    const phase = frame++ % 180;
    const anchor = 0.5 + 0.4 * Math.sin(frame / 23);
    if (phase < 60) camera.zoom(0.9, anchor, now);
    else if (phase < 90) camera.pan((camera.range(now).t1 - camera.range(now).t0) * 0.04, now);
    else if (phase < 150) camera.zoom(1 / 0.9, anchor, now);
    else camera.pan(-(camera.range(now).t1 - camera.range(now).t0) * 0.04, now);
    loop.invalidate();
  });
  return { ...result, tasks: pump.store.orderLength, setup: { load, index } };
}

const bench: RendererBench = { ingest: ingestPhase, panZoom: panZoomPhase };
(globalThis as unknown as BenchGlobal).rendererBench = bench;
