/**
 * Time as the engine's parts see it: the shared clock and timers, injectable so
 * the dispatcher and supervisor are tested deterministically on a fake clock
 * (electron/engine/testing.ts).
 */
import { now } from './clock';

export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  now,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
