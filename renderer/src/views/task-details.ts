import { formatDuration, formatPercent, pyRepr } from '../../../shared/format';
import { TaskState, type TaskStore } from '../../../shared/task-store';

export interface TaskDetails {
  task: number;
  state: string;
  rows: [label: string, value: string][];
}

const STATE_NAMES: Record<number, string> = {
  [TaskState.queued]: 'queued',
  [TaskState.dispatched]: 'in an inbox',
  [TaskState.running]: 'running',
  [TaskState.done]: 'done',
  [TaskState.failed]: 'failed',
  [TaskState.cancelled]: 'cancelled',
};

/** What the timeline's tooltip says about one task; times relative to the run's start. */
export function describeTask(store: TaskStore, task: number, now: number): TaskDetails | null {
  const run = store.run;
  if (!run || task < 0 || task >= store.size) return null;
  const origin = run.startedAt;
  const worker = store.worker[task];
  const lane = store.lanes.get(worker);
  const start = store.start[task];
  const end = store.end[task];
  const state = store.state[task];
  const rows: [string, string][] = [];
  if (worker >= 0) rows.push(['Worker', `W${lane?.number ?? worker}${lane?.pid != null ? ` · pid ${lane.pid}` : ''}`]);
  if (run.run.spec) rows.push(['Input', String(run.run.spec.from + task)]);
  const call = store.call[task] >= 0 ? store.calls.get(store.call[task]) : undefined;
  if (call) rows.push(['Call', call.label]);
  if (Number.isFinite(start)) rows.push(['Start', formatDuration(start - origin)]);
  if (Number.isFinite(end)) rows.push(['End', formatDuration(end - origin)]);
  if (Number.isFinite(start)) rows.push(['Duration', formatDuration((Number.isFinite(end) ? end : now) - start)]);
  if (state === TaskState.done)
    rows.push([
      'Result',
      store.resultText.get(task) ?? pyRepr(Number.isNaN(store.result[task]) ? null : store.result[task]),
    ]);
  if (Number.isFinite(store.cpu[task])) rows.push(['CPU', formatDuration(store.cpu[task])]);
  const wait = store.coreWait[task];
  if (Number.isFinite(wait) && Number.isFinite(start) && Number.isFinite(end)) {
    const share = end > start ? wait / (end - start) : 0;
    rows.push([
      'Waiting for a core',
      wait > 0.05 ? `${formatDuration(wait)} (${formatPercent(share)} of its time)` : 'none',
    ]);
  } else if (state === TaskState.running && lane?.sample?.waitingPct != null)
    rows.push([
      'Waiting for a core',
      `${formatPercent(Math.min(100, lane.sample.waitingPct) / 100)} of the last sample`,
    ]);
  if (state === TaskState.failed) {
    const failure = store.failures.find((f) => f.task === task);
    if (failure)
      rows.push([
        failure.reason === 'timeout' ? 'Timed out' : failure.reason === 'crash' ? 'Crashed' : 'Error',
        failure.message,
      ]);
  }
  const failure = state === TaskState.failed ? store.failures.find((f) => f.task === task) : undefined;
  const name =
    failure?.reason === 'timeout' ? 'timed out' : failure?.reason === 'crash' ? 'crashed' : STATE_NAMES[state];
  return { task, state: name ?? 'unknown', rows };
}
