import { TaskState, type TaskStore } from './task-store';

const STATE_NAMES = Object.fromEntries(Object.entries(TaskState).map(([name, code]) => [code, name]));

const cell = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : '');

/** One row per task of the store's run; times in ms from the run's start. */
export function tasksToCsv(store: TaskStore): string {
  const run = store.run;
  if (!run) throw new Error('nothing to export: no run has started');
  const origin = run.startedAt;
  const lanes = new Map([...store.lanes.values()].map((lane) => [lane.worker, lane]));
  const rows = ['task,worker,pid,state,dispatched_ms,start_ms,end_ms,duration_ms,cpu_ms,core_wait_ms,result'];
  for (let task = 0; task < store.size; task++) {
    const worker = store.worker[task];
    const start = store.start[task];
    const end = store.end[task];
    rows.push(
      [
        task,
        worker >= 0 ? `W${lanes.get(worker)?.number ?? worker}` : '',
        worker >= 0 ? (lanes.get(worker)?.pid ?? '') : '',
        STATE_NAMES[store.state[task]],
        worker >= 0 ? cell(store.dispatchedAt[task] - origin) : '',
        cell(start - origin),
        cell(end - origin),
        cell(end - start),
        cell(store.cpu[task]),
        cell(store.coreWait[task]),
        Number.isNaN(store.result[task]) ? csvText(store.resultText.get(task) ?? '') : cell(store.result[task]),
      ].join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

/** A text cell, quoted where it must be (RFC 4180). */
function csvText(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
