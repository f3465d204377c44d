/**
 * The compare view's workloads and how its measurements read: the assignment's Q2
 * table, answered by numbers from this machine rather than by assertion.
 */
import type { Backend, RunSpec } from '../../../shared/run-spec';
import { formatTimes } from '../../../shared/format';
import { SCENARIOS } from '../../../shared/scenarios';
import type { ComparePreset, CompareRow, CompareState } from './teach-slice';

export const BACKEND_INFO: Record<Backend, { name: string; plural: string; what: string }> = {
  process: { name: 'process', plural: 'Processes', what: 'worker processes, each with its own memory' },
  thread: { name: 'thread', plural: 'Threads', what: 'threads inside one worker process' },
  gil: { name: 'GIL', plural: 'GIL threads', what: 'threads that must hold one shared lock to compute' },
  serial: { name: 'serial', plural: 'Serial', what: 'one worker, one task at a time: the baseline' },
  dask: { name: 'Dask', plural: 'Dask', what: 'a local Dask cluster: worker processes fed by a scheduler' },
  ray: { name: 'Ray', plural: 'Ray', what: 'a local Ray instance: worker processes fed by its raylet' },
};

export const COMPARE_PRESETS: Record<ComparePreset, { label: string; summary: string; spec: Partial<RunSpec> }> = {
  // The assignment's Q2 is exactly the CPU-bound comparison.
  cpu: { label: 'CPU-bound', summary: 'cpu tasks of 20 ms: pure computation', spec: SCENARIOS.q2.spec },
  io: {
    label: 'I/O-bound',
    summary: 'io tasks of 50 ms: waiting, the CPU is free',
    spec: { workload: 'io', costMs: 50, tasks: 40, chunksize: 1 },
  },
};

/** "Threads" → "threads", but "GIL threads" stays. */
const lowerFirst = (word: string) => (/^[A-Z][a-z]/.test(word) ? word[0].toLowerCase() + word.slice(1) : word);

function list(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * One line on what the measurement shows, from the numbers themselves: which
 * backends reached the ideal (the cores for CPU-bound work, the pool size for
 * I/O-bound), which gained nothing, and which fell in between.
 */
/**
 * The speedup Compare plots: the measured serial run's wall time over this one's
 * where serial was measured, else how many cores' worth of CPU it kept busy.
 */
export function shownSpeedup(row: CompareRow): number {
  return row.wallSpeedup ?? row.speedup ?? 0;
}

export function compareReading(rows: CompareRow[], measured: NonNullable<CompareState['measured']>): string {
  const parallel = rows.filter((r) => r.backend !== 'serial');
  if (parallel.length === 0) return 'Serial alone is only the baseline: add a parallel backend to compare against it.';
  const ideal = measured.preset === 'cpu' ? Math.min(measured.poolSize, measured.cores) : measured.poolSize;
  const full = parallel.filter((r) => shownSpeedup(r) >= 0.8 * ideal && ideal > 1);
  const none = parallel.filter((r) => !full.includes(r) && shownSpeedup(r) < 1.3);
  const partial = parallel.filter((r) => !full.includes(r) && !none.includes(r));
  const sentences: string[] = [];
  if (full.length) {
    const who = list(
      full.map((r, i) => (i === 0 ? BACKEND_INFO[r.backend].plural : lowerFirst(BACKEND_INFO[r.backend].plural))),
    );
    const speeds = full.map((r) => `${BACKEND_INFO[r.backend].name} ${formatTimes(shownSpeedup(r))}`).join(', ');
    sentences.push(
      measured.preset === 'cpu'
        ? `${who} compute on ${ideal} cores at once (${speeds})`
        : `${who} overlap their waits, which need no core (${speeds})`,
    );
  }
  for (const r of partial)
    sentences.push(
      `${BACKEND_INFO[r.backend].plural}: ${formatTimes(shownSpeedup(r))} of an ideal ${formatTimes(ideal, { whole: true })}`,
    );
  for (const r of none) {
    sentences.push(
      r.backend === 'gil'
        ? `GIL threads take turns: ${formatTimes(shownSpeedup(r))} — no faster than one worker`
        : `${BACKEND_INFO[r.backend].plural}: ${formatTimes(shownSpeedup(r))} — no faster than one worker`,
    );
  }
  return `${sentences.map((s, i) => (i === 0 ? s : lowerFirst(s))).join('; ')}.`;
}
