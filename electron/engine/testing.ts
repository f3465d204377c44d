/**
 * Test doubles for the engine's parts: a clock that moves only when told and a
 * launcher whose children are scripted by the test, so the supervisor and the
 * dispatcher are tested deterministically, without processes or real time.
 */
import { EventEmitter } from 'node:events';
import type { FromWorker, ToWorker } from '../worker/messages';
import type { ChildExit, ChildHandle, Launcher } from './launcher';
import type { TimerHandle, Timers } from './timers';

/** A clock that moves only when told: timers fire in order as it passes them. */
export class FakeTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete((handle as { id: number }).id);
  }

  /** Moves the clock forward by `ms`, firing every timer due on the way, earliest first. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | null = null;
      for (const entry of this.pending) if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = until;
  }
}

/** A child the test drives: it records what the engine sends and says what the test tells it to. */
export class FakeChild implements ChildHandle {
  readonly sent: ToWorker[] = [];
  readonly stdout = null;
  readonly stderr = null;
  killed = false;
  private readonly emitter = new EventEmitter();

  constructor(readonly pid: number) {}

  postMessage(message: unknown): void {
    if (!this.killed) this.sent.push(message as ToWorker);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.emitter.on('message', listener);
  }

  onExit(listener: (exit: ChildExit) => void): void {
    this.emitter.once('exit', listener);
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    queueMicrotask(() => this.emitter.emit('exit', { code: null, signal: 'SIGKILL' }));
  }

  /** What the worker would say. */
  say(message: FromWorker): void {
    this.emitter.emit('message', message);
  }

  ready(at: number): void {
    this.say({ t: 'ready', pid: this.pid, tid: null, at, measures: { threadCpu: true, coreWait: true } });
  }

  /** The worker exits on its own (a stop it obeyed, or a crash). */
  exit(code: number | null, signal: string | null = null): void {
    this.killed = true;
    this.emitter.emit('exit', { code, signal });
  }

  /** Chunks sent to it so far, as [first, count] pairs. */
  chunks(): [number, number][] {
    const pairs: [number, number][] = [];
    for (const m of this.sent)
      if (m.t === 'chunks') for (let k = 0; k < m.list.length; k += 2) pairs.push([m.list[k], m.list[k + 1]]);
    return pairs;
  }
}

export class FakeLauncher implements Launcher {
  readonly children: FakeChild[] = [];
  private nextPid = 1000;

  launch(): ChildHandle {
    const child = new FakeChild(this.nextPid++);
    this.children.push(child);
    return child;
  }

  /** Children not yet gone. */
  get alive(): FakeChild[] {
    return this.children.filter((c) => !c.killed);
  }
}
