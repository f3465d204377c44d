/**
 * Turns a traced program's records (python/PROTOCOL.md) into the host's frames,
 * the same frames the built-in engine sends, so every view shows a Python
 * program as it shows the engine: one lane per worker process (process pools,
 * `Process`) or per thread (thread pools, `Thread`), grouped by pool; one task
 * per (call, index), numbered in the order they are first seen.
 */
import type { PoolEvent, RunDescription, TaskCounts, WorkerExitCause } from '../../shared/events';
import { now } from '../engine/clock';
import type { FrameBuilder } from '../engine/frame-builder';
import type { TraceConnection, TraceWarning } from './trace-server';
import type { HelloRecord, TaskResult, TraceRecord } from './records';

const ms = (ns: number) => ns / 1e6;

/** Results kept as text per run: a bounded set, so a million reprs cannot exhaust the host. */
const MAX_RESULT_TEXTS = 100_000;
/** Output lines passed on per window; the rest are counted and said, so a loud program cannot drown the page. */
const OUTPUT_WINDOW_MS = 100;
const OUTPUT_PER_WINDOW = 2_000;
/** A process whose connection closed without `bye` gets this long for its parent's `exit` record. */
export const EXIT_GRACE_MS = 300;

interface LaneRecord {
  worker: number;
  key: string;
  pid: number;
  name: string;
  exited: boolean;
  /** Tasks it is running, by id: failed as lost if it dies. */
  running: Set<number>;
}

interface CallState {
  id: number;
  /** Task id of each index (-1: not seen yet). */
  tasks: Int32Array;
  known: boolean;
}

/** Task states as this converter counts them. */
const enum Seen {
  None = 0,
  Queued = 1,
  Running = 2,
  Settled = 3,
}

export class PythonFrames {
  readonly runId: number;
  readonly counts: TaskCounts = { submitted: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  private readonly startedAt: number;
  private readonly lanes = new Map<string, LaneRecord>();
  private readonly lanesById = new Map<number, LaneRecord>();
  /** Result texts of the records being applied, sent as one event. */
  private texts: { tasks: number[]; texts: string[] } = { tasks: [], texts: [] };
  private readonly processes = new Map<number, { hello: HelloRecord; lane: LaneRecord }>();
  private mainPid: number | null = null;
  private readonly pools = new Map<string, { label: string }>();
  private readonly poolsOfKind = new Map<string, number>();
  private readonly calls = new Map<string, CallState>();
  private nextCall = 1;
  private nextTask = 0;
  private seen = new Uint8Array(1024);
  private lanesOf = new Int32Array(1024);
  private resultTexts = 0;
  private outputWindow = { from: 0, lines: 0, dropped: 0 };
  /** The main process's last lines on stderr: a failed program's traceback, for the run's error. */
  private readonly mainStderr: string[] = [];
  private finished = false;

  constructor(
    private readonly frames: FrameBuilder,
    private readonly description: RunDescription,
    at: number,
  ) {
    this.runId = frames.newRunId();
    this.startedAt = at;
    frames.track(this.runId, this.counts);
    frames.event(this.runStarted());
  }

  /** The run and its live lanes, told as events (a late subscriber's catch-up). */
  presentEvents(): PoolEvent[] {
    const events: PoolEvent[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.exited) continue;
      events.push(this.spawned(lane, this.startedAt), {
        type: 'worker-ready',
        worker: lane.worker,
        pid: lane.pid,
        at: this.startedAt,
      });
    }
    if (!this.finished) events.push(this.runStarted());
    return events;
  }

  hello(connection: TraceConnection): void {
    const [, , pid, , name, role, pool, , , at] = connection.hello;
    if (role === 'main') this.mainPid ??= pid;
    const group = role === 'main' ? 'program' : pool ? this.poolLabel(pool) : 'processes';
    const lane = this.lane(String(pid), pid, name, 'process', group, ms(at));
    this.processes.set(pid, { hello: connection.hello, lane });
  }

  records(connection: TraceConnection, records: TraceRecord[]): void {
    for (const record of records) this.apply(connection, record);
    if (this.texts.tasks.length > 0) {
      this.frames.event({ type: 'result-texts', runId: this.runId, ...this.texts });
      this.texts = { tasks: [], texts: [] };
    }
    this.frames.touch();
  }

  warning(warning: TraceWarning): void {
    this.note(`poolscope: the tracer ${warning.kind}: ${warning.message}`, warning.pid);
  }

  /** A process's connection closed: without `bye`, it died; its parent's `exit` record may still say how. */
  closed(connection: TraceConnection, sawBye: boolean, at: number): void {
    const process = this.processes.get(connection.pid);
    if (!process || process.lane.exited) return;
    if (sawBye) return this.endLane(process.lane, at, 'closed', 0, null);
    setTimeout(() => {
      if (!process.lane.exited)
        this.endLane(process.lane, at, 'crashed', null, null, 'its connection closed without a goodbye');
    }, EXIT_GRACE_MS).unref();
  }

  /**
   * The program has exited: what never finished is cancelled, lanes still open
   * close with it, and the run ends — failed if the program did not exit 0.
   */
  finish(at: number, status: 'completed' | 'cancelled' | 'failed', error?: string): void {
    if (this.finished) return;
    const ranges: [number, number, number][] = [];
    for (let task = 0; task < this.nextTask; task++) {
      if (this.seen[task] !== Seen.Queued && this.seen[task] !== Seen.Running) continue;
      const worker = this.seen[task] === Seen.Running ? this.lanesOf[task] : -1;
      if (this.seen[task] === Seen.Running) this.counts.running--;
      else this.counts.queued--;
      this.counts.cancelled++;
      this.seen[task] = Seen.Settled;
      const last = ranges[ranges.length - 1];
      if (last && last[0] + last[1] === task && last[2] === worker) last[1]++;
      else ranges.push([task, 1, worker]);
    }
    if (ranges.length > 0) this.frames.event({ type: 'tasks-cancelled', runId: this.runId, at, ranges });
    for (const lane of this.lanes.values()) if (!lane.exited) this.endLane(lane, at, 'closed', null, null);
    this.finished = true;
    const counts = { ...this.counts };
    this.frames.event({ type: 'run-finished', runId: this.runId, at, status, counts, ...(error ? { error } : {}) });
    this.frames.flush();
  }

  private runStarted(): PoolEvent {
    return { type: 'run-started', runId: this.runId, at: this.startedAt, run: this.description, tasks: 0 };
  }

  private apply(connection: TraceConnection, record: TraceRecord): void {
    switch (record[0]) {
      case 'thread': {
        const [, pid, tid, name, , pool, at] = record;
        const group = pool ? this.poolLabel(pool) : (this.processes.get(pid)?.hello[4] ?? `pid ${pid}`);
        this.lane(`${pid}/${tid}`, pid, name, 'thread', group, ms(at), tid);
        return;
      }
      case 'thread-end': {
        const lane = this.lanes.get(`${record[1]}/${record[2]}`);
        if (lane && !lane.exited) this.endLane(lane, ms(record[3]), 'closed', null, null);
        return;
      }
      case 'exit': {
        const [, pid, at, code, signal] = record;
        const lane = this.processes.get(pid)?.lane;
        if (!lane || lane.exited) return;
        const cause: WorkerExitCause = signal ? 'killed' : code !== 0 ? 'crashed' : 'closed';
        this.endLane(lane, ms(at), cause, code, signal);
        return;
      }
      case 'bye':
        return;
      case 'pool': {
        const [, pool, kind, size, , at, asKind] = record;
        const label = this.poolLabel(pool, kind, asKind);
        this.mark(ms(at), `${label}: ${size} worker${size === 1 ? '' : 's'}`, label);
        return;
      }
      case 'pool-op': {
        const [, pool, op, at] = record;
        this.mark(ms(at), `${op}()`, this.poolLabel(pool));
        return;
      }
      case 'call': {
        const [, call, pool, method, func, , , at] = record;
        const state = this.call(call);
        state.known = true;
        const label =
          method === 'Process' || method === 'Thread'
            ? `${method}(target=${func})`
            : `${pool ? this.poolLabel(pool) : 'pool'}.${method === 'executor.map' ? 'map' : method}(${func})`;
        this.frames.event({
          type: 'call-started',
          runId: this.runId,
          call: state.id,
          at: ms(at),
          label,
          method,
          ...(pool ? { group: this.poolLabel(pool) } : {}),
        });
        return;
      }
      case 'submit': {
        const [, call, first, count, at] = record;
        for (let index = first; index < first + count; index++) this.task(call, index, ms(at));
        return;
      }
      case 'call-end': {
        const state = this.calls.get(record[1]);
        if (state) this.frames.event({ type: 'call-finished', runId: this.runId, call: state.id, at: ms(record[3]) });
        return;
      }
      case 'run': {
        const [, call, index, pid, tid, at] = record;
        const task = this.task(call, index, ms(at));
        if (this.seen[task] !== Seen.Queued) return;
        const lane = this.laneOf(pid, tid, ms(at));
        this.seen[task] = Seen.Running;
        this.lanesOf[task] = lane.worker;
        lane.running.add(task);
        this.counts.queued--;
        this.counts.running++;
        this.frames.started(lane.worker, task, ms(at));
        return;
      }
      case 'done':
      case 'fail': {
        const [kind, call, index, pid, tid, start, end, cpuNs, outcome] = record;
        const task = this.task(call, index, ms(start));
        if (this.seen[task] === Seen.Settled) return;
        const lane = this.laneOf(pid, tid, ms(start));
        this.settle(task, lane, ms(start), ms(end), cpuNs / 1e6, kind === 'done', outcome);
        return;
      }
      case 'out': {
        const [, pid, tid, stream, call, index, at, text] = record;
        const task = call !== null && index !== null ? this.task(call, index, ms(at)) : null;
        this.output(this.laneOf(pid, tid, ms(at)).worker, task, stream, text, ms(at));
        return;
      }
      case 'warn':
        this.note(`poolscope tracer: ${record[3]}`, record[1]);
        return;
      default:
        void connection;
    }
  }

  private settle(
    task: number,
    lane: LaneRecord,
    start: number,
    end: number,
    cpu: number,
    ok: boolean,
    outcome: TaskResult | string,
  ): void {
    if (this.seen[task] === Seen.Running) {
      this.counts.running--;
      this.lanesById.get(this.lanesOf[task])?.running.delete(task);
    } else this.counts.queued--;
    this.seen[task] = Seen.Settled;
    lane.running.delete(task);
    let value = NaN;
    if (ok) {
      this.counts.done++;
      if (typeof outcome === 'number') value = outcome;
      else if (typeof outcome === 'boolean') value = outcome ? 1 : 0;
      if (outcome !== null && typeof outcome !== 'number' && this.resultTexts < MAX_RESULT_TEXTS) {
        this.resultTexts++;
        this.texts.tasks.push(task);
        this.texts.texts.push(typeof outcome === 'boolean' ? (outcome ? 'True' : 'False') : outcome);
      }
    } else {
      this.counts.failed++;
      const message = typeof outcome === 'string' ? outcome : 'the task raised';
      this.frames.event({
        type: 'task-failed',
        runId: this.runId,
        task,
        worker: lane.worker,
        reason: 'error',
        message,
      });
    }
    this.frames.settled(lane.worker, task, start, end, cpu, NaN, value, ok);
  }

  /** The task id of (call, index), seeing it as submitted (queued) the first time. */
  private task(call: string, index: number, at: number): number {
    const state = this.call(call);
    if (index >= state.tasks.length) {
      const grown = new Int32Array(Math.max(index + 1, state.tasks.length * 2)).fill(-1);
      grown.set(state.tasks);
      state.tasks = grown;
    }
    let task = state.tasks[index];
    if (task >= 0) return task;
    task = this.nextTask++;
    state.tasks[index] = task;
    if (task >= this.seen.length) {
      const seen = new Uint8Array(this.seen.length * 2);
      seen.set(this.seen);
      this.seen = seen;
      const lanes = new Int32Array(this.lanesOf.length * 2);
      lanes.set(this.lanesOf);
      this.lanesOf = lanes;
    }
    this.seen[task] = Seen.Queued;
    this.counts.submitted++;
    this.counts.queued++;
    this.frames.submitted(task, state.id, at);
    return task;
  }

  private call(call: string): CallState {
    let state = this.calls.get(call);
    if (!state) {
      state = { id: this.nextCall++, tasks: new Int32Array(16).fill(-1), known: false };
      this.calls.set(call, state);
    }
    return state;
  }

  /** The lane a (pid, tid) runs on: its thread's if it is a reported thread, else its process's. */
  private laneOf(pid: number, tid: number, at: number): LaneRecord {
    const thread = this.lanes.get(`${pid}/${tid}`);
    if (thread) return thread;
    const process = this.lanes.get(String(pid));
    if (process) return process;
    return this.lane(String(pid), pid, `pid ${pid}`, 'process', 'processes', at);
  }

  private lane(
    key: string,
    pid: number,
    name: string,
    kind: 'process' | 'thread',
    group: string,
    at: number,
    tid?: number,
  ): LaneRecord {
    const known = this.lanes.get(key);
    if (known) return known;
    const lane: LaneRecord = { worker: this.frames.newWorkerId(), key, pid, name, exited: false, running: new Set() };
    this.lanes.set(key, lane);
    this.lanesById.set(lane.worker, lane);
    this.frames.event({
      type: 'worker-spawned',
      worker: lane.worker,
      pid,
      at,
      lane: { kind, name, group, ...(tid !== undefined ? { tid } : {}) },
    });
    this.frames.event({ type: 'worker-ready', worker: lane.worker, pid, at });
    return lane;
  }

  private spawned(lane: LaneRecord, at: number): PoolEvent {
    const [pid, tid] = lane.key.split('/').map(Number);
    return {
      type: 'worker-spawned',
      worker: lane.worker,
      pid,
      at,
      lane: { kind: tid === undefined ? 'process' : 'thread', name: lane.name, ...(tid !== undefined ? { tid } : {}) },
    };
  }

  /** A lane ends; tasks it was running fail as lost with it (a pool never returns them). */
  private endLane(
    lane: LaneRecord,
    at: number,
    cause: WorkerExitCause,
    code: number | null,
    signal: string | null,
    reason?: string,
  ): void {
    lane.exited = true;
    const how = signal
      ? `was killed with ${signal}`
      : code !== null && code !== 0
        ? `exited with code ${code}`
        : (reason ?? 'ended');
    for (const task of lane.running) {
      this.counts.running--;
      this.counts.failed++;
      this.seen[task] = Seen.Settled;
      const message = `${lane.name} (pid ${lane.pid}) ${how} while running it`;
      this.frames.event({
        type: 'task-failed',
        runId: this.runId,
        task,
        worker: lane.worker,
        reason: 'crash',
        message,
      });
      this.frames.settled(lane.worker, task, NaN, at, NaN, NaN, NaN, false);
    }
    lane.running.clear();
    // Threads of a process end with it.
    if (!lane.key.includes('/')) {
      for (const thread of this.lanes.values()) {
        if (!thread.exited && thread.key.startsWith(`${lane.key}/`))
          this.endLane(thread, at, cause, code, signal, reason);
      }
    }
    this.frames.event({
      type: 'worker-exited',
      worker: lane.worker,
      at,
      cause,
      code,
      signal,
      stderrTail: '',
      ...(reason ? { reason } : {}),
    });
  }

  private poolLabel(pool: string, kind?: string, asKind?: string): string {
    const known = this.pools.get(pool);
    if (known) return known.label;
    const name = kind ?? 'Pool';
    const n = (this.poolsOfKind.get(name) ?? 0) + 1;
    this.poolsOfKind.set(name, n);
    const label = `${name} ${n}${asKind ? ` (as ${asKind})` : ''}`;
    this.pools.set(pool, { label });
    return label;
  }

  private mark(at: number, label: string, group?: string): void {
    this.frames.event({ type: 'mark', runId: this.runId, at, label, ...(group ? { group } : {}) });
  }

  /** The last lines the program's main process wrote to stderr. */
  mainStderrTail(): string {
    return this.mainStderr.join('\n');
  }

  private output(worker: number, task: number | null, stream: 'stdout' | 'stderr', text: string, at: number): void {
    if (stream === 'stderr' && this.mainPid !== null && worker === this.lanes.get(String(this.mainPid))?.worker) {
      this.mainStderr.push(text);
      if (this.mainStderr.length > 8) this.mainStderr.shift();
    }
    const window = this.outputWindow;
    if (at - window.from >= OUTPUT_WINDOW_MS) {
      if (window.dropped > 0) {
        const said = `poolscope: ${window.dropped.toLocaleString('en-US')} more lines of output in ${OUTPUT_WINDOW_MS} ms were not shown`;
        this.frames.event({ type: 'output', worker, task: null, stream: 'stderr', text: said, at });
      }
      this.outputWindow = { from: at, lines: 0, dropped: 0 };
    }
    if (this.outputWindow.lines++ >= OUTPUT_PER_WINDOW) {
      this.outputWindow.dropped++;
      return;
    }
    this.frames.event({ type: 'output', worker, task, stream, text, at });
  }

  private note(text: string, pid: number | null): void {
    const lane = pid !== null ? this.lanes.get(String(pid)) : undefined;
    const main = this.mainPid !== null ? this.lanes.get(String(this.mainPid)) : undefined;
    const worker = (lane ?? main)?.worker ?? 0;
    this.frames.event({ type: 'output', worker, task: null, stream: 'stderr', text, at: now() });
  }
}
