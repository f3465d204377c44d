/**
 * Chrome Trace Event export (opens in Perfetto and chrome://tracing): one
 * complete ('X') event per settled task, one pid per worker process, named
 * with process_name / thread_name metadata; worker start-up as its own slice.
 */
import { TaskState, type Lane, type TaskStore } from './task-store';

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

/** The whole trace as one string (the CLI, tests): what chromeTraceText's pieces make. */
export function chromeTraceJson(store: TaskStore): string {
  return [...chromeTraceText(store)].join('');
}

/** A lane's name as every view writes it: its per-run number, then the runtime's own name if it has one. */
export function laneLabel(lane: Pick<Lane, 'number' | 'name'>): string {
  return lane.name ? `W${lane.number} ${lane.name}` : `W${lane.number}`;
}

/** Events per piece of chromeTraceText: a few tens of ms of work each. */
const EVENTS_PER_PIECE = 20_000;

/**
 * The store's run as Chrome trace JSON (times in µs from the run's start), in
 * pieces of at most `eventsPerPiece` events whose concatenation is the file:
 * a page writes a 10⁶-task trace between frames, and the whole never has to be
 * one object or one string. The tasks settled when it is called are the
 * trace's, even if the run goes on while the pieces are taken.
 */
export function* chromeTraceText(store: TaskStore, eventsPerPiece = EVENTS_PER_PIECE): Generator<string> {
  const run = store.run;
  if (!run) throw new Error('nothing to export: no run has started');
  const origin = run.startedAt;
  const us = (ms: number) => Math.round((ms - origin) * 1000 * 1000) / 1000;
  // To the ns, as ts is: a raw difference of two doubles prints up to 17 digits, 7 % of a 10⁶-task file.
  const dur = (from: number, to: number) => Math.max(0, Math.round((us(to) - us(from)) * 1000) / 1000);
  const round = (ms: number) => (Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : null);
  const events: TraceEvent[] = [];
  const pidOf = new Map<number, number>();
  const named = new Set<number>();
  for (const lane of store.laneList()) {
    const pid = lane.pid ?? lane.worker;
    // A thread lane shares its process's pid; its worker id is its tid in the trace.
    const tid = lane.worker;
    if (!named.has(pid)) {
      named.add(pid);
      const name = lane.kind === 'thread' ? `threads of pid ${pid}` : `${laneLabel(lane)} (pid ${pid})`;
      events.push(
        { name: 'process_name', ph: 'M', pid, tid: 0, args: { name } },
        { name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: lane.worker } },
      );
    }
    pidOf.set(lane.worker, pid);
    events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: laneLabel(lane) } });
    if (lane.readyAt !== null && lane.readyAt >= origin) {
      events.push({
        name: 'start-up',
        cat: 'worker',
        ph: 'X',
        pid,
        tid,
        ts: us(lane.spawnedAt),
        dur: dur(lane.spawnedAt, lane.readyAt),
      });
    }
    if (lane.exitedAt !== null) {
      events.push({
        name: `exit (${lane.exitCause})`,
        cat: 'worker',
        ph: 'i',
        s: 'p',
        pid,
        tid,
        ts: us(lane.exitedAt),
        args: { code: lane.exitCode, signal: lane.exitSignal },
      });
    }
  }
  const failures = new Map(store.failures.map((f) => [f.task, f]));
  const category = run.run.spec?.workload ?? run.run.source;
  const settled = store.orderLength;
  const waits = store.waits;
  const waitCount = waits.length;
  const otherData = {
    generator: 'poolscope',
    runId: run.runId,
    run: run.run,
    spec: run.run.spec,
    chunksize: run.run.chunksize,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
  let prefix = '{"traceEvents":[';
  let separator = '';
  /** The events gathered since the last piece, as the next stretch of the traceEvents array. */
  const piece = () => {
    let text = prefix;
    prefix = '';
    if (events.length > 0) {
      text += separator + JSON.stringify(events).slice(1, -1);
      separator = ',';
      events.length = 0;
    }
    return text;
  };
  for (let k = 0; k < settled; k++) {
    if (events.length >= eventsPerPiece) yield piece();
    const task = store.order[k];
    const worker = store.worker[task];
    const failed = store.state[task] === TaskState.failed;
    const failure = failures.get(task);
    const result = store.result[task];
    const measured = { cpu_ms: round(store.cpu[task]), core_wait_ms: round(store.coreWait[task]) };
    events.push({
      name: failed ? `task ${task} (${failure?.reason ?? 'failed'})` : `task ${task}`,
      cat: failed ? 'failed' : category,
      ph: 'X',
      pid: pidOf.get(worker) ?? worker,
      tid: worker,
      ts: us(store.start[task]),
      dur: dur(store.start[task], store.end[task]),
      args: failed
        ? { task, worker, reason: failure?.reason, message: failure?.message, ...measured }
        : {
            task,
            worker,
            result: Number.isNaN(result) ? (store.resultText.get(task) ?? null) : result,
            ...measured,
          },
    });
  }
  for (let i = 0; i < waitCount; i++) {
    if (events.length >= eventsPerPiece) yield piece();
    const worker = waits.worker[i];
    events.push({
      name: 'waiting for the GIL',
      cat: 'lock-wait',
      ph: 'X',
      pid: pidOf.get(worker) ?? worker,
      tid: worker,
      ts: us(waits.start[i]),
      dur: dur(waits.start[i], waits.end[i]),
      args: { task: waits.task[i], worker },
    });
  }
  yield `${piece()}],"displayTimeUnit":"ms","otherData":${JSON.stringify(otherData)}}`;
}
