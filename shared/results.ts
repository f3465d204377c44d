/**
 * What a command answers: a value, or an error as a value — never a throw
 * across a process boundary. Pure types and one constructor.
 */
import type { Backend } from './run-spec';

export const ERROR_CODES = [
  /** The command or one of its arguments was refused; nothing changed. */
  'invalid',
  /** The command was too large to parse. */
  'too-large',
  /** Something else is going (a run, a job) that the command would disturb. */
  'busy',
  /** The command needs a run and none is going. */
  'idle',
  /** The host tried and failed (workers cannot start, a script is missing…). */
  'failed',
  /** The host is gone: the connection or the app's IPC closed. */
  'disconnected',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CommandError {
  ok: false;
  code: ErrorCode;
  /** Dotted path of the offending field, '' for the command as a whole. */
  field: string;
  message: string;
}
export type CommandResult<T = undefined> = { ok: true; value: T } | CommandError;

export function commandError(code: ErrorCode, message: string, field = ''): CommandError {
  return { ok: false, code, field, message };
}

export interface HostInfo {
  host: 'electron' | 'browser' | 'cli';
  /** Logical cores of the machine running the workers. */
  cores: number;
  platform: string;
  /** What the sampler can measure here (Linux: all of it; elsewhere: less, and the UI says so). */
  measures: PlatformMeasures;
  poolSize: number;
  backend: Backend;
}

export interface PlatformMeasures {
  /** Which core each worker last ran on. */
  cores: boolean;
  /** Per-task CPU time of each worker thread (the thread backends need per-thread clocks). */
  threadCpu: boolean;
  /** Time a runnable worker waited for a core (Linux schedstat). */
  coreWait: boolean;
}
