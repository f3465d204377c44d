/**
 * Chrome Trace Event export (opens in Perfetto and chrome://tracing): one
 * complete ('X') event per settled task, one pid per worker process, named
 * with process_name / thread_name metadata; worker start-up as its own slice.
 */
import type { TaskStore } from './task-store';
import { TaskState } from './task-store';

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

/** The store's run as a trace; times in µs from the run's start. */
export function toChromeTrace(store: TaskStore): ChromeTrace {
  const run = store.run;
  if (!run) throw new Error('nothing to export: no run has started');
  const origin = run.startedAt;
  const us = (ms: number) => Math.round((ms - origin) * 1000 * 1000) / 1000;
  const events: TraceEvent[] = [];
  const pidOf = new Map<number, number>();
  // Thread backends run every worker as a thread of one process: one pid, a tid per worker.
  const threaded = run.spec.backend === 'thread' || run.spec.backend === 'gil';
  for (const lane of store.laneList()) {
    const pid = lane.pid ?? lane.worker;
    const tid = lane.worker;
    if (!pidOf.has(lane.worker) && ![...pidOf.values()].includes(pid)) {
      const name = threaded ? `thread host (pid ${pid})` : `worker ${lane.worker} (pid ${pid})`;
      events.push(
        { name: 'process_name', ph: 'M', pid, tid: 0, args: { name } },
        { name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: lane.worker } },
      );
    }
    pidOf.set(lane.worker, pid);
    events.push({
      name: 'thread_name',
      ph: 'M',
      pid,
      tid,
      args: { name: `${threaded ? 'thread' : 'worker'} ${lane.worker}` },
    });
    if (lane.readyAt !== null && lane.readyAt >= origin) {
      events.push({
        name: 'start-up',
        cat: 'worker',
        ph: 'X',
        pid,
        tid,
        ts: us(lane.spawnedAt),
        dur: Math.max(0, (lane.readyAt - lane.spawnedAt) * 1000),
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
  for (let k = 0; k < store.orderLength; k++) {
    const task = store.order[k];
    const worker = store.worker[task];
    const failed = store.state[task] === TaskState.failed;
    const failure = failures.get(task);
    const result = store.result[task];
    events.push({
      name: failed ? `task ${task} (${failure?.reason ?? 'failed'})` : `task ${task}`,
      cat: failed ? 'failed' : run.spec.workload,
      ph: 'X',
      pid: pidOf.get(worker) ?? worker,
      tid: worker,
      ts: us(store.start[task]),
      dur: Math.max(0, (store.end[task] - store.start[task]) * 1000),
      args: failed
        ? { task, worker, reason: failure?.reason, message: failure?.message }
        : { task, worker, result: Number.isNaN(result) ? null : result },
    });
  }
  const waits = store.waits;
  for (let i = 0; i < waits.length; i++) {
    const worker = waits.worker[i];
    events.push({
      name: 'waiting for the GIL',
      cat: 'lock-wait',
      ph: 'X',
      pid: pidOf.get(worker) ?? worker,
      tid: worker,
      ts: us(waits.start[i]),
      dur: Math.max(0, (waits.end[i] - waits.start[i]) * 1000),
      args: { task: waits.task[i], worker },
    });
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      generator: 'poolscope',
      runId: run.runId,
      spec: run.spec,
      chunksize: run.chunksize,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    },
  };
}
