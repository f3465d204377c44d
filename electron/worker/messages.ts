/**
 * Messages between the engine and a worker process. Internal to the Node side:
 * the renderer never sees them. Parent → worker messages are validated by the
 * worker; worker → parent reports are checked by the engine's WorkerProcess.
 */
import { z } from 'zod';
import { runSpecSchema } from '../../shared/run-spec';

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
  /** Chunks to append to the inbox, flattened as [chunkId, first, count] triples. */
  z.strictObject({ t: z.literal('chunks'), runId: z.number().int(), list: z.array(z.number().int().nonnegative()) }),
  /** Finish nothing more: exit after flushing. */
  z.strictObject({ t: z.literal('stop') }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

/**
 * Tasks settled since the last report, in execution order. A task with ok = 0
 * failed; its message is the next entry of `errors`.
 */
export interface SettledColumns {
  task: Int32Array;
  start: Float64Array;
  end: Float64Array;
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

export type FromWorker =
  | { t: 'ready'; pid: number; at: number }
  | {
      t: 'report';
      runId: number;
      settled: SettledColumns;
      /** A task that has just started, reported at once when it may run long. */
      started: { task: number; at: number } | null;
      output: OutputLine[];
      /** GIL backend: waits for the lock as [task, start, end] triples. */
      waits: Float64Array;
    };
