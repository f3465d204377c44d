/**
 * Command line: runs a workload on the engine under plain Node and prints its
 * results in the run's order, then a summary.
 *
 *   npm run cli -- run --workload square --tasks 10 --pool 5
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { formatCount, formatMs, pyList, pyRepr } from '../../shared/format';
import { makeRunSpec, runSpecSchema, type RunSpec } from '../../shared/run-spec';
import { computeStats } from '../../shared/stats';
import { TaskStore } from '../../shared/task-store';
import { toChromeTrace } from '../../shared/trace';
import { WORKLOADS } from '../../shared/workloads';
import { now } from '../engine/clock';
import { forkLauncher } from '../engine/launcher';
import { Pool, type RunResult } from '../engine/pool';
import { ensureBuilt, workerEntryPath } from './build';

/** CLI flag → RunSpec field. */
const SPEC_FLAGS = {
  pool: 'poolSize',
  backend: 'backend',
  workload: 'workload',
  tasks: 'tasks',
  from: 'from',
  cost: 'costMs',
  distribution: 'distribution',
  chunksize: 'chunksize',
  mode: 'mode',
  'max-tasks-per-worker': 'maxTasksPerWorker',
  timeout: 'timeoutMs',
  seed: 'seed',
  'fault-every': 'faultEvery',
  'switch-interval': 'switchIntervalMs',
} as const satisfies Record<string, keyof RunSpec>;

const NUMERIC = new Set<keyof RunSpec>([
  'poolSize',
  'tasks',
  'from',
  'costMs',
  'maxTasksPerWorker',
  'timeoutMs',
  'seed',
  'faultEvery',
  'switchIntervalMs',
]);

/** Results longer than this are elided unless --results all. */
const RESULTS_SHOWN = 1000;

const HELP = `Usage: npm run cli -- run [options]

Runs a workload on a real pool of worker processes and prints the results in the
run's order (input order for map/imap/apply_async, completion order for
imap_unordered), then a summary on stderr.

Options:
  --workload NAME            ${Object.keys(WORKLOADS).join(', ')} (default cpu)
  --tasks N                  number of tasks, 1…1,000,000 (default 40)
  --pool N                   worker processes, 1…64 (default: logical cores)
  --chunksize N|auto         tasks per chunk; auto = ⌈n / (4·workers)⌉ for map (default auto)
  --mode MODE                map, imap, imap_unordered, apply_async (default map)
  --cost MS                  cost of cpu/io/primes tasks in ms (default 50)
  --distribution KIND        fixed, uniform, longtail (default fixed)
  --timeout MS               per-task timeout, 0 = none (default 0)
  --max-tasks-per-worker N   recycle a worker after N tasks, 0 = never (default 0)
  --seed N                   seed for costs (default 1)
  --from N                   task i gets input from + i (default 0)
  --fault-every K            fail/crash/hang: every K-th task misbehaves (default 5)
  --backend NAME             process (default)
  --results all|none|auto    print every result, none, or at most ${RESULTS_SHOWN} (default auto)
  --trace FILE               write a Chrome Trace Event JSON file (opens in Perfetto)
  --json                     print one JSON object instead of text
  -h, --help                 show this help

Exit status: 0 when every task succeeded, 1 when any failed or the run did not
complete, 2 for bad usage.`;

class UsageError extends Error {}

function parseSpec(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...Object.fromEntries(Object.keys(SPEC_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      results: { type: 'string', default: 'auto' },
      trace: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true as const };
  if (positionals[0] !== 'run' || positionals.length > 1) {
    throw new UsageError(
      `expected the command "run", got ${positionals.length ? `"${positionals.join(' ')}"` : 'nothing'}`,
    );
  }
  const partial: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(SPEC_FLAGS) as [keyof typeof SPEC_FLAGS, keyof RunSpec][]) {
    const raw = (values as Record<string, unknown>)[flag] as string | undefined;
    if (raw === undefined) continue;
    const numeric = NUMERIC.has(field) || (field === 'chunksize' && raw !== 'auto');
    partial[field] = numeric ? (raw.trim() === '' ? NaN : Number(raw)) : raw;
  }
  const cores = availableParallelism();
  const parsed = runSpecSchema.safeParse(makeRunSpec(partial as Partial<RunSpec>, cores));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0]);
    const flag = Object.entries(SPEC_FLAGS).find(([, f]) => f === field)?.[0] ?? field;
    throw new UsageError(`--${flag}: ${issue.message}`);
  }
  const results = values.results as string;
  if (!['all', 'none', 'auto'].includes(results)) throw new UsageError(`--results: expected all, none or auto`);
  return {
    help: false as const,
    spec: parsed.data,
    results: results as 'all' | 'none' | 'auto',
    trace: values.trace as string | undefined,
    json: values.json as boolean,
  };
}

const unordered = (result: RunResult) => result.spec.mode === 'imap_unordered';

/** How many results the run hands back, and which task's comes k-th (completion order for imap_unordered). */
const resultCount = (result: RunResult) => (unordered(result) ? result.completionOrder.length : result.spec.tasks);
const taskAt = (result: RunResult, k: number) => (unordered(result) ? result.completionOrder[k] : k);

function formatResults(result: RunResult, show: 'all' | 'auto'): string {
  const failed = new Set(result.failures.map((f) => f.task));
  const count = resultCount(result);
  const limit = show === 'all' ? count : Math.min(count, RESULTS_SHOWN);
  const items: string[] = [];
  for (let k = 0; k < limit; k++) {
    const task = taskAt(result, k);
    items.push(failed.has(task) ? `<task ${task} failed>` : pyRepr(result.values[task]));
  }
  const list = pyList(items);
  return limit < count
    ? `${list.slice(0, -1)}, …] (${formatCount(count)} results; --results all prints every one)`
    : list;
}

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseSpec>;
  try {
    options = parseSpec(argv);
  } catch (error) {
    process.stderr.write(`poolscope: ${error instanceof Error ? error.message : String(error)}\nTry --help.\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { spec, json } = options;
  try {
    ensureBuilt('worker');
  } catch (error) {
    process.stderr.write(`poolscope: ${(error as Error).message}\n`);
    return 1;
  }
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: spec.poolSize });
  const store = new TaskStore();
  pool.onFrame((frame) => {
    store.ingest(frame);
    if (json) return;
    // Workers' output, live and in arrival order, the way a terminal would show it.
    for (const event of frame.events) {
      if (event.type === 'output')
        (event.stream === 'stderr' ? process.stderr : process.stdout).write(`${event.text}\n`);
    }
  });
  const stopOnSignal = () => void pool.close().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    await pool.ready();
    const result = await pool.start(spec).finished;
    const stats = computeStats(store, now());
    if (options.trace) writeFileSync(options.trace, JSON.stringify(toChromeTrace(store)));
    if (json) {
      const showAll = options.results === 'all' || (options.results === 'auto' && spec.tasks <= RESULTS_SHOWN);
      const results = showAll
        ? Array.from({ length: resultCount(result) }, (_, k) => {
            const value = result.values[taskAt(result, k)];
            return Number.isNaN(value) ? null : value;
          })
        : undefined;
      process.stdout.write(
        `${JSON.stringify({ spec, chunksize: result.chunksize, status: result.status, error: result.error, counts: result.counts, stats, failures: result.failures, results })}\n`,
      );
    } else {
      if (options.results !== 'none') process.stdout.write(`${formatResults(result, options.results)}\n`);
      process.stderr.write(summary(result, stats));
    }
    return result.status === 'completed' && result.counts.failed === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`poolscope: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await pool.close();
  }
}

function summary(result: RunResult, stats: ReturnType<typeof computeStats>): string {
  const { spec, counts } = result;
  const lines = [
    '',
    `${spec.workload} × ${formatCount(spec.tasks)} on ${spec.poolSize} worker process${spec.poolSize === 1 ? '' : 'es'} · ${spec.mode} · chunksize ${result.chunksize} · ${result.status}`,
    `  done ${counts.done} · failed ${counts.failed} · cancelled ${counts.cancelled}`,
  ];
  if (stats) {
    lines.push(
      `  wall ${formatMs(stats.elapsedMs)} · throughput ${formatCount(stats.throughput)} tasks/s · dispatch latency ${formatMs(stats.dispatchLatencyMs)}`,
      `  utilisation ${(stats.utilisation * 100).toFixed(1)} % · speedup ${stats.speedup.toFixed(2)}× · efficiency ${(stats.efficiency * 100).toFixed(1)} % · load imbalance ${(stats.loadImbalance * 100).toFixed(1)} %`,
    );
  }
  if (result.error) lines.push(`  run failed: ${result.error}`);
  for (const failure of result.failures.slice(0, 10))
    lines.push(`  task ${failure.task} failed (${failure.reason}): ${failure.message}`);
  if (result.failures.length > 10) lines.push(`  … and ${result.failures.length - 10} more failures`);
  return `${lines.join('\n')}\n`;
}

process.exitCode = await main(process.argv.slice(2));
