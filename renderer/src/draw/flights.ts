/**
 * Tasks travelling across the pool view: queue → worker when dispatched, worker →
 * results when settled. Fed by the pump with each frame; the draw function reads
 * it. Each frame's tasks are coalesced per worker into one flight carrying a
 * count, and when flights come too fast to follow the view switches to streams
 * (a rate per worker) instead of stuttering through thousands of boxes.
 */
import type { Frame } from '../../../shared/events';
import type { TaskStore } from '../../../shared/task-store';

export const FLIGHT_MS = 250;
/** More flights than this in the air and the view draws streams instead. */
export const MAX_DRAWN_FLIGHTS = 48;
const MAX_KEPT = 256;
/** Stream rates fade with this time constant once tasks stop flowing. */
const RATE_TAU_MS = 400;

export interface Flight {
  kind: 'dispatch' | 'result';
  worker: number;
  /** A representative task (the chunk's first, or the last settled). */
  task: number;
  count: number;
  /** For results: the position in settlement order of `task`. */
  slot: number;
  failed: boolean;
  /** Local (performance.now) time it took off. */
  born: number;
}

export interface Stream {
  /** Tasks per second, smoothed. */
  dispatchRate: number;
  resultRate: number;
  at: number;
}

export class FlightTracker {
  flights: Flight[] = [];
  readonly streams = new Map<number, Stream>();
  private runId: number | null = null;

  /** Records the frame's traffic; call right after the store ingested it. */
  observe(frame: Frame, store: TaskStore, time: number): void {
    const runId = store.run?.runId ?? null;
    if (runId !== this.runId) {
      this.runId = runId;
      this.flights = [];
      this.streams.clear();
    }
    if (frame.runId === null || frame.runId !== runId) return;

    const dispatch = new Map<number, { task: number; count: number }>();
    const { dispatched, settled } = frame;
    for (let i = 0; i < dispatched.worker.length; i++) {
      const w = dispatched.worker[i];
      const entry = dispatch.get(w);
      if (entry) entry.count += dispatched.count[i];
      else dispatch.set(w, { task: dispatched.first[i], count: dispatched.count[i] });
    }
    for (const [worker, { task, count }] of dispatch) {
      this.add({ kind: 'dispatch', worker, task, count, slot: -1, failed: false, born: time });
      this.bump(worker, time, count, 0);
    }

    // Settled this frame, in the store's order: the last rows of its settlement order.
    // Rows come in runs of one worker's report, taken a run at a time (a frame may hold a million).
    let slot = store.orderLength - settled.task.length;
    const results = new Map<number, { task: number; count: number; slot: number; failed: boolean }>();
    const { worker: workers, task: tasks, ok } = settled;
    for (let i = 0, n = tasks.length; i < n;) {
      const worker = workers[i];
      let failed = false;
      let j = i;
      for (; j < n && workers[j] === worker; j++) if (ok[j] === 0) failed = true;
      const count = j - i;
      const last = { task: tasks[j - 1], slot: slot + count - 1 };
      const entry = results.get(worker);
      if (entry) Object.assign(entry, last, { count: entry.count + count, failed: entry.failed || failed });
      else results.set(worker, { ...last, count, failed });
      slot += count;
      i = j;
    }
    for (const [worker, r] of results) {
      this.add({ kind: 'result', worker, ...r, born: time });
      this.bump(worker, time, 0, r.count);
    }
  }

  /** Drops landed flights; true while anything is still moving or fading. */
  prune(time: number): boolean {
    if (this.flights.length && time - this.flights[0].born > FLIGHT_MS) {
      this.flights = this.flights.filter((f) => time - f.born <= FLIGHT_MS);
    }
    let moving = this.flights.length > 0;
    for (const [worker, s] of this.streams) {
      const decay = Math.exp(-(time - s.at) / RATE_TAU_MS);
      if (Math.max(s.dispatchRate, s.resultRate) * decay < 0.5) this.streams.delete(worker);
      else moving = true;
    }
    return moving;
  }

  /** A stream's rates as of `time`, faded since its last traffic. */
  rates(worker: number, time: number): { dispatch: number; result: number } {
    const s = this.streams.get(worker);
    if (!s) return { dispatch: 0, result: 0 };
    const decay = Math.exp(-Math.max(0, time - s.at) / RATE_TAU_MS);
    return { dispatch: s.dispatchRate * decay, result: s.resultRate * decay };
  }

  private add(flight: Flight): void {
    this.flights.push(flight);
    if (this.flights.length > MAX_KEPT) this.flights.splice(0, this.flights.length - MAX_KEPT);
  }

  /** Exponentially weighted tasks per second: each arrival adds count / τ. */
  private bump(worker: number, time: number, dispatched: number, settled: number): void {
    const s = this.streams.get(worker) ?? { dispatchRate: 0, resultRate: 0, at: time };
    const decay = Math.exp(-Math.max(0, time - s.at) / RATE_TAU_MS);
    const perSecond = 1000 / RATE_TAU_MS;
    s.dispatchRate = s.dispatchRate * decay + dispatched * perSecond;
    s.resultRate = s.resultRate * decay + settled * perSecond;
    s.at = time;
    this.streams.set(worker, s);
  }
}
