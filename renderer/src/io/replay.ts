/**
 * Replays an imported trace through a pump of its own: TraceReplay turns
 * "everything up to t ms" into the frames a live pool sends, the pump's
 * TaskStore takes them like live ones, and the pool view, timeline and stats
 * draw them unchanged. Time advances in the shared draw loop, so the replay
 * costs nothing while paused and never goes through React per event.
 */
import { plural } from '../../../shared/format';
import { TraceReplay, type ImportedTrace } from '../../../shared/trace-import';
import type { DrawLoop, LoopView } from '../draw/loop';
import { Pump } from '../pump';
import type { RunSnapshot } from '../store/run-slice';

/** "24 tasks by 2 workers" for Poolscope's own traces; other traces' rows are threads (a pid and tid each). */
export function replayedWork(trace: ImportedTrace): string {
  return trace.ours
    ? `${plural(trace.tasks.length, 'task')} by ${plural(trace.lanes.length, 'worker')}`
    : `${plural(trace.tasks.length, 'task')} on ${plural(trace.lanes.length, 'thread')}`;
}

export const REPLAY_SPEEDS = [1, 10, 100] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

export interface ReplayState {
  /** Milliseconds into the trace. */
  position: number;
  playing: boolean;
  speed: ReplaySpeed;
}

/** Where trace time 0 sits on the replay store's clock; any value away from 0 (which reads as "no frame yet"). */
const ORIGIN = 1000;
/** The banner's scrubber follows at this rate while playing; React sees no more. */
const NOTIFY_MS = 100;

/** Replayed runs get negative ids, so they can never be mistaken for one of the host's runs. */
let nextRunId = -1;
let nextReplayId = 1;

/** A pump whose "now" is the replay's position, not the time frames arrived. */
export class ReplayPump extends Pump {
  clockAt = ORIGIN;

  override hostClock(): number {
    return this.clockAt;
  }
}

export class Replay implements LoopView {
  /** Unique per import, even of the same file. */
  readonly id = nextReplayId++;
  readonly pump: ReplayPump;
  private player: TraceReplay;
  /** What the banner last heard; the position moves on between notifications. */
  private state: ReplayState = { position: 0, playing: true, speed: 1 };
  private position = 0;
  private lastTime: number | null = null;
  private lastNotified = 0;
  private readonly listeners = new Set<() => void>();
  private readonly detach: () => void;

  constructor(
    readonly trace: ImportedTrace,
    /** The file's name, as the banner shows it. */
    readonly file: string,
    private readonly loop: DrawLoop,
    publish: (snapshot: RunSnapshot) => void,
  ) {
    this.pump = new ReplayPump(loop, publish);
    // A trace does not say how many cores its machine had: speedup is held against a core per worker.
    this.pump.cores = Infinity;
    this.player = this.newPlayer();
    this.advance(0);
    this.detach = loop.add(this);
  }

  get durationMs(): number {
    return this.trace.durationMs;
  }

  /** For useSyncExternalStore: a new object whenever anything the banner shows changed. */
  readonly snapshot = (): ReplayState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  frame(time: number): boolean {
    if (!this.state.playing) {
      this.lastTime = null;
      return false;
    }
    const elapsed = this.lastTime === null ? 0 : time - this.lastTime;
    this.lastTime = time;
    this.advance(Math.min(this.durationMs, this.position + elapsed * this.state.speed));
    const ended = this.position >= this.durationMs;
    if (ended) this.update({ playing: false });
    else if (time - this.lastNotified >= NOTIFY_MS) {
      this.lastNotified = time;
      this.update({});
    }
    return !ended;
  }

  play(): void {
    if (this.position >= this.durationMs) this.seek(0);
    this.lastTime = null;
    this.update({ playing: true });
    this.loop.invalidate();
  }

  pause(): void {
    this.update({ playing: false });
  }

  toggle(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: ReplaySpeed): void {
    this.update({ speed });
  }

  /** Jumps to `ms` into the trace; going back starts the store over, since frames only move forward. */
  seek(ms: number): void {
    const position = Math.min(this.durationMs, Math.max(0, ms));
    if (position < this.position) this.player = this.newPlayer();
    this.advance(position);
    this.update({});
  }

  dispose(): void {
    this.detach();
    this.pump.dispose();
    this.listeners.clear();
  }

  private newPlayer(): TraceReplay {
    return new TraceReplay(this.trace, nextRunId--, ORIGIN);
  }

  private advance(position: number): void {
    this.pump.clockAt = ORIGIN + position;
    this.pump.ingest(this.player.frameAt(position));
    this.position = position;
  }

  private update(patch: Partial<Omit<ReplayState, 'position'>>): void {
    this.state = { ...this.state, ...patch, position: this.position };
    for (const listener of this.listeners) listener();
  }
}
