/**
 * Worker entry. Runs as a process under Electron's utilityProcess
 * (process.parentPort) or Node's child_process.fork (process.send), and as a
 * thread of the thread host (worker_threads) for the thread and gil backends.
 * It executes the chunks it is sent, in order, and reports settled tasks in batches.
 */
import { isMainThread, parentPort as threadPort, workerData } from 'node:worker_threads';
import type { RunSpec } from '../../shared/run-spec';
import { now } from '../engine/clock';
import { Gil } from './gil';
import { toWorkerSchema, type FromWorker, type OutputLine, type ToWorker } from './messages';
import { mayRunLong, runTask } from './workloads';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** What the thread host hands each of its threads. */
export interface ThreadData {
  lane: number;
  /** The GIL's shared cells, shared by every thread of the host. */
  gilCells: Int32Array;
}

const utilityPort = (process as { parentPort?: ParentPort }).parentPort;
const send: (message: FromWorker) => void = threadPort
  ? (message) => threadPort?.postMessage(message)
  : utilityPort
    ? (message) => utilityPort.postMessage(message)
    : (message) => process.send?.(message);
const thread = isMainThread ? null : (workerData as ThreadData);

/** Report at least this often while busy, so the engine can refill the inbox in time. */
const REPORT_EVERY_MS = 4;
/** Let incoming messages in at least this often during long runs of tiny tasks. */
const YIELD_EVERY_MS = 2;
const BATCH_CAPACITY = 16_384;

interface CurrentRun {
  runId: number;
  spec: RunSpec;
  itersPerMs: number;
  trace: boolean;
}

/** Settled tasks not yet reported, in typed columns. */
class SettledBatch {
  private task = new Int32Array(BATCH_CAPACITY);
  private start = new Float64Array(BATCH_CAPACITY);
  private end = new Float64Array(BATCH_CAPACITY);
  private result = new Float64Array(BATCH_CAPACITY);
  private ok = new Uint8Array(BATCH_CAPACITY);
  private errors: string[] = [];
  size = 0;

  add(task: number, start: number, end: number, result: number | null, error: string | null): void {
    const i = this.size++;
    this.task[i] = task;
    this.start[i] = start;
    this.end[i] = end;
    this.result[i] = result ?? NaN;
    this.ok[i] = error === null ? 1 : 0;
    if (error !== null) this.errors.push(error);
  }

  get full(): boolean {
    return this.size === BATCH_CAPACITY;
  }

  take() {
    const n = this.size;
    const taken = {
      task: this.task.slice(0, n),
      start: this.start.slice(0, n),
      end: this.end.slice(0, n),
      result: this.result.slice(0, n),
      ok: this.ok.slice(0, n),
      errors: this.errors,
    };
    this.size = 0;
    this.errors = [];
    return taken;
  }
}

let run: CurrentRun | null = null;
/** Chunks to execute, as [chunkId, first, count] triples from `inboxHead` on. */
let inbox: number[] = [];
let inboxHead = 0;
let pumping = false;
let currentTask: number | null = null;
let lastReport = now();
let lastYield = now();
const batch = new SettledBatch();
let output: OutputLine[] = [];
let started: { task: number; at: number } | null = null;
/** Lock waits not yet reported, as [task, start, end] triples. */
let waits: number[] = [];
const gil = thread
  ? new Gil(thread.gilCells, thread.lane, (start, end) => waits.push(currentTask ?? -1, start, end))
  : null;

function report(): void {
  if (!run || (batch.size === 0 && output.length === 0 && started === null && waits.length === 0)) return;
  send({ t: 'report', runId: run.runId, settled: batch.take(), started, output, waits: Float64Array.from(waits) });
  output = [];
  waits = [];
  started = null;
  lastReport = now();
}

/** The real stderr, for the worker's own complaints: they reach the engine's stderr tail. */
const rawStderr = process.stderr.write.bind(process.stderr);
captureOutput('stdout');
captureOutput('stderr');

/** Lines a task prints become events tagged with the task, instead of raw pipe output. */
function captureOutput(stream: 'stdout' | 'stderr'): void {
  const target = process[stream];
  let partial = '';
  target.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const lines = (partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())).split('\n');
    partial = lines.pop() ?? '';
    const at = now();
    for (const text of lines) output.push({ task: currentTask, stream, text, at });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  }) as typeof target.write;
}

async function pump(): Promise<void> {
  pumping = true;
  while (run && inboxHead < inbox.length) {
    const current = run;
    const { spec, itersPerMs, trace } = current;
    const lock = spec.backend === 'gil' ? gil : null;
    const checkpoint = lock ? () => lock.checkpoint(spec.switchIntervalMs) : undefined;
    const first = inbox[inboxHead + 1];
    const count = inbox[inboxHead + 2];
    inboxHead += 3;
    for (let index = first; index < first + count; index++) {
      if (mayRunLong(spec, index)) {
        started = { task: index, at: now() };
        report();
      }
      currentTask = index;
      const start = trace ? now() : 0;
      // Waits for the GIL count inside the task: a task is only as fast as its lock allows.
      lock?.acquire();
      let result: number | null = null;
      let error: string | null = null;
      try {
        const value = runTask(spec, index, itersPerMs, checkpoint);
        if (value instanceof Promise) {
          // Waiting for I/O lets other threads have the GIL, as in CPython.
          lock?.release();
          result = await value;
          lock?.acquire();
        } else result = value;
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      }
      checkpoint?.();
      currentTask = null;
      if (run !== current) return finishPump(); // reset while awaiting: drop the old run
      const end = now();
      batch.add(index, start, trace ? end : 0, result, error);
      if (batch.full || end - lastReport >= REPORT_EVERY_MS) report();
    }
    if (now() - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = now();
    }
  }
  finishPump();
}

function finishPump(): void {
  // An idle thread holds no lock.
  gil?.release();
  inbox = inbox.slice(inboxHead);
  inboxHead = 0;
  pumping = false;
  // The inbox ran dry: tell the engine now so it refills without delay.
  report();
}

/** Chunks come in bulk and often: a plain loop keeps this off the hot path's budget. */
function isChunkList(list: unknown): list is number[] {
  if (!Array.isArray(list) || list.length % 3 !== 0) return false;
  for (const value of list) if (!Number.isSafeInteger(value) || value < 0) return false;
  return true;
}

function parse(raw: unknown): ToWorker | null {
  const candidate = raw as { t?: unknown; runId?: unknown; list?: unknown } | null;
  if (candidate?.t === 'chunks') {
    return Number.isSafeInteger(candidate.runId) && isChunkList(candidate.list) && Object.keys(candidate).length === 3
      ? (candidate as ToWorker)
      : null;
  }
  const parsed = toWorkerSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

function onMessage(raw: unknown): void {
  const message = parse(raw);
  if (!message) {
    rawStderr(`poolscope worker: ignored a malformed message: ${JSON.stringify(raw)?.slice(0, 200)}\n`);
    return;
  }
  switch (message.t) {
    case 'run':
      run = { runId: message.runId, spec: message.spec, itersPerMs: message.itersPerMs, trace: message.trace };
      inbox = [];
      inboxHead = 0;
      batch.take();
      return;
    case 'chunks':
      if (message.runId !== run?.runId) return;
      for (const value of message.list) inbox.push(value);
      if (!pumping) void pump();
      return;
    case 'stop':
      report();
      process.exit(0);
  }
}

if (threadPort) threadPort.on('message', onMessage);
else if (utilityPort) utilityPort.on('message', (event) => onMessage(event.data));
else {
  process.on('message', onMessage);
  // The engine went away: nothing is left to work for.
  process.on('disconnect', () => process.exit(0));
}
send({ t: 'ready', pid: process.pid, at: now() });
