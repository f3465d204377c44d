/**
 * Messages between the engine and a worker process. Internal to the Node side:
 * the renderer never sees them. Parent → worker messages are validated by the
 * worker; worker → parent reports are checked by the engine's WorkerProcess.
 */
import { z } from 'zod';
import { runSpecSchema } from '../../shared/run-spec';
import type { FatalMessage } from './fatal-report';

export const toWorkerSchema = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('run'),
    runId: z.number().int(),
    spec: runSpecSchema,
    /** Busy-loop iterations that take 1 ms on this machine (calibrated once by the engine). */
    itersPerMs: z.number().positive(),
    /** Record start/end of every task (off only to measure tracing overhead). */
    trace: z.boolean(),
  }),
  /** Chunks to append to the inbox, flattened as [first, count] pairs (an Int32Array on the wire). */
  z.strictObject({
    t: z.literal('chunks'),
    runId: z.number().int(),
    list: z.union([z.instanceof(Int32Array), z.array(z.number().int().nonnegative())]),
  }),
  /**
   * Finish the current task, then give back everything not started (the rest of
   * the current chunk included) with a `returned` message, and wait.
   */
  z.strictObject({ t: z.literal('retire') }),
  /** Finish nothing more: exit after flushing. */
  z.strictObject({ t: z.literal('stop') }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/**
 * Tasks settled since the last report, in execution order. A task with ok = 0
 * failed; its message is the next entry of `errors`. cpu and coreWait are
 * milliseconds, NaN where not measured.
 */
export interface SettledColumns {
  task: Int32Array;
  start: Float64Array;
  end: Float64Array;
  cpu: Float64Array;
  coreWait: Float64Array;
  /** NaN stands for "returned nothing". */
  result: Float64Array;
  ok: Uint8Array;
  errors: string[];
}

export interface OutputLine {
  task: number | null;
  stream: 'stdout' | 'stderr';
  text: string;
  at: number;
}

/** What a worker can measure of its own thread on this platform. */
export interface WorkerMeasures {
  /** CPU time of this thread alone (not the whole process). */
  threadCpu: boolean;
  /** Time runnable but waiting for a core (Linux schedstat). */
  coreWait: boolean;
}

export type FromWorker =
  | { t: 'ready'; pid: number; tid: number | null; at: number; measures: WorkerMeasures }
  | {
      t: 'report';
      runId: number;
      settled: SettledColumns;
      /** A task that has just started, reported at once when it may run long. */
      started: { task: number; at: number } | null;
      output: OutputLine[];
      /** GIL backend: waits for the lock as [task, start, end] triples. */
      waits: Float64Array;
    }
  /** The answer to `retire`: tasks given back unstarted, as [first, count] pairs (possibly none). */
  | { t: 'returned'; runId: number | null; ranges: number[] }
  /** An error the worker cannot survive, told before it exits. */
  | FatalMessage;
