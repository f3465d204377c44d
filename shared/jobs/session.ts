/**
 * The one subscription to the host's frames (the page's and the CLI's jobs'): it
 * records every run (history, whose newest store the live view draws), knows
 * which workers are alive, feeds extra TaskStores that a view draws on its own
 * (taps), and lets the runners wait for what the frames say — "five workers
 * ready", "run 7 finished" — with a timeout and a cancel.
 */
import type { PoolscopeApi } from '../api';
import type { EventOf, Frame, PoolEventType } from '../events';
import type { TaskStore } from '../task-store';
import { HistoryRecorder } from './history';

export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  signal?: AbortSignal;
  /** Defaults to no limit. */
  timeoutMs?: number;
}

/** Thrown by waits when their signal aborts. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export class Session {
  readonly history: HistoryRecorder;
  private readonly waiters = new Set<(frame: Frame | null) => void>();
  private readonly taps = new Set<TaskStore>();
  private readonly listeners = new Set<(frame: Frame) => void>();

  constructor(
    api: Pick<PoolscopeApi, 'onFrame'>,
    onHistory: ConstructorParameters<typeof HistoryRecorder>[0],
    cores: () => number,
  ) {
    this.history = new HistoryRecorder(onHistory, cores);
    api.onFrame((frame) => this.ingest(frame));
  }

  get pool() {
    return this.history.pool;
  }

  ingest(raw: Frame): void {
    const frame = this.history.ingest(raw);
    for (const store of this.taps) store.ingest(frame);
    for (const listener of this.listeners) listener(frame);
    for (const waiter of [...this.waiters]) waiter(frame);
  }

  /** Hears every frame once the history (and so `history.live`) has taken it in; returns the stop function. */
  onFrame(listener: (frame: Frame) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Feeds every frame from now on to `store`; returns the stop function. */
  tap(store: TaskStore): () => void {
    this.taps.add(store);
    return () => void this.taps.delete(store);
  }

  /** Resolves with the first answer of `check` that is not undefined: at once, or after a later frame. */
  until<T>(check: () => T | undefined, options: WaitOptions): Promise<T> {
    return this.wait(() => check(), options, true);
  }

  /**
   * The next event of a kind that matches, from frames still to come. Ask before
   * sending the command that causes it, or it may slip by.
   */
  nextEvent<K extends PoolEventType>(
    type: K,
    match: (event: EventOf<K>) => boolean,
    options: WaitOptions,
  ): Promise<EventOf<K>> {
    const promise = this.wait((frame) => {
      for (const event of frame?.events ?? []) {
        if (event.type === type && match(event as EventOf<K>)) return event as EventOf<K>;
      }
      return undefined;
    }, options);
    // Awaited only after the command that causes it: a refusal must not leave it unhandled.
    promise.catch(() => {});
    return promise;
  }

  private wait<T>(check: (frame: Frame | null) => T | undefined, options: WaitOptions, now = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const { signal, timeoutMs, what } = options;
      if (signal?.aborted) return reject(new Cancelled());
      const done = () => {
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter = (frame: Frame | null) => {
        const value = check(frame);
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const onAbort = () => {
        done();
        reject(new Cancelled());
      };
      const timer =
        timeoutMs !== undefined
          ? setTimeout(() => {
              done();
              reject(new Error(`no answer from the host: timed out waiting for ${what}`));
            }, timeoutMs)
          : null;
      signal?.addEventListener('abort', onAbort);
      this.waiters.add(waiter);
      if (now) waiter(null);
    });
  }
}
