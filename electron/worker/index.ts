/**
 * Worker entry. Runs as a process under Electron's utilityProcess
 * (process.parentPort) or Node's child_process.fork (process.send), and as a
 * thread of the thread host (worker_threads) for the thread and gil backends.
 * It executes the chunks it is sent, in order, measures each task's CPU time
 * and its wait for a core, and reports settled tasks in batches.
 */
import { isMainThread, parentPort as threadPort, workerData } from 'node:worker_threads';
import type { RunSpec } from '../../shared/run-spec';
import { now } from '../engine/clock';
import { openCpuClock, threadId } from './cpu-clock';
import { installFatalReport } from './fatal-report';
import { Gil } from './gil';
import { toWorkerSchema, type FromWorker, type OutputLine, type ToWorker } from './messages';
import { watchParent } from './parent-watch';
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
// An error nothing catches is told over the port before the worker dies: Electron drops its stderr at exit.
installFatalReport(send);

/** Report at least this often while busy, so the engine can refill the inbox in time. */
const REPORT_EVERY_MS = 4;
/** Let incoming messages (a retire, a stop) in at least this often: after any task past it. */
const YIELD_EVERY_MS = 2;
/**
 * Tiny tasks share one CPU-clock reading per this many milliseconds,
 * apportioned by their wall time: a reading costs ~3 µs, more than a tiny
 * task. Longer tasks get readings of their own.
 */
const SEGMENT_MS = 1;
/** More than a scheduler tick (4 ms at HZ=250): the most a stale reading can owe the next segment. */
const MAX_CARRY_MS = 10;
const BATCH_CAPACITY = 16_384;

interface CurrentRun {
  runId: number;
  spec: RunSpec;
  itersPerMs: number;
  trace: boolean;
}

const clock = openCpuClock(thread !== null);

/** Settled tasks not yet reported, in typed columns, with CPU time filled in per clock segment. */
class SettledBatch {
  private task = new Int32Array(BATCH_CAPACITY);
  private start = new Float64Array(BATCH_CAPACITY);
  private end = new Float64Array(BATCH_CAPACITY);
  private cpu = new Float64Array(BATCH_CAPACITY).fill(NaN);
  private coreWait = new Float64Array(BATCH_CAPACITY).fill(NaN);
  private result = new Float64Array(BATCH_CAPACITY);
  private ok = new Uint8Array(BATCH_CAPACITY);
  private errors: string[] = [];
  size = 0;
  /** First row of the open clock segment, and the clock when it opened. */
  private segmentFrom = 0;
  private readonly base = new Float64Array(2);
  private readonly reading = new Float64Array(2);
  lastReading = 0;

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

  /**
   * Closes the open segment: the CPU and core wait the clock moved by since it
   * opened are shared out to its tasks by the part of the segment each took, so
   * a task never gets more CPU plus waiting than its own wall time — the time
   * between tasks (reports, bookkeeping) is nobody's. A new segment opens.
   *
   * The kernel brings a running thread's figures up to date at scheduler ticks,
   * so a reading can be up to a tick stale: what a segment shows beyond its
   * wall time is carried into the next one (at most MAX_CARRY_MS), not lost.
   */
  closeSegment(at: number): void {
    const wall = at - this.lastReading;
    this.lastReading = at;
    if (!clock) return;
    clock.read(this.reading);
    const from = this.segmentFrom;
    const to = this.size;
    this.segmentFrom = to;
    if (to === from || wall <= 0) {
      this.base.set(this.reading);
      return;
    }
    const cpuRate = Math.min(1, Math.max(0, this.reading[0] - this.base[0]) / wall);
    const waitRate = Math.min(1 - cpuRate, Math.max(0, this.reading[1] - this.base[1]) / wall);
    for (let i = from; i < to; i++) {
      const taskWall = this.end[i] - this.start[i];
      this.cpu[i] = cpuRate * taskWall;
      this.coreWait[i] = waitRate * taskWall;
    }
    this.base[0] = Math.max(this.base[0] + cpuRate * wall, this.reading[0] - MAX_CARRY_MS);
    this.base[1] = Math.max(this.base[1] + waitRate * wall, this.reading[1] - MAX_CARRY_MS);
  }

  take() {
    const n = this.size;
    const taken = {
      task: this.task.slice(0, n),
      start: this.start.slice(0, n),
      end: this.end.slice(0, n),
      cpu: this.cpu.slice(0, n),
      coreWait: this.coreWait.slice(0, n),
      result: this.result.slice(0, n),
      ok: this.ok.slice(0, n),
      errors: this.errors,
    };
    this.cpu.fill(NaN, 0, n);
    this.coreWait.fill(NaN, 0, n);
    this.size = 0;
    this.segmentFrom = 0;
    this.errors = [];
    return taken;
  }
}

let run: CurrentRun | null = null;
/** Chunks to execute, as [first, count] pairs from `inboxHead` on. */
let inbox: number[] = [];
let inboxHead = 0;
/** The next task of the chunk at inboxHead, or -1 before the chunk has begun. */
let cursor = -1;
let pumping = false;
/** Asked to give back what it has not started once its current task ends. */
let retiring = false;
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
  if (run.trace) batch.closeSegment(now());
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

/** The next task to run, or -1 when the inbox is empty. */
function nextTask(): number {
  while (inboxHead < inbox.length) {
    const first = inbox[inboxHead];
    const end = first + inbox[inboxHead + 1];
    if (cursor < 0) cursor = first;
    if (cursor < end) return cursor++;
    inboxHead += 2;
    cursor = -1;
  }
  return -1;
}

async function pump(): Promise<void> {
  pumping = true;
  // The clock segment starts with the work: time spent idle before it is nobody's task time.
  if (run?.trace) batch.closeSegment(now());
  // The previous task's end, when nothing but bookkeeping came since: the next one starts there
  // (one clock read per tiny task instead of two); -1 after anything that takes real time.
  let carried = -1;
  while (run && !retiring) {
    const index = nextTask();
    if (index < 0) break;
    const current = run;
    const { spec, itersPerMs, trace } = current;
    const lock = spec.backend === 'gil' ? gil : null;
    const checkpoint = lock ? () => lock.checkpoint(spec.switchIntervalMs) : undefined;
    const long = mayRunLong(spec, index);
    if (long) {
      started = { task: index, at: now() };
      report();
      carried = -1;
    }
    currentTask = index;
    const start = trace ? (carried >= 0 ? carried : now()) : 0;
    // A long task gets a CPU reading of its own.
    if (trace && long) batch.closeSegment(start);
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
    carried = lock ? -1 : end;
    if (trace && end - batch.lastReading >= SEGMENT_MS) {
      batch.closeSegment(end);
      carried = -1;
    }
    if (batch.full || end - lastReport >= REPORT_EVERY_MS) {
      report();
      carried = -1;
    }
    if (end - lastYield >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = now();
      carried = -1;
    }
  }
  if (retiring) giveBack();
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

/** Hands back every task not started — the rest of the current chunk, then the rest of the inbox. */
function giveBack(): void {
  retiring = false;
  const ranges: number[] = [];
  for (let k = inboxHead; k < inbox.length; k += 2) {
    const first = k === inboxHead && cursor >= 0 ? cursor : inbox[k];
    const end = inbox[k] + inbox[k + 1];
    if (end > first) ranges.push(first, end - first);
  }
  inbox = [];
  inboxHead = 0;
  cursor = -1;
  // What settled goes first, so the engine never sees a task both given back and done.
  report();
  send({ t: 'returned', runId: run?.runId ?? null, ranges });
}

/** Chunks come in bulk and often: a plain loop keeps this off the hot path's budget. */
function isChunkList(list: unknown): list is ArrayLike<number> {
  if (!(list instanceof Int32Array) && !Array.isArray(list)) return false;
  if (list.length % 2 !== 0) return false;
  for (let k = 0; k < list.length; k++) {
    const value = list[k];
    if (!Number.isSafeInteger(value) || value < 0) return false;
  }
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
      cursor = -1;
      retiring = false;
      batch.take();
      if (run.trace) batch.closeSegment(now());
      return;
    case 'chunks':
      if (message.runId !== run?.runId) return;
      for (let k = 0; k + 1 < message.list.length; k += 2) {
        const [first, count] = [message.list[k], message.list[k + 1]];
        // A range that continues the last one extends it: the same tasks, in the same order.
        const n = inbox.length;
        if (n > inboxHead && inbox[n - 2] + inbox[n - 1] === first) inbox[n - 1] += count;
        else inbox.push(first, count);
      }
      if (!pumping && !retiring) void pump();
      return;
    case 'retire':
      // Idle: answer at once. Busy: the pump answers after the current task.
      if (pumping) retiring = true;
      else giveBack();
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
send({
  t: 'ready',
  pid: process.pid,
  tid: thread ? threadId() : null,
  at: now(),
  measures: { threadCpu: clock?.perThread ?? false, coreWait: clock?.measuresWait ?? false },
});
// After ready, so the watcher's start-up costs the pool nothing; threads go with their host process.
if (isMainThread) watchParent();
