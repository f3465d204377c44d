import { TaskState, type TaskStore } from './task-store';

const STATE_NAMES = Object.fromEntries(Object.entries(TaskState).map(([name, code]) => [code, name]));

const cell = (value: number) => (Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : '');

/** Rows per piece of tasksCsvText: a few tens of ms of work each. */
const ROWS_PER_PIECE = 20_000;

/**
 * One row per task of the store's run (times in ms from the run's start), in
 * pieces of at most `rowsPerPiece` rows whose concatenation is the file: a page
 * writes 10⁶ rows between frames. The task columns are copied when it begins,
 * so a run still going on cannot mix two moments in one file.
 */
export function* tasksCsvText(store: TaskStore, rowsPerPiece = ROWS_PER_PIECE): Generator<string> {
  const run = store.run;
  if (!run) throw new Error('nothing to export: no run has started');
  const origin = run.startedAt;
  const lanes = new Map([...store.lanes.values()].map((lane) => [lane.worker, lane]));
  const size = store.size;
  const [state, worker, dispatchedAt, start, end, cpu, coreWait, result] = [
    store.state.slice(0, size),
    store.worker.slice(0, size),
    store.dispatchedAt.slice(0, size),
    store.start.slice(0, size),
    store.end.slice(0, size),
    store.cpu.slice(0, size),
    store.coreWait.slice(0, size),
    store.result.slice(0, size),
  ] as const;
  yield 'task,worker,pid,state,dispatched_ms,start_ms,end_ms,duration_ms,cpu_ms,core_wait_ms,result\n';
  for (let from = 0; from < size; from += rowsPerPiece) {
    const rows: string[] = [];
    for (let task = from; task < Math.min(size, from + rowsPerPiece); task++) {
      const on = worker[task];
      const settled = state[task] === TaskState.done || state[task] === TaskState.failed;
      rows.push(
        [
          task,
          on >= 0 ? `W${lanes.get(on)?.number ?? on}` : '',
          on >= 0 ? (lanes.get(on)?.pid ?? '') : '',
          STATE_NAMES[state[task]],
          on >= 0 ? cell(dispatchedAt[task] - origin) : '',
          cell(start[task] - origin),
          cell(end[task] - origin),
          cell(end[task] - start[task]),
          cell(cpu[task]),
          cell(coreWait[task]),
          // A text result settled after the copy belongs to a later moment than this row.
          Number.isNaN(result[task]) ? csvText(settled ? (store.resultText.get(task) ?? '') : '') : cell(result[task]),
        ].join(','),
      );
    }
    yield `${rows.join('\n')}\n`;
  }
}

/** The whole CSV as one string (the CLI): what tasksCsvText's pieces make. */
export function tasksToCsv(store: TaskStore): string {
  return [...tasksCsvText(store)].join('');
}

/** A text cell, quoted where it must be (RFC 4180). */
function csvText(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
