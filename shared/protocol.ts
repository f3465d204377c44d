/**
 * The one contract between the renderer and whatever hosts the engine (Electron
 * main or the browser host): commands with their runtime schemas and the event
 * frames that stream back. The zod-free half — results, the PoolscopeApi and
 * createApi — is in api.ts, so the preload and renderer bundle no schema library.
 */
import { z } from 'zod';
import { commandError, type CommandError } from './api';

export type { CommandError, CommandResult, CommandValues, ErrorCode, HostInfo, MenuAction, PoolscopeApi } from './api';
import { BACKENDS, LIMITS, runSpecSchema, type Backend, type RunSpec } from './run-spec';

// ── Commands ────────────────────────────────────────────────────────────────

/** Commands larger than this (serialised) are refused before parsing. */
export const MAX_COMMAND_BYTES = 16 * 1024;

const poolSize = z.number().int().min(LIMITS.poolSize.min).max(LIMITS.poolSize.max);

export const CANCEL_RUNNING = ['kill', 'finish'] as const;
export type CancelRunning = (typeof CANCEL_RUNNING)[number];

export const commandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('info') }),
  z.strictObject({ type: z.literal('configure'), poolSize, backend: z.enum(BACKENDS) }),
  z.strictObject({ type: z.literal('start'), spec: runSpecSchema }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  /** running: 'kill' stops in-flight tasks now (they count as cancelled); 'finish' lets them complete. */
  z.strictObject({ type: z.literal('cancel'), running: z.enum(CANCEL_RUNNING) }),
  z.strictObject({ type: z.literal('resize'), poolSize }),
  z.strictObject({ type: z.literal('reset') }),
  /** Python's pool.close() then join(): every worker finishes and exits; the next configure or run starts new ones. */
  z.strictObject({ type: z.literal('close') }),
]);
export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];

/**
 * Validates anything that arrived from another process. Never throws: a bad
 * command is answered with the first problem found, naming its field.
 */
export function parseCommand(raw: unknown): { ok: true; command: Command } | CommandError {
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch {
    return commandError('invalid', 'command is not serialisable');
  }
  if (size > MAX_COMMAND_BYTES)
    return commandError('too-large', `command is ${size} bytes; the limit is ${MAX_COMMAND_BYTES}`);
  const parsed = commandSchema.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  return commandError('invalid', `${path.join('.') || 'command'}: ${issue.message}`, path.join('.'));
}

// ── Events ──────────────────────────────────────────────────────────────────

/** All timestamps are milliseconds on the machine's monotonic clock, shared by every process. */
export type Millis = number;

export interface TaskCounts {
  submitted: number;
  queued: number;
  /** Dispatched to a worker (in its inbox or executing). */
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

export type WorkerExitCause =
  | 'retired' // pool shrank
  | 'recycled' // max tasks per worker reached
  | 'closed' // pool reset or host shutting down
  | 'crashed' // died on its own
  | 'timed-out' // killed because a task exceeded the timeout
  | 'cancelled' // killed by cancel(running: 'kill')
  | 'startup-failed';

export type TaskFailReason = 'error' | 'crash' | 'timeout';

export type PoolEvent =
  | { type: 'run-started'; runId: number; at: Millis; spec: RunSpec; chunksize: number }
  | {
      type: 'run-finished';
      runId: number;
      at: Millis;
      status: 'completed' | 'cancelled' | 'failed';
      counts: TaskCounts;
      /** Why a run failed as a whole (e.g. workers cannot start). */
      error?: string;
    }
  | { type: 'submission'; runId: number; at: Millis; paused: boolean }
  /** poolSize 0: the pool was closed (every worker exits) until the next configure or run. */
  | { type: 'pool-resized'; at: Millis; poolSize: number; backend: Backend }
  /** pid is null where the launcher learns it only later (Electron); worker-ready always has it. */
  | { type: 'worker-spawned'; worker: number; pid: number | null; at: Millis }
  | { type: 'worker-ready'; worker: number; pid: number; at: Millis }
  | {
      type: 'worker-exited';
      worker: number;
      at: Millis;
      cause: WorkerExitCause;
      code: number | null;
      signal: string | null;
      /** Last lines the worker wrote to stderr, for crashes. */
      stderrTail: string;
    }
  | {
      type: 'task-failed';
      runId: number;
      task: number;
      worker: number;
      /** When it started, if it did. */
      start: Millis | null;
      at: Millis;
      reason: TaskFailReason;
      message: string;
    }
  | { type: 'tasks-cancelled'; runId: number; at: Millis; ranges: [first: number, count: number][] }
  | { type: 'output'; worker: number; task: number | null; stream: 'stdout' | 'stderr'; text: string; at: Millis }
  | { type: 'sample'; at: Millis; workers: WorkerSample[] };

export interface WorkerSample {
  worker: number;
  pid: number;
  /** CPU use since the last sample, percent of one core. */
  cpu: number;
  rssBytes: number;
  /** The core it last ran on, where the platform tells. */
  core: number | null;
}

/** Chunks handed to workers since the last frame, as columns. */
export interface DispatchColumns {
  worker: number[];
  first: number[];
  count: number[];
  at: Millis[];
}

/** Tasks that started since the last frame (reported promptly only when they run long). */
export interface StartColumns {
  worker: number[];
  task: number[];
  at: Millis[];
}

/** Tasks that finished successfully since the last frame, as columns. */
export interface DoneColumns {
  worker: number[];
  task: number[];
  start: Millis[];
  end: Millis[];
  /** The task's return value; null for none (Python's None). */
  result: (number | null)[];
}

/** GIL backend: time threads spent waiting for the lock since the last frame. */
export interface LockWaitColumns {
  worker: number[];
  /** The task that was waiting (-1 when between tasks). */
  task: number[];
  start: Millis[];
  end: Millis[];
}

/**
 * What the engine emits, at most ~60 times a second. Sequence numbers have no
 * gaps, so a consumer can tell it missed one.
 */
export interface Frame {
  seq: number;
  /** Set when this frame merges several (a slow consumer's backlog): it covers firstSeq … seq. */
  firstSeq?: number;
  at: Millis;
  runId: number | null;
  /** Counts of the current run after this frame; null when no run has started. */
  counts: TaskCounts | null;
  events: PoolEvent[];
  dispatched: DispatchColumns;
  started: StartColumns;
  done: DoneColumns;
  waits: LockWaitColumns;
}
