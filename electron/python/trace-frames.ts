/**
 * Turns tracer records (python/PROTOCOL.md) into the host's frames, the same
 * frames the built-in engine sends, so every view shows a Python program or a
 * cluster as it shows the engine: one lane per worker process (process pools,
 * `Process`), per thread (thread pools, `Thread`) or per cluster lane (a Dask
 * worker thread, a Ray worker), grouped by pool or node; one task per
 * (call, index), numbered in the order first seen. Lanes outlive runs (a
 * cluster's workers do); tasks belong to the run that is open.
 */
import {
  PHASE_KINDS,
  type PoolEvent,
  type RunDescription,
  type TaskCounts,
  type WorkerExitCause,
} from '../../shared/events';
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
/** The longest a connection's records wait for another's (a lost record must not stall the rest). */
const HOLD_MS = 500;

interface LaneRecord {
  worker: number;
  key: string;
  pid: number | null;
  kind: 'process' | 'thread';
  name: string;
  group: string;
  tid: number | null;
  at: number;
  exited: boolean;
  /** Tasks it is running, by id: failed as lost if it dies (a Python pool's), or queued again (a cluster's). */
  running: Set<number>;
  /** A cluster's lane: its engine, not the lane, decides what becomes of a task it was running. */
  rescheduled: boolean;
}

interface CallState {
  id: number;
  /** Task id of each index (-1: not seen yet). */
  tasks: Int32Array;
}

/** Task states as this converter counts them. */
const enum Seen {
  None = 0,
  Queued = 1,
  Running = 2,
  Settled = 3,
}

interface OpenRun {
  runId: number;
  description: RunDescription;
  startedAt: number;
  counts: TaskCounts;
  calls: Map<string, CallState>;
  nextCall: number;
  nextTask: number;
  seen: Uint8Array;
  lanesOf: Int32Array;
  resultTexts: number;
}

export class TraceFrames {
  private readonly lanes = new Map<string, LaneRecord>();
  private readonly lanesById = new Map<number, LaneRecord>();
  private readonly processes = new Map<number, { hello: HelloRecord; lane: LaneRecord }>();
  private mainPid: number | null = null;
  private readonly pools = new Map<string, string>();
  private readonly poolsOfKind = new Map<string, number>();
  private run: OpenRun | null = null;
  /** Result texts of the records being applied, sent as one event. */
  private texts: { tasks: number[]; texts: string[] } = { tasks: [], texts: [] };
  private outputWindow = { from: 0, lines: 0, dropped: 0 };
  /** The main process's last lines on stderr: a failed program's traceback, for the run's error. */
  private readonly mainStderr: string[] = [];
  /** Task records that came while no run was open. */
  private stray = 0;
  /** Connections whose next records wait for something another connection has yet to say. */
  private readonly held = new Map<
    number,
    { connection: TraceConnection; records: TraceRecord[]; timer: NodeJS.Timeout; whenDone?: () => void }
  >();
  /**
   * Processes whose connection has closed: all they said has come. A traced child
   * connects only once it runs, so a parent can report its exit before the host
   * has heard from it at all; the parent's later records wait for it either way.
   */
  private readonly closedPids = new Set<number>();

  constructor(private readonly frames: FrameBuilder) {}

  get runId(): number | null {
    return this.run?.runId ?? null;
  }

  /** The open run's counts (live), for the host's snapshots. */
  get counts(): TaskCounts | null {
    return this.run?.counts ?? null;
  }

  /** Opens a run: the tasks that come from now on are its own. */
  beginRun(description: RunDescription, at = now()): number {
    const runId = this.frames.newRunId();
    this.run = {
      runId,
      description,
      startedAt: at,
      counts: { submitted: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 },
      calls: new Map(),
      nextCall: 1,
      nextTask: 0,
      seen: new Uint8Array(1024),
      lanesOf: new Int32Array(1024),
      resultTexts: 0,
    };
    this.frames.track(runId, this.run.counts);
    this.frames.event(this.runStarted(this.run));
    return runId;
  }

  /**
   * Ends the open run: what never finished is cancelled (or `failed`, as the
   * caller says), and the run ends with `status`. `closeLanes`: the lanes end
   * too (a program that exited); a cluster's stay for its next run.
   */
  finishRun(at: number, status: 'completed' | 'cancelled' | 'failed', error?: string, closeLanes = false): void {
    while (this.held.size > 0) this.releaseAll(true);
    const run = this.run;
    if (!run) return;
    const ranges: [number, number, number][] = [];
    for (let task = 0; task < run.nextTask; task++) {
      const state = run.seen[task];
      if (state !== Seen.Queued && state !== Seen.Running) continue;
      const worker = state === Seen.Running ? run.lanesOf[task] : -1;
      if (state === Seen.Running) {
        run.counts.running--;
        this.lanesById.get(worker)?.running.delete(task);
      } else run.counts.queued--;
      run.counts.cancelled++;
      run.seen[task] = Seen.Settled;
      const last = ranges[ranges.length - 1];
      if (last && last[0] + last[1] === task && last[2] === worker) last[1]++;
      else ranges.push([task, 1, worker]);
    }
    if (ranges.length > 0) this.frames.event({ type: 'tasks-cancelled', runId: run.runId, at, ranges });
    if (closeLanes) this.endLanes(at, 'closed');
    this.run = null;
    const counts = { ...run.counts };
    this.frames.event({ type: 'run-finished', runId: run.runId, at, status, counts, ...(error ? { error } : {}) });
    this.frames.flush();
  }

  /** Every live lane ends (a bridge that exited: its cluster's lanes with it). */
  endLanes(at: number, cause: WorkerExitCause): void {
    for (const lane of this.lanes.values()) if (!lane.exited) this.endLane(lane, at, cause, null, null);
    this.frames.flush();
  }

  /** The live lanes and the open run, told as events (a late subscriber's catch-up). */
  presentEvents(): PoolEvent[] {
    const events: PoolEvent[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.exited) continue;
      events.push(this.spawned(lane), { type: 'worker-ready', worker: lane.worker, pid: lane.pid, at: lane.at });
    }
    if (this.run) events.push(this.runStarted(this.run));
    return events;
  }

  /** The last lines the program's main process wrote to stderr. */
  mainStderrTail(): string {
    return this.mainStderr.join('\n');
  }

  hello(connection: TraceConnection): void {
    const [, , pid, , name, role, pool, , , at] = connection.hello;
    this.closedPids.delete(pid);
    if (role === 'main') this.mainPid ??= pid;
    // A bridge speaks for lanes it names; it is not one itself.
    if (role === 'bridge') return;
    const group = role === 'main' ? 'program' : pool ? this.poolLabel(pool) : 'processes';
    const lane = this.lane(String(pid), pid, name, 'process', group, ms(at));
    this.processes.set(pid, { hello: connection.hello, lane });
  }

  /**
   * One connection's records, in its order. Connections race each other to
   * the host, so a connection's records wait (at most HOLD_MS) where they
   * would get ahead of what they depend on: a worker's task of a call its
   * parent has not announced yet (task ids follow the call's order), and
   * whatever a parent says after a child it reports exited, until that
   * child's connection has said all it had (its last output comes first).
   */
  records(connection: TraceConnection, records: TraceRecord[]): void {
    const held = this.held.get(connection.id);
    if (held) held.records.push(...records);
    else this.process(connection, records, 0);
  }

  private process(connection: TraceConnection, records: TraceRecord[], from: number): void {
    for (let i = from; i < records.length; i++) {
      if (this.blocked(records[i])) {
        const timer = setTimeout(() => this.release(connection.id, true), HOLD_MS);
        timer.unref();
        this.held.set(connection.id, { connection, records: records.slice(i), timer });
        break;
      }
      this.apply(records[i]);
    }
    const run = this.run;
    if (run && this.texts.tasks.length > 0) {
      this.frames.event({ type: 'result-texts', runId: run.runId, ...this.texts });
      this.texts = { tasks: [], texts: [] };
    }
    if (this.stray > 0) {
      this.note(`poolscope: ${this.stray} task records came while no run was open and were left out`, connection.pid);
      this.stray = 0;
    }
    this.frames.touch();
  }

  /** Whether `record` must wait: its task is not submitted yet, or it is a child's exit before all the child said has been applied. */
  private blocked(record: TraceRecord): boolean {
    switch (record[0]) {
      case 'run':
      case 'done':
      case 'fail':
        return !this.submitted(record[1], record[2]);
      case 'out':
        return record[4] !== null && record[5] !== null && !this.submitted(record[4], record[5]);
      case 'exit':
        return !this.closedPids.has(record[1]) || this.holding(record[1]);
      default:
        return false;
    }
  }

  /** Whether process `pid` has records still waiting (few connections wait at once). */
  private holding(pid: number): boolean {
    for (const { connection } of this.held.values()) if (connection.pid === pid) return true;
    return false;
  }

  /** Whether the open run has seen task `index` of `call` submitted (no run: nothing to wait for). */
  private submitted(call: string, index: number): boolean {
    const run = this.run;
    if (!run) return true;
    const tasks = run.calls.get(call)?.tasks;
    return tasks !== undefined && index < tasks.length && tasks[index] >= 0;
  }

  /** Lets held connections go on where what they waited for has come (or, `force`, the oldest one regardless). */
  private release(id: number, force = false): void {
    const held = this.held.get(id);
    if (!held) return;
    if (!force && this.blocked(held.records[0])) return;
    this.held.delete(id);
    clearTimeout(held.timer);
    // A forced record goes as it is (its call is then made implicitly; the child's late lines come after).
    if (force) this.apply(held.records[0]);
    this.process(held.connection, held.records, force ? 1 : 0);
    const again = this.held.get(id);
    if (again) again.whenDone = held.whenDone;
    else {
      held.whenDone?.();
      // A parent may have waited for this child's last records.
      this.releaseAll();
    }
  }

  private releaseAll(force = false): void {
    for (const id of [...this.held.keys()]) this.release(id, force);
  }

  warning(warning: TraceWarning): void {
    this.note(`poolscope: the tracer ${warning.kind}: ${warning.message}`, warning.pid);
  }

  /** A process's connection closed: without `bye`, it died; its parent's `exit` record may still say how. */
  closed(connection: TraceConnection, sawBye: boolean, at: number): void {
    // What it said is all there is: whoever waited for it goes on. What it still holds keeps
    // waiting (a parent's lines after its children's exits wait for their last words), and its
    // lane ends once that has gone.
    this.closedPids.add(connection.pid);
    this.releaseAll();
    const held = this.held.get(connection.id);
    if (held) held.whenDone = () => this.ended(connection, sawBye, at);
    else this.ended(connection, sawBye, at);
  }

  /** The lane of a connection that closed and whose records have all been applied. */
  private ended(connection: TraceConnection, sawBye: boolean, at: number): void {
    const process = this.processes.get(connection.pid);
    if (!process || process.lane.exited) return;
    if (sawBye) return this.endLane(process.lane, at, 'closed', 0, null);
    setTimeout(() => {
      if (!process.lane.exited)
        this.endLane(process.lane, at, 'crashed', null, null, 'its connection closed without a goodbye');
    }, EXIT_GRACE_MS).unref();
  }

  private runStarted(run: OpenRun): PoolEvent {
    return { type: 'run-started', runId: run.runId, at: run.startedAt, run: run.description, tasks: 0 };
  }

  private apply(record: TraceRecord): void {
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
        const run = this.run;
        if (!run) return;
        const state = this.call(run, call);
        this.frames.event({
          type: 'call-started',
          runId: run.runId,
          call: state.id,
          at: ms(at),
          label: callLabel(method, func, pool ? this.poolLabel(pool) : null),
          method,
          ...(pool ? { group: this.poolLabel(pool) } : {}),
        });
        return;
      }
      case 'submit': {
        const [, call, first, count, at] = record;
        for (let index = first; index < first + count; index++) this.task(call, index, ms(at));
        // After the rest of this batch: a worker's records go on once its tasks are known.
        if (this.held.size > 0) queueMicrotask(() => this.releaseAll());
        return;
      }
      case 'call-end': {
        const state = this.run?.calls.get(record[1]);
        if (state && this.run)
          this.frames.event({ type: 'call-finished', runId: this.run.runId, call: state.id, at: ms(record[3]) });
        return;
      }
      case 'run':
        return this.started(record[1], record[2], this.laneOf(record[3], record[4], ms(record[5])), ms(record[5]));
      case 'lane-run':
        return this.started(record[1], record[2], this.lanes.get(record[3]) ?? null, ms(record[4]));
      case 'done':
      case 'fail': {
        const [kind, call, index, pid, tid, start, end, cpuNs, outcome] = record;
        this.settle(
          call,
          index,
          this.laneOf(pid, tid, ms(start)),
          ms(start),
          ms(end),
          cpuNs / 1e6,
          kind === 'done',
          outcome,
        );
        return;
      }
      case 'lane-done':
      case 'lane-fail': {
        const [kind, call, index, key, start, end, cpuNs, outcome] = record;
        if (kind === 'lane-fail' && key === null && outcome === 'cancelled')
          return this.cancelled(call, index, ms(end));
        const lane = key === null ? null : (this.lanes.get(key) ?? null);
        const cpu = cpuNs === null ? NaN : cpuNs / 1e6;
        this.settle(call, index, lane, ms(start), ms(end), cpu, kind === 'lane-done', outcome);
        return;
      }
      case 'lane': {
        const [, key, kind, name, group, pid, at] = record;
        this.lane(key, pid, name, kind, group, ms(at)).rescheduled = true;
        return;
      }
      case 'lane-end': {
        const [, key, at, reason] = record;
        const lane = this.lanes.get(key);
        if (!lane || lane.exited) return;
        const cause: WorkerExitCause =
          reason === 'retired'
            ? 'retired'
            : reason === 'killed'
              ? 'killed'
              : reason === 'closed'
                ? 'closed'
                : 'crashed';
        this.endLane(lane, ms(at), cause, null, null, reason);
        return;
      }
      case 'phase':
      case 'attempt': {
        const [kind, call, index, key, label, start, end] =
          record[0] === 'phase'
            ? record
            : ([record[0], record[1], record[2], record[3], attemptKind(record[6]), record[4], record[5]] as const);
        const lane = this.lanes.get(key);
        const task = this.task(call, index, ms(start));
        const code = PHASE_KINDS.indexOf(label as (typeof PHASE_KINDS)[number]);
        if (!lane || task < 0 || code < 0) return;
        this.frames.phase(lane.worker, task, ms(start), ms(end), code);
        void kind;
        return;
      }
      case 'mark': {
        const [, text, group, at] = record;
        this.mark(ms(at), text, group ?? undefined);
        return;
      }
      case 'gone': {
        const [, at, text] = record;
        this.note(`poolscope: ${text}`, null);
        this.mark(ms(at), 'gone');
        return;
      }
      case 'out': {
        const [, pid, tid, stream, call, index, at, text] = record;
        const task = call !== null && index !== null ? this.task(call, index, ms(at)) : null;
        this.output(
          this.laneOf(pid, tid, ms(at)).worker,
          task !== null && task >= 0 ? task : null,
          stream,
          text,
          ms(at),
        );
        return;
      }
      case 'warn':
        this.note(`poolscope tracer: ${record[3]}`, record[1]);
        return;
    }
  }

  private started(call: string, index: number, lane: LaneRecord | null, at: number): void {
    const run = this.run;
    const task = this.task(call, index, at);
    if (!run || task < 0 || !lane || run.seen[task] !== Seen.Queued) return;
    run.seen[task] = Seen.Running;
    run.lanesOf[task] = lane.worker;
    lane.running.add(task);
    run.counts.queued--;
    run.counts.running++;
    this.frames.started(lane.worker, task, at);
  }

  private settle(
    call: string,
    index: number,
    lane: LaneRecord | null,
    start: number,
    end: number,
    cpu: number,
    ok: boolean,
    outcome: TaskResult | string | null,
  ): void {
    const run = this.run;
    const task = this.task(call, index, start);
    if (!run || task < 0 || run.seen[task] === Seen.Settled) return;
    if (run.seen[task] === Seen.Running) {
      run.counts.running--;
      this.lanesById.get(run.lanesOf[task])?.running.delete(task);
    } else run.counts.queued--;
    run.seen[task] = Seen.Settled;
    lane?.running.delete(task);
    const worker = lane?.worker ?? -1;
    let value = NaN;
    if (ok) {
      run.counts.done++;
      if (typeof outcome === 'number') value = outcome;
      else if (typeof outcome === 'boolean') value = outcome ? 1 : 0;
      if (outcome !== null && typeof outcome !== 'number' && run.resultTexts < MAX_RESULT_TEXTS) {
        run.resultTexts++;
        this.texts.tasks.push(task);
        this.texts.texts.push(typeof outcome === 'boolean' ? (outcome ? 'True' : 'False') : outcome);
      }
    } else {
      run.counts.failed++;
      const message = typeof outcome === 'string' ? outcome : 'the task raised';
      this.frames.event({ type: 'task-failed', runId: run.runId, task, worker, reason: 'error', message });
    }
    this.frames.settled(worker, task, start, end, cpu, NaN, value, ok);
  }

  /** A task its client released before it ran (a cancelled run's queue). */
  private cancelled(call: string, index: number, at: number): void {
    const run = this.run;
    const task = this.task(call, index, at);
    if (!run || task < 0 || run.seen[task] !== Seen.Queued) return;
    run.seen[task] = Seen.Settled;
    run.counts.queued--;
    run.counts.cancelled++;
    this.frames.event({ type: 'tasks-cancelled', runId: run.runId, at, ranges: [[task, 1, -1]] });
  }

  /** The task id of (call, index) in the open run, seen as submitted (queued) the first time; -1 with no run. */
  private task(call: string, index: number, at: number): number {
    const run = this.run;
    if (!run) {
      this.stray++;
      return -1;
    }
    const state = this.call(run, call);
    if (index >= state.tasks.length) {
      const grown = new Int32Array(Math.max(index + 1, state.tasks.length * 2)).fill(-1);
      grown.set(state.tasks);
      state.tasks = grown;
    }
    let task = state.tasks[index];
    if (task >= 0) return task;
    task = run.nextTask++;
    state.tasks[index] = task;
    if (task >= run.seen.length) {
      const seen = new Uint8Array(run.seen.length * 2);
      seen.set(run.seen);
      run.seen = seen;
      const lanes = new Int32Array(run.lanesOf.length * 2);
      lanes.set(run.lanesOf);
      run.lanesOf = lanes;
    }
    run.seen[task] = Seen.Queued;
    run.counts.submitted++;
    run.counts.queued++;
    this.frames.submitted(task, state.id, at);
    return task;
  }

  private call(run: OpenRun, call: string): CallState {
    let state = run.calls.get(call);
    if (!state) {
      state = { id: run.nextCall++, tasks: new Int32Array(16).fill(-1) };
      run.calls.set(call, state);
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
    pid: number | null,
    name: string,
    kind: 'process' | 'thread',
    group: string,
    at: number,
    tid?: number,
  ): LaneRecord {
    const known = this.lanes.get(key);
    if (known && !known.exited) return known;
    const lane: LaneRecord = {
      worker: this.frames.newWorkerId(),
      key,
      pid,
      kind,
      name,
      group,
      tid: tid ?? null,
      at,
      exited: false,
      running: new Set(),
      rescheduled: false,
    };
    this.lanes.set(key, lane);
    this.lanesById.set(lane.worker, lane);
    this.frames.event(this.spawned(lane));
    this.frames.event({ type: 'worker-ready', worker: lane.worker, pid, at });
    return lane;
  }

  private spawned(lane: LaneRecord): PoolEvent {
    return {
      type: 'worker-spawned',
      worker: lane.worker,
      pid: lane.pid,
      at: lane.at,
      lane: { kind: lane.kind, name: lane.name, group: lane.group, ...(lane.tid !== null ? { tid: lane.tid } : {}) },
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
    const run = this.run;
    const how = signal
      ? `was killed with ${signal}`
      : code !== null && code !== 0
        ? `exited with code ${code}`
        : (reason ?? 'ended');
    if (run && lane.rescheduled) {
      // Waiting again, for the engine's retry (drawn by its attempt record) or its verdict.
      const ranges: [number, number][] = [];
      for (const task of lane.running) {
        run.counts.running--;
        run.counts.queued++;
        run.seen[task] = Seen.Queued;
        ranges.push([task, 1]);
      }
      if (ranges.length > 0)
        this.frames.event({ type: 'tasks-returned', runId: run.runId, worker: lane.worker, at, ranges });
    } else if (run) {
      for (const task of lane.running) {
        run.counts.running--;
        run.counts.failed++;
        run.seen[task] = Seen.Settled;
        const message = `${lane.name}${lane.pid !== null ? ` (pid ${lane.pid})` : ''} ${how} while running it`;
        this.frames.event({
          type: 'task-failed',
          runId: run.runId,
          task,
          worker: lane.worker,
          reason: 'crash',
          message,
        });
        this.frames.settled(lane.worker, task, NaN, at, NaN, NaN, NaN, false);
      }
    }
    lane.running.clear();
    // Threads of a process end with it.
    if (lane.tid === null && lane.pid !== null && lane.key === String(lane.pid)) {
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
    if (known) return known;
    const name = kind ?? 'Pool';
    const n = (this.poolsOfKind.get(name) ?? 0) + 1;
    this.poolsOfKind.set(name, n);
    const label = `${name} ${n}${asKind ? ` (as ${asKind})` : ''}`;
    this.pools.set(pool, label);
    return label;
  }

  private mark(at: number, label: string, group?: string): void {
    if (!this.run) return;
    this.frames.event({ type: 'mark', runId: this.run.runId, at, label, ...(group ? { group } : {}) });
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

/** How a call reads on screen: `Pool 1.map(square)`, `Process(target=f)`, `client.map(inc)`. */
function callLabel(method: string, func: string, pool: string | null): string {
  if (method === 'Process' || method === 'Thread') return `${method}(target=${func})`;
  if (pool === null) return `${method}(${func})`;
  return `${pool}.${method === 'executor.map' ? 'map' : method}(${func})`;
}

/** An attempt's reason as a phase kind: a lost run, a retry, a run again after it had counted. */
function attemptKind(reason: string): string {
  if (reason === 'retry') return 'attempt-retried';
  if (reason === 'recomputed') return 'attempt-recomputed';
  return 'attempt-lost';
}
