/**
 * Imports Chrome Trace Event JSON — Poolscope's own exports or any trace with
 * complete (X) or begin/end (B/E) events, as a bare array or
 * {traceEvents: […]} — and replays it through the same frames a live pool
 * sends, so the pool view and timeline show it like a run.
 */
import { columnsOf, makeFrame, type Frame, type PoolEvent, type RunDescription } from './events';
import { LIMITS, runSpecSchema, runTitle } from './run-spec';

export interface ImportedTask {
  lane: number;
  /** Milliseconds from the trace's first event. */
  start: number;
  end: number;
  name: string;
  failed: boolean;
  result: number | null;
  /** Measured CPU time and wait for a core, ms, where the trace has them (ours do); NaN otherwise. */
  cpu: number;
  coreWait: number;
}

export interface ImportedLane {
  lane: number;
  pid: number;
  label: string;
  /** Start-up slice, where the trace has one (ours do). */
  spawnedAt: number | null;
  readyAt: number | null;
  exitedAt: number | null;
}

export interface ImportedTrace {
  /** Poolscope's own export says what ran; other traces get a neutral description. */
  run: RunDescription;
  ours: boolean;
  lanes: ImportedLane[];
  /** Sorted by start. */
  tasks: ImportedTask[];
  waits: { lane: number; task: number; start: number; end: number }[];
  durationMs: number;
}

export class TraceImportError extends Error {
  constructor(
    message: string,
    /** Index of the offending event in traceEvents, or null for the file as a whole. */
    readonly eventIndex: number | null = null,
    readonly field: string | null = null,
  ) {
    super(eventIndex === null ? message : `event ${eventIndex}${field ? `, field "${field}"` : ''}: ${message}`);
  }
}

/** Files bigger than this are refused before reading: parsing them would freeze the window. */
export const MAX_TRACE_BYTES = 100 * 1024 * 1024;

type RawEvent = Record<string, unknown>;

const isRecord = (value: unknown): value is RawEvent =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numberField(event: RawEvent, index: number, field: string, { min = -Infinity } = {}): number {
  const value = event[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TraceImportError(`expected a finite number, got ${JSON.stringify(value) ?? 'nothing'}`, index, field);
  }
  if (value < min) throw new TraceImportError(`expected at least ${min}, got ${value}`, index, field);
  return value;
}

/** Longer pid or tid strings than this are not ids but data. */
const MAX_ID_LENGTH = 64;

/** pid and tid may be numbers or strings in the wild; a lane is one (pid, tid) pair. */
function idField(event: RawEvent, index: number, field: 'pid' | 'tid'): string {
  const value = event[field] ?? 0;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TraceImportError(`expected an integer id, got ${value}`, index, field);
    return String(value);
  }
  if (typeof value !== 'string') {
    throw new TraceImportError(`expected a number or string, got ${JSON.stringify(value)}`, index, field);
  }
  if (value.length > MAX_ID_LENGTH)
    throw new TraceImportError(
      `expected an id of at most ${MAX_ID_LENGTH} characters, got ${value.length}`,
      index,
      field,
    );
  return value;
}

/** A measure from our own export's args, in ms; NaN where absent. */
function measure(args: RawEvent, field: string): number {
  const value = args[field];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : NaN;
}

/** Parses a trace, throwing TraceImportError that names the event and field at fault. */
export function importTrace(json: unknown): ImportedTrace {
  const events = Array.isArray(json) ? json : isRecord(json) ? json.traceEvents : undefined;
  if (!Array.isArray(events)) {
    throw new TraceImportError('expected a JSON array of trace events or an object with a "traceEvents" array');
  }
  const other = isRecord(json) && isRecord(json.otherData) ? json.otherData : null;
  const ours = other?.generator === 'poolscope';

  const laneOf = new Map<string, ImportedLane>();
  const laneFor = (event: RawEvent, index: number): ImportedLane => {
    const pid = idField(event, index, 'pid');
    const tid = idField(event, index, 'tid');
    const key = `${pid}/${tid}`;
    let lane = laneOf.get(key);
    if (!lane) {
      // Our exports name each worker's tid after its worker id; keep it so lanes read the same.
      const worker = ours && Number.isInteger(Number(tid)) && Number(tid) > 0 ? Number(tid) : laneOf.size + 1;
      lane = {
        lane: worker,
        pid: Number(pid) || 0,
        label: `pid ${pid} · tid ${tid}`,
        spawnedAt: null,
        readyAt: null,
        exitedAt: null,
      };
      laneOf.set(key, lane);
    }
    return lane;
  };

  type Slice = { lane: ImportedLane; start: number; end: number; name: string; cat: string; args: RawEvent };
  const slices: Slice[] = [];
  const open = new Map<string, { index: number; start: number; name: string; cat: string; args: RawEvent }[]>();
  const names = new Map<string, string>();
  let origin = Infinity;

  events.forEach((event: unknown, index: number) => {
    if (!isRecord(event)) throw new TraceImportError('expected an object', index);
    const ph = event.ph;
    if (typeof ph !== 'string')
      throw new TraceImportError(`expected a phase string, got ${JSON.stringify(ph)}`, index, 'ph');
    const name = typeof event.name === 'string' ? event.name : '';
    const cat = typeof event.cat === 'string' ? event.cat : '';
    const args = isRecord(event.args) ? event.args : {};
    if (ph === 'M') {
      if (name === 'thread_name' && typeof args.name === 'string') {
        names.set(`${idField(event, index, 'pid')}/${idField(event, index, 'tid')}`, args.name);
      }
      return;
    }
    if (ph !== 'X' && ph !== 'B' && ph !== 'E' && ph !== 'i' && ph !== 'I') return; // counters, flows…: not tasks
    const ts = numberField(event, index, 'ts');
    origin = Math.min(origin, ts);
    const lane = laneFor(event, index);
    const key = `${idField(event, index, 'pid')}/${idField(event, index, 'tid')}`;
    if (ph === 'X') {
      const dur = numberField(event, index, 'dur', { min: 0 });
      if (!Number.isFinite(ts + dur)) throw new TraceImportError(`ts + dur overflows (${ts} + ${dur})`, index, 'dur');
      slices.push({ lane, start: ts, end: ts + dur, name, cat, args });
    } else if (ph === 'B') {
      const stack = open.get(key) ?? [];
      stack.push({ index, start: ts, name, cat, args });
      open.set(key, stack);
    } else if (ph === 'E') {
      const begun = open.get(key)?.pop();
      if (!begun) throw new TraceImportError('an end (E) event with no matching begin (B) on its thread', index, 'ph');
      if (ts < begun.start) throw new TraceImportError(`ends before its begin (event ${begun.index})`, index, 'ts');
      slices.push({
        lane,
        start: begun.start,
        end: ts,
        name: begun.name || name,
        cat: begun.cat || cat,
        args: { ...begun.args, ...args },
      });
    } else if (ours && cat === 'worker') {
      lane.exitedAt = ts;
    }
  });
  for (const stack of open.values()) {
    if (stack.length > 0) throw new TraceImportError('a begin (B) event that never ends', stack[0].index, 'ph');
  }
  if (slices.length === 0) throw new TraceImportError('no task slices: the trace has no X or B/E events');
  for (const [key, label] of names) {
    const lane = laneOf.get(key);
    if (lane) lane.label = label;
  }

  // Trace times are µs; subtract in µs so whole-µs timestamps come out exact.
  const ms = (us: number) => (us - origin) / 1000;
  for (const lane of laneOf.values()) if (lane.exitedAt !== null) lane.exitedAt = ms(lane.exitedAt);
  const tasks: ImportedTask[] = [];
  const waits: ImportedTrace['waits'] = [];
  for (const slice of slices) {
    if (ours && slice.cat === 'worker' && slice.name === 'start-up') {
      slice.lane.spawnedAt = ms(slice.start);
      slice.lane.readyAt = ms(slice.end);
    } else if (ours && slice.cat === 'lock-wait') {
      waits.push({
        lane: slice.lane.lane,
        task: Number(slice.args.task ?? -1),
        start: ms(slice.start),
        end: ms(slice.end),
      });
    } else {
      const result = slice.args.result;
      tasks.push({
        lane: slice.lane.lane,
        start: ms(slice.start),
        end: ms(slice.end),
        name: slice.name,
        failed: ours && slice.cat === 'failed',
        result: typeof result === 'number' && Number.isFinite(result) ? result : null,
        cpu: ours ? measure(slice.args, 'cpu_ms') : NaN,
        coreWait: ours ? measure(slice.args, 'core_wait_ms') : NaN,
      });
    }
  }
  if (tasks.length > LIMITS.tasks.max) {
    throw new TraceImportError(`${tasks.length} task slices; at most ${LIMITS.tasks.max} can be replayed`);
  }
  tasks.sort((a, b) => a.start - b.start || a.lane - b.lane);
  const lanes = [...laneOf.values()].sort((a, b) => a.lane - b.lane);
  const recorded = ours ? runSpecSchema.safeParse(other?.spec) : null;
  const spec = recorded?.success ? { ...recorded.data, tasks: tasks.length } : undefined;
  const title =
    typeof (other?.run as RawEvent | undefined)?.title === 'string' ? String((other?.run as RawEvent).title) : null;
  const run: RunDescription = {
    source: 'engine',
    title: spec ? runTitle(spec) : (title ?? `${tasks.length} trace slices`),
    ...(spec ? { spec, backend: spec.backend } : {}),
    chunksize: 1,
    poolSize: Math.min(LIMITS.poolSize.max, Math.max(1, lanes.length)),
  };
  // A loop, not Math.max(...spread): a few hundred thousand arguments overflow the stack.
  let durationMs = 0;
  for (const slice of [...tasks, ...waits]) durationMs = Math.max(durationMs, slice.end);
  return { run, ours, lanes, tasks, waits, durationMs };
}

/**
 * Plays an imported trace back as frames: `frameAt(t)` returns everything that
 * happened up to t ms into the trace since the previous call. Task ids are
 * positions in start order, so the task store fills exactly as for a live run.
 * A trace records when tasks ran, not when they were sent: the frames carry no
 * dispatch, and the views say so instead of showing a dispatch latency of 0.
 */
export class TraceReplay {
  private seq = 0;
  private cursorStart = 0;
  private readonly byEnd: Int32Array;
  private cursorEnd = 0;
  private cursorWait = 0;
  private begun = false;
  private finished = false;
  private failedCount = 0;
  private readonly exited = new Set<number>();

  constructor(
    readonly trace: ImportedTrace,
    private readonly runId: number,
    /** Where replayed time starts on the store's clock. */
    private readonly origin = 0,
  ) {
    const ends = trace.tasks.map((t) => t.end);
    this.byEnd = Int32Array.from(trace.tasks.keys()).sort((a, b) => ends[a] - ends[b]);
  }

  get done(): boolean {
    return this.finished;
  }

  frameAt(t: number): Frame {
    const { trace, origin, runId } = this;
    const at = (ms: number) => origin + ms;
    const events: PoolEvent[] = [];
    if (!this.begun) {
      this.begun = true;
      for (const lane of trace.lanes) {
        events.push({ type: 'worker-spawned', worker: lane.lane, pid: lane.pid, at: at(lane.spawnedAt ?? 0) });
        events.push({ type: 'worker-ready', worker: lane.lane, pid: lane.pid, at: at(lane.readyAt ?? 0) });
      }
      events.push({ type: 'run-started', runId, at: at(0), run: trace.run, tasks: trace.tasks.length });
    }
    const tasks = trace.tasks;
    const started = { worker: [] as number[], task: [] as number[], at: [] as number[] };
    for (; this.cursorStart < tasks.length && tasks[this.cursorStart].start <= t; this.cursorStart++) {
      const task = tasks[this.cursorStart];
      started.worker.push(task.lane);
      started.task.push(this.cursorStart);
      started.at.push(at(task.start));
    }
    const settled = {
      worker: [] as number[],
      task: [] as number[],
      start: [] as number[],
      end: [] as number[],
      cpu: [] as number[],
      coreWait: [] as number[],
      result: [] as number[],
      ok: [] as number[],
    };
    let failed = 0;
    for (; this.cursorEnd < this.byEnd.length && tasks[this.byEnd[this.cursorEnd]].end <= t; this.cursorEnd++) {
      const id = this.byEnd[this.cursorEnd];
      const task = tasks[id];
      if (task.failed) {
        failed++;
        events.push({ type: 'task-failed', runId, task: id, worker: task.lane, reason: 'error', message: task.name });
      }
      settled.worker.push(task.lane);
      settled.task.push(id);
      settled.start.push(at(task.start));
      settled.end.push(at(task.end));
      settled.cpu.push(task.cpu);
      settled.coreWait.push(task.coreWait);
      settled.result.push(task.result ?? NaN);
      settled.ok.push(task.failed ? 0 : 1);
    }
    const lockWaits = { worker: [] as number[], task: [] as number[], start: [] as number[], end: [] as number[] };
    for (; this.cursorWait < trace.waits.length && trace.waits[this.cursorWait].end <= t; this.cursorWait++) {
      const wait = trace.waits[this.cursorWait];
      lockWaits.worker.push(wait.lane);
      lockWaits.task.push(wait.task);
      lockWaits.start.push(at(wait.start));
      lockWaits.end.push(at(wait.end));
    }
    const done = this.cursorEnd;
    const failedSoFar = (this.failedCount += failed);
    const counts = {
      submitted: tasks.length,
      queued: tasks.length - this.cursorStart,
      running: this.cursorStart - done,
      done: done - failedSoFar,
      failed: failedSoFar,
      cancelled: 0,
    };
    for (const lane of trace.lanes) {
      if (lane.exitedAt === null || lane.exitedAt > t || this.exited.has(lane.lane)) continue;
      this.exited.add(lane.lane);
      events.push({
        type: 'worker-exited',
        worker: lane.lane,
        at: at(lane.exitedAt),
        cause: 'closed',
        code: null,
        signal: null,
        stderrTail: '',
      });
    }
    if (!this.finished && done === tasks.length && t >= trace.durationMs) {
      this.finished = true;
      events.push({ type: 'run-finished', runId, at: at(t), status: 'completed', counts });
    }
    return makeFrame({
      seq: ++this.seq,
      at: at(t),
      runId,
      counts,
      events,
      started: columnsOf('started', started),
      settled: columnsOf('settled', settled),
      lockWaits: columnsOf('lockWaits', lockWaits),
    });
  }
}
