/**
 * Imports Chrome Trace Event JSON — Poolscope's own exports or any trace with
 * complete (X) or begin/end (B/E) events, as a bare array or
 * {traceEvents: […]} — and replays it through the same frames a live pool
 * sends, so the pool view and timeline show it like a run.
 */
import { columnsOf, makeFrame, type ColumnGroup, type Frame, type PoolEvent, type RunDescription } from './events';
import { LIMITS, runSpecSchema, runTitle } from './run-spec';

/**
 * The trace's tasks as columns, task id = position in start order: a million
 * of them cross from the import worker to the page as a few buffers, moved
 * rather than copied, and replay without a JS object per task.
 */
export interface ImportedTasks {
  length: number;
  lane: Int32Array;
  /** Milliseconds from the trace's first event. */
  start: Float64Array;
  end: Float64Array;
  /** Measured CPU time and wait for a core, ms, where the trace has them (ours do); NaN otherwise. */
  cpu: Float64Array;
  coreWait: Float64Array;
  /** NaN where the slice has no numeric result. */
  result: Float64Array;
  /** 1 for a task our export marked failed. */
  failed: Uint8Array;
  /** The failed tasks' slice names (what a replayed failure says), by task id. */
  failedNames: Map<number, string>;
  /** Task ids in the order they ended (ties in start order). */
  byEnd: Int32Array;
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
  tasks: ImportedTasks;
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

/**
 * Files bigger than this are refused before reading: parsing takes about five
 * times the file's size in memory. Our own export of the largest run (10⁶
 * tasks) is about 180 MB.
 */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

type RawEvent = Record<string, unknown>;

/** One X event, or a B/E pair, in the trace's µs. */
type Slice = { lane: ImportedLane; start: number; end: number; name: string; cat: string; args: RawEvent };

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
  const slicesOfTasks: Slice[] = [];
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
    } else slicesOfTasks.push(slice);
  }
  if (slicesOfTasks.length > LIMITS.tasks.max) {
    throw new TraceImportError(`${slicesOfTasks.length} task slices; at most ${LIMITS.tasks.max} can be replayed`);
  }
  slicesOfTasks.sort((a, b) => a.start - b.start || a.lane.lane - b.lane.lane);
  const tasks = taskColumns(slicesOfTasks, ours, ms);
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
  let durationMs = 0;
  for (let i = 0; i < tasks.length; i++) durationMs = Math.max(durationMs, tasks.end[i]);
  for (const wait of waits) durationMs = Math.max(durationMs, wait.end);
  return { run, ours, lanes, tasks, waits, durationMs };
}

function taskColumns(slices: Slice[], ours: boolean, ms: (us: number) => number): ImportedTasks {
  const length = slices.length;
  const tasks: ImportedTasks = {
    length,
    lane: new Int32Array(length),
    start: new Float64Array(length),
    end: new Float64Array(length),
    cpu: new Float64Array(length).fill(NaN),
    coreWait: new Float64Array(length).fill(NaN),
    result: new Float64Array(length),
    failed: new Uint8Array(length),
    failedNames: new Map(),
    byEnd: new Int32Array(length),
  };
  slices.forEach((slice, i) => {
    const result = slice.args.result;
    tasks.lane[i] = slice.lane.lane;
    tasks.start[i] = ms(slice.start);
    tasks.end[i] = ms(slice.end);
    tasks.result[i] = typeof result === 'number' && Number.isFinite(result) ? result : NaN;
    if (ours) {
      tasks.cpu[i] = measure(slice.args, 'cpu_ms');
      tasks.coreWait[i] = measure(slice.args, 'core_wait_ms');
      if (slice.cat === 'failed') {
        tasks.failed[i] = 1;
        tasks.failedNames.set(i, slice.name);
      }
    }
    tasks.byEnd[i] = i;
  });
  const { end, byEnd } = tasks;
  byEnd.sort((a, b) => end[a] - end[b] || a - b);
  return tasks;
}

/** The buffers behind a trace's task columns, to move them to another thread instead of copying. */
export function transferablesOf(trace: ImportedTrace): ArrayBuffer[] {
  const { lane, start, end, cpu, coreWait, result, failed, byEnd } = trace.tasks;
  return [lane, start, end, cpu, coreWait, result, failed, byEnd].map((column) => column.buffer as ArrayBuffer);
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
  ) {}

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
    const started = this.started(t);
    const settled = this.settled(t);
    let failed = 0;
    for (let k = 0; k < settled.task.length; k++) {
      const id = settled.task[k];
      if (!tasks.failed[id]) continue;
      failed++;
      const message = tasks.failedNames.get(id) ?? '';
      events.push({ type: 'task-failed', runId, task: id, worker: tasks.lane[id], reason: 'error', message });
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
      started,
      settled,
      lockWaits: columnsOf('lockWaits', lockWaits),
    });
  }

  /** Tasks that began by t since the last frame: the next run of start order. */
  private started(t: number): ColumnGroup<'started'> {
    const { lane, start } = this.trace.tasks;
    const from = this.cursorStart;
    let to = from;
    while (to < start.length && start[to] <= t) to++;
    this.cursorStart = to;
    const at = new Float64Array(to - from);
    const task = new Int32Array(to - from);
    for (let k = 0; k < at.length; k++) {
      at[k] = this.origin + start[from + k];
      task[k] = from + k;
    }
    return { worker: lane.slice(from, to), task, at };
  }

  /** Tasks that ended by t since the last frame, in end order. */
  private settled(t: number): ColumnGroup<'settled'> {
    const { lane, start, end, cpu, coreWait, result, failed, byEnd } = this.trace.tasks;
    const from = this.cursorEnd;
    let to = from;
    while (to < byEnd.length && end[byEnd[to]] <= t) to++;
    this.cursorEnd = to;
    const rows = to - from;
    // Typed as the frame has them, so the columns are made once (fresh memory is slow to touch).
    const settled: ColumnGroup<'settled'> = {
      worker: new Int32Array(rows),
      task: byEnd.slice(from, to),
      start: new Float64Array(rows),
      end: new Float64Array(rows),
      cpu: new Float64Array(rows),
      coreWait: new Float64Array(rows),
      result: new Float64Array(rows),
      ok: new Uint8Array(rows),
    };
    for (let k = 0; k < rows; k++) {
      const id = byEnd[from + k];
      settled.worker[k] = lane[id];
      settled.start[k] = this.origin + start[id];
      settled.end[k] = this.origin + end[id];
      settled.cpu[k] = cpu[id];
      settled.coreWait[k] = coreWait[id];
      settled.result[k] = result[id];
      settled.ok[k] = failed[id] ? 0 : 1;
    }
    return settled;
  }
}
