/**
 * Command line: runs a workload on the engine under plain Node and prints its
 * results in the run's order, then a summary.
 *
 *   npm run cli -- run --workload square --tasks 10 --pool 5
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { tasksToCsv } from '../../shared/csv';
import { formatCount, formatMs, pyList, pyRepr } from '../../shared/format';
import {
  BACKENDS,
  ENGINE_BACKENDS,
  isClusterBackend,
  LIMITS,
  makeRunSpec,
  runSpecSchema,
  runTitle,
  type RunSpec,
} from '../../shared/run-spec';
import { parentOutput, SCENARIO_IDS, SCENARIOS, type ScenarioId } from '../../shared/scenarios';
import { computeStats } from '../../shared/stats';
import { TaskStore } from '../../shared/task-store';
import { chromeTraceJson } from '../../shared/trace';
import { WORKLOADS } from '../../shared/workloads';
import { now } from '../engine/clock';
import { compareBackends, PYTHON_BACKENDS } from '../../shared/jobs/compare';
import { Cancelled, Session } from '../../shared/jobs/session';
import type { JobTarget, StepContext } from '../../shared/jobs/steps';
import { sweepPoolSizes } from '../../shared/jobs/sweep';
import type { Pool, RunResult } from '../engine/pool';
import { ensureBuilt } from './build';
import { endWithAncestors } from './lifeline';
import { openLocalHost } from './local-host';
import { FrameBuilder } from '../engine/frame-builder';
import { PythonError } from '../python/python-process';
import { PythonRun } from '../python/python-run';

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
  threads: 'threadsPerWorker',
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
  'threadsPerWorker',
]);

/** Results longer than this are elided unless --results all. */
const RESULTS_SHOWN = 1000;

const HELP = `Usage: npm run cli -- COMMAND [options]

Commands:
  run            run a workload on a real pool of worker processes; print its
                 results in the run's order (input order for map/imap/apply_async,
                 completion order for imap_unordered), then a summary on stderr
  scenario ID    one of the seed assignment's examples: ${SCENARIO_IDS.join(', ')}
  compare        the same workload on each backend: wall time, speedup over
                 serial, start-up cost and memory per worker (default: cpu tasks)
  sweep          the same workload at pool sizes 1 … 2×cores: speedup, efficiency
                 and an Amdahl fit
  python SCRIPT  run your own Python script, traced: its pools, processes and
                 threads as Poolscope sees them (python --help for its options)

Run options (compare and sweep take them too):
  --workload NAME            ${Object.keys(WORKLOADS).join(', ')} (default cpu)
  --tasks N                  number of tasks, 1…1,000,000 (default 40)
  --pool N                   workers, 1…64 (default: logical cores)
  --backend NAME             ${BACKENDS.join(', ')} (default process);
                             dask and ray start a local cluster of --pool workers (Python with
                             them installed: .venv/bin/pip install -r python/requirements-cluster.txt)
  --chunksize N|auto         tasks per chunk; auto = ⌈n / (4·workers)⌉ for map, 1 for imap (default auto)
  --mode MODE                map, imap, imap_unordered, apply_async (default map)
  --cost MS                  cost of cpu/io/primes tasks in ms (default 50)
  --distribution KIND        fixed, uniform, longtail (default fixed)
  --timeout MS               per-task timeout, 0 = none (default 0)
  --max-tasks-per-worker N   replace a worker after N tasks, 0 = never (default 0)
  --seed N                   seed for costs (default 1)
  --from N                   task i gets input from + i (default 0)
  --fault-every K            fail/crash/hang: every K-th task misbehaves (default 5)
  --switch-interval MS       gil backend: how long a thread holds the lock before offering it (default 5)
  --threads N                dask backend: threads per worker process, 1…16 (default 1)
  --results all|none|auto    run: print every result, none, or at most ${RESULTS_SHOWN} (default auto)
  --trace FILE               run, scenario: write Chrome Trace Event JSON (opens in Perfetto)
  --csv FILE                 run: write one row per task (worker, pid, state, times, result)
  --backends LIST            compare: backends to measure, e.g. process,gil,dask
                             (default process, thread, gil, serial; dask and ray when named)
  --sizes LIST               sweep: pool sizes, e.g. 1,2,4 (default 1 … 2×cores)
  --script FILE              compare, sweep: measure your own Python script instead
                             (its pools sized by the job; compare: process, thread, serial)
  --json                     print one JSON object instead of text
  -h, --help                 show this help

Exit status: 0 when every task succeeded, 1 when any failed or the run did not
complete, 2 for bad usage.`;

class UsageError extends Error {}

function parseStrict(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.keys(SPEC_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        results: { type: 'string', default: 'auto' },
        trace: { type: 'string' },
        csv: { type: 'string' },
        backends: { type: 'string' },
        sizes: { type: 'string' },
        script: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The options every command takes, plus each command's own. */
function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseStrict(argv);
  const results = values.results as string;
  if (!['all', 'none', 'auto'].includes(results)) throw new UsageError(`--results: expected all, none or auto`);
  return {
    command: positionals[0] as string | undefined,
    args: positionals.slice(1),
    values: values as Record<string, string | boolean | undefined>,
    results: results as 'all' | 'none' | 'auto',
    trace: values.trace as string | undefined,
    csv: values.csv as string | undefined,
    json: values.json as boolean,
    help: values.help as boolean,
  };
}

/** A validated RunSpec from the spec flags over `defaults`; the offending flag is named on error. */
function specFrom(values: Record<string, string | boolean | undefined>, defaults: Partial<RunSpec> = {}): RunSpec {
  const partial: Record<string, unknown> = { ...defaults };
  for (const [flag, field] of Object.entries(SPEC_FLAGS) as [keyof typeof SPEC_FLAGS, keyof RunSpec][]) {
    const raw = values[flag];
    if (typeof raw !== 'string') continue;
    const numeric = NUMERIC.has(field) || (field === 'chunksize' && raw !== 'auto');
    partial[field] = numeric ? (raw.trim() === '' ? NaN : Number(raw)) : raw;
  }
  const parsed = runSpecSchema.safeParse(makeRunSpec(partial as Partial<RunSpec>, availableParallelism()));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0]);
    const flag = Object.entries(SPEC_FLAGS).find(([, f]) => f === field)?.[0] ?? field;
    throw new UsageError(`--${flag}: ${issue.message}`);
  }
  return parsed.data;
}

function listOf<T extends string>(raw: string | boolean | undefined, allowed: readonly T[], flag: string): T[] | null {
  if (typeof raw !== 'string') return null;
  const items = raw.split(',').map((item) => item.trim());
  const bad = items.find((item) => !allowed.includes(item as T));
  if (bad !== undefined) throw new UsageError(`--${flag}: "${bad}" is not one of ${allowed.join(', ')}`);
  return items as T[];
}

function sizesFrom(raw: string | boolean | undefined): number[] | null {
  if (typeof raw !== 'string') return null;
  const sizes = raw.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < LIMITS.poolSize.min || n > LIMITS.poolSize.max)) {
    throw new UsageError(`--sizes: expected pool sizes ${LIMITS.poolSize.min}…${LIMITS.poolSize.max}, like 1,2,4`);
  }
  return sizes;
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

type CommandLine = ReturnType<typeof parseCommandLine>;

/** Set by Ctrl-C or SIGTERM: the command stops its pool, prints no results, and exits 130. */
let interrupted: NodeJS.Signals | null = null;
const INTERRUPTED = 130;
const SUMMARY_FRAME_MS = 100;

/** Stops `pool` on the first SIGINT or SIGTERM; a second one exits at once. */
function stopOnSignal(pool: () => Pool | null): void {
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(INTERRUPTED);
    interrupted = signal;
    process.stderr.write(`poolscope: ${signal}, stopping the workers…\n`);
    void pool()?.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** A pool whose workers' output is echoed live, in arrival order, the way a terminal shows it. */
function openPool(spec: RunSpec, store: TaskStore, echo: boolean): Pool {
  // Listening before the first worker exists: a Ctrl-C from then on stops them, whenever it comes.
  let opened: Pool | null = null;
  stopOnSignal(() => opened);
  const { hub } = openLocalHost(spec.poolSize, spec.backend);
  const { pool } = hub;
  opened = pool;
  hub.onFrame((frame) => {
    store.ingest(frame);
    if (!echo) return;
    for (const event of frame.events) {
      if (event.type === 'output')
        (event.stream === 'stderr' ? process.stderr : process.stdout).write(`${event.text}\n`);
    }
  });
  return pool;
}

async function runCommand(line: CommandLine): Promise<number> {
  const spec = specFrom(line.values);
  if (isClusterBackend(spec.backend)) return clusterRunCommand(line, spec);
  const store = new TaskStore();
  const pool = openPool(spec, store, !line.json);
  try {
    store.reserve(spec.tasks);
    await pool.ready();
    const result = await pool.start(spec).finished;
    if (interrupted) return INTERRUPTED;
    const stats = computeStats(store, now(), availableParallelism());
    if (line.trace) writeFileSync(line.trace, chromeTraceJson(store));
    if (line.csv) writeFileSync(line.csv, tasksToCsv(store));
    if (line.json) {
      const showAll = line.results === 'all' || (line.results === 'auto' && spec.tasks <= RESULTS_SHOWN);
      const results = showAll
        ? Array.from({ length: resultCount(result) }, (_, k) => {
            const value = result.values[taskAt(result, k)];
            return Number.isNaN(value) ? null : value;
          })
        : undefined;
      const { status, error, counts, failures, chunksize } = result;
      process.stdout.write(`${JSON.stringify({ spec, chunksize, status, error, counts, stats, failures, results })}\n`);
    } else {
      if (line.results !== 'none') process.stdout.write(`${formatResults(result, line.results)}\n`);
      process.stderr.write(summary(store, stats));
    }
    return result.status === 'completed' && result.counts.failed === 0 ? 0 : 1;
  } finally {
    await pool.close();
  }
}

/**
 * A run on a local Dask or Ray cluster: its tasks' results stay on the
 * cluster, so the summary and the counts are what is printed.
 */
async function clusterRunCommand(line: CommandLine, spec: RunSpec): Promise<number> {
  const store = new TaskStore();
  const { hub } = openLocalHost(spec.poolSize, spec.backend);
  hub.onFrame((frame) => store.ingest(frame));
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(INTERRUPTED);
    interrupted = signal;
    process.stderr.write(`poolscope: ${signal}, cancelling the run…\n`);
    void hub.cancel('kill');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    process.stderr.write(`poolscope: starting a local ${spec.backend} cluster of ${spec.poolSize}…\n`);
    await (
      await hub.start(spec)
    ).finished;
    if (interrupted) return INTERRUPTED;
    const stats = computeStats(store, now(), availableParallelism());
    const run = store.run;
    if (line.trace) writeFileSync(line.trace, chromeTraceJson(store));
    if (line.csv) writeFileSync(line.csv, tasksToCsv(store));
    const status = run?.status ?? 'failed';
    const failed = store.counts?.failed ?? 0;
    if (line.json)
      process.stdout.write(`${JSON.stringify({ spec, status, error: run?.error, counts: store.counts, stats })}\n`);
    else process.stderr.write(summary(store, stats));
    return status === 'completed' && failed === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await hub.close();
  }
}

async function scenarioCommand(line: CommandLine): Promise<number> {
  const id = line.args[0] as ScenarioId;
  if (!SCENARIO_IDS.includes(id)) throw new UsageError(`scenario: expected one of ${SCENARIO_IDS.join(', ')}`);
  const scenario = SCENARIOS[id];
  if (scenario.kind === 'compare') return compareCommand(line, scenario.spec);
  const spec = specFrom({}, scenario.spec);
  const store = new TaskStore();
  const narrate = (text: string) => process.stderr.write(`# ${text}\n`);
  const t0 = now();
  const pool = openPool(spec, store, true);
  try {
    let result: RunResult;
    if (scenario.kind === 'steps') {
      await pool.ready();
      narrate(`pool = Pool(processes=${spec.poolSize}): ${spec.poolSize} workers ready in ${formatMs(now() - t0)}`);
      const mapStart = now();
      result = await pool.start(spec).finished;
      narrate(`results = pool.map(worker_function, numbers): ${formatMs(now() - mapStart)}`);
    } else {
      // A process scenario starts its worker with the run, so the timeline shows spawn → run → exit → join.
      result = await pool.start(spec).finished;
    }
    if (scenario.kind === 'steps') narrate('pool.close(): no more tasks will be submitted');
    const joinStart = now();
    await pool.close();
    if (scenario.kind !== 'pool') narrate(`join(): every worker has exited (${formatMs(now() - joinStart)})`);
    const { afterMap, afterJoin } = parentOutput(scenario, result.values);
    for (const line of [...afterMap, ...afterJoin]) process.stdout.write(`${line}\n`);
    if (line.trace) writeFileSync(line.trace, chromeTraceJson(store));
    return result.status === 'completed' && result.counts.failed === 0 ? 0 : 1;
  } finally {
    await pool.close();
  }
}

/**
 * Runs a job (compare, sweep) on a pool in this process, through the same API
 * and the same shared job code as the teaching views. Ctrl-C cancels it.
 */
async function runJob<T>(spec: RunSpec, job: (ctx: StepContext, cores: number) => Promise<T>): Promise<T | null> {
  const cores = availableParallelism();
  const { hub, api } = openLocalHost(spec.poolSize, spec.backend, true);
  const abort = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(INTERRUPTED);
    interrupted = signal;
    abort.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const session = new Session(
    api,
    () => {},
    () => cores,
  );
  try {
    return await job({ api, session, signal: abort.signal }, cores);
  } catch (error) {
    if (error instanceof Cancelled && interrupted) return null;
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await hub.close();
  }
}

const times = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);
const percent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)} %`);

/** What a job measures: the engine's workload from the flags, or the script `--script` names (its pools sized by the job). */
function jobTarget(line: CommandLine, spec: RunSpec): JobTarget {
  const script = line.values.script;
  if (typeof script !== 'string') return { kind: 'engine', spec };
  return {
    kind: 'python',
    request: { program: { kind: 'path', path: resolve(script) }, args: [], processes: spec.poolSize },
  };
}

async function compareCommand(line: CommandLine, defaults: Partial<RunSpec> = {}): Promise<number> {
  const spec = specFrom(line.values, { workload: 'cpu', costMs: 20, tasks: 40, chunksize: 1, ...defaults });
  const target = jobTarget(line, spec);
  // Clusters take seconds to start and need their engine installed: measured when named.
  const allowed = target.kind === 'python' ? PYTHON_BACKENDS : BACKENDS;
  const backends =
    listOf(line.values.backends, allowed, 'backends') ?? (target.kind === 'python' ? PYTHON_BACKENDS : ENGINE_BACKENDS);
  const narrate = (text: string) => !line.json && process.stderr.write(`# ${text}\n`);
  const measured = await runJob(spec, (ctx, cores) =>
    compareBackends(ctx, target, backends, cores, { phase: narrate }),
  );
  if (measured === null) return INTERRUPTED;
  if (line.json) {
    const rows = measured.map(({ store: _store, ...row }) => row);
    process.stdout.write(`${JSON.stringify({ spec, cores: availableParallelism(), backends: rows })}\n`);
    return measured.every((m) => m.failed === 0) ? 0 : 1;
  }
  const what =
    target.kind === 'python'
      ? `python ${basename(String(line.values.script))}`
      : `${runTitle(spec)} (${formatMs(spec.costMs)} each)`;
  process.stdout.write(`${what} on ${spec.poolSize} workers, ${availableParallelism()} cores\n\n`);
  const rows = measured.map((m) => [
    m.backend,
    String(m.workers),
    formatMs(m.wallMs),
    times(m.wallSpeedup),
    `${times(m.speedup)} of ${m.ideal}`,
    percent(m.coreWaitShare),
    m.startupMs === null ? '–' : formatMs(m.startupMs),
    m.rssPerWorkerBytes === null ? 'n/a' : `${(m.rssPerWorkerBytes / 2 ** 20).toFixed(1)} MiB`,
  ]);
  process.stdout.write(
    table(
      ['backend', 'workers', 'wall', 'vs serial', 'cores busy', 'waiting for a core', 'start-up', 'memory/worker'],
      rows,
    ),
  );
  return measured.every((m) => m.failed === 0) ? 0 : 1;
}

async function sweepCommand(line: CommandLine): Promise<number> {
  const spec = specFrom(line.values, { workload: 'cpu', costMs: 20, tasks: 48, chunksize: 1 });
  const cores = availableParallelism();
  const sizes = sizesFrom(line.values.sizes) ?? Array.from({ length: 2 * cores }, (_, i) => i + 1);
  const narrate = (text: string) => !line.json && process.stderr.write(`# ${text}\n`);
  const target = jobTarget(line, spec);
  const sweep = await runJob({ ...spec, poolSize: sizes[0] }, (ctx) =>
    sweepPoolSizes(ctx, target, sizes, cores, { phase: narrate }),
  );
  if (sweep === null) return INTERRUPTED;
  if (line.json) {
    process.stdout.write(`${JSON.stringify({ spec, cores, ...sweep })}\n`);
    return 0;
  }
  const what =
    target.kind === 'python'
      ? `python ${basename(String(line.values.script))}`
      : `${runTitle(spec)} (${formatMs(spec.costMs)} each)`;
  process.stdout.write(`${what}, ${cores} cores\n\n`);
  const rows = sweep.points.map((p) => [
    String(p.workers),
    formatMs(p.wallMs),
    times(p.speedup),
    percent(p.efficiency),
    times(p.amdahl),
  ]);
  process.stdout.write(table(['workers', 'wall', 'speedup', 'efficiency', 'Amdahl fit'], rows));
  process.stdout.write(
    sweep.serialFraction === null
      ? `\nno Amdahl fit: it needs two pool sizes of at most ${cores} workers\n`
      : `\nserial fraction (Amdahl fit up to ${cores} workers): ${(sweep.serialFraction * 100).toFixed(1)} %\n`,
  );
  return 0;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return `${[format(header), ...rows.map(format)].join('\n')}\n`;
}

const COMMANDS: Record<string, (line: CommandLine) => Promise<number>> = {
  run: runCommand,
  scenario: scenarioCommand,
  compare: (line) => compareCommand(line),
  sweep: sweepCommand,
};

const PYTHON_HELP = `Usage: npm run cli -- python [options] SCRIPT [ARGS…]

Runs SCRIPT with python3, unchanged, its output passed through as it is, while
Poolscope's tracer follows its pools, processes and threads; then prints a summary.

  --processes N   every pool the script creates gets N workers (1…64)
  --as KIND       process (as written), thread (process pools become thread pools)
                  or serial (one worker per pool)
  --python PATH   the interpreter (default: POOLSCOPE_PYTHON, .venv, python3)
  --trace FILE    write Chrome Trace Event JSON
  --csv FILE      write one row per task
  --json          print the summary as one JSON object (on stderr: stdout is the script's)

Exit status: the script's own.`;

/** Splits `python [options] SCRIPT [ARGS…]`: options up to the script, the script's own after it. */
function parsePythonLine(argv: string[]) {
  const flags: string[] = [];
  let k = 0;
  for (; k < argv.length && argv[k].startsWith('-'); k++) {
    flags.push(argv[k]);
    if (argv[k] === '--') break;
    if (!argv[k].includes('=') && ['--processes', '--as', '--python', '--trace', '--csv'].includes(argv[k])) {
      flags.push(argv[++k] ?? '');
    }
  }
  if (argv[k] === '--') k++;
  let values;
  try {
    ({ values } = parseArgs({
      args: flags.filter((f) => f !== '--'),
      strict: true,
      options: {
        processes: { type: 'string' },
        as: { type: 'string' },
        python: { type: 'string' },
        trace: { type: 'string' },
        csv: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const processes = values.processes === undefined ? undefined : Number(values.processes);
  if (processes !== undefined && (!Number.isInteger(processes) || processes < 1 || processes > 64))
    throw new UsageError('--processes: expected a number of workers, 1…64');
  if (values.as !== undefined && !['process', 'thread', 'serial'].includes(values.as))
    throw new UsageError('--as: expected process, thread or serial');
  const script = argv[k];
  if (!values.help && script === undefined) throw new UsageError('python: expected a script to run');
  return {
    script,
    args: argv.slice(k + 1),
    processes,
    poolKind: values.as as 'process' | 'thread' | 'serial' | undefined,
    python: values.python,
    trace: values.trace,
    csv: values.csv,
    json: values.json as boolean,
    help: values.help as boolean,
  };
}

/** `python SCRIPT …`: the script runs traced, its output untouched; the summary follows on stderr. */
async function pythonCommand(argv: string[]): Promise<number> {
  const line = parsePythonLine(argv);
  if (line.help) {
    process.stdout.write(`${PYTHON_HELP}\n`);
    return 0;
  }
  // Nothing here is drawn and the script's output bypasses frames (stdio
  // inherited), so frames only feed the summary: fewer of them leave the cores to the script.
  const frames = new FrameBuilder(SUMMARY_FRAME_MS);
  const store = new TaskStore();
  frames.subscribe((frame) => store.ingest(frame), []);
  let run: PythonRun;
  try {
    run = await PythonRun.start(frames, {
      script: line.script,
      args: line.args,
      python: line.python,
      overrides: { processes: line.processes, poolKind: line.poolKind },
      stdio: 'inherit',
    });
  } catch (error) {
    if (error instanceof PythonError) {
      process.stderr.write(`poolscope: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // The terminal's Ctrl-C reaches the script's own process group too; a signal to us alone stops it.
  const stop = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(INTERRUPTED);
    interrupted = signal;
    void run.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const result = await run.finished;
  const stats = computeStats(store, now(), availableParallelism());
  if (line.trace) writeFileSync(line.trace, chromeTraceJson(store));
  if (line.csv) writeFileSync(line.csv, tasksToCsv(store));
  if (line.json) {
    const { status, exit, error } = result;
    process.stderr.write(
      `${JSON.stringify({ status, exit, error, counts: store.counts, stats, failures: store.failures })}\n`,
    );
  } else process.stderr.write(summary(store, stats));
  if (interrupted) return INTERRUPTED;
  return result.exit.code ?? 1;
}

async function main(argv: string[]): Promise<number> {
  let line: CommandLine;
  try {
    // The script's own options follow it and are not ours to parse.
    if (argv[0] === 'python') {
      endWithAncestors(() => process.kill(process.pid, 'SIGTERM'));
      return await pythonCommand(argv.slice(1));
    }
    line = parseCommandLine(argv);
    if (line.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (!line.command || !(line.command in COMMANDS)) {
      throw new UsageError(
        `expected a command (${[...Object.keys(COMMANDS), 'python'].join(', ')}), got ${line.command ? `"${line.command}"` : 'nothing'}`,
      );
    }
    if (line.command !== 'scenario' && line.args.length > 0)
      throw new UsageError(`unexpected "${line.args.join(' ')}"`);
    ensureBuilt('worker');
    // Started by `npm run cli` and that npm killed (even with SIGKILL): stop as if interrupted.
    endWithAncestors(() => process.kill(process.pid, 'SIGTERM'));
    const status = await COMMANDS[line.command](line);
    return interrupted ? INTERRUPTED : status;
  } catch (error) {
    // Stopped by a signal while starting: the pool's "closing" is the signal's doing, not an error.
    if (interrupted) return INTERRUPTED;
    const usage = error instanceof UsageError;
    process.stderr.write(
      `poolscope: ${error instanceof Error ? error.message : String(error)}\n${usage ? 'Try --help.\n' : ''}`,
    );
    return usage ? 2 : 1;
  }
}

/** What ran, in one line: the engine's workload and pool, or a program's calls and lanes. */
/** What ran the tasks, in words: `2 worker processes`, `4 threads (GIL)`, `Dask: 2 workers × 1 thread`. */
function poolPhrase(spec: RunSpec): string {
  const n = spec.poolSize;
  const plural = (count: number, word: string, many = `${word}s`) => `${count} ${count === 1 ? word : many}`;
  switch (spec.backend) {
    case 'process':
      return plural(n, 'worker process', 'worker processes');
    case 'thread':
      return plural(n, 'thread');
    case 'gil':
      return `${plural(n, 'thread')} under a GIL`;
    case 'serial':
      return 'one worker (serial)';
    case 'dask':
      return `Dask: ${plural(n, 'worker')} × ${plural(spec.threadsPerWorker, 'thread')}`;
    case 'ray':
      return `Ray: ${plural(n, 'CPU')}`;
  }
}

function headline(store: TaskStore): string {
  const run = store.run!;
  const spec = run.run.spec;
  if (spec) {
    const how =
      spec.backend === 'dask'
        ? 'client.map'
        : spec.backend === 'ray'
          ? 'ray.remote'
          : `${spec.mode} · chunksize ${run.run.chunksize}`;
    return `${spec.workload} × ${formatCount(spec.tasks)} on ${poolPhrase(spec)} · ${how} · ${run.status}`;
  }
  const ran = store.laneList().filter((lane) => lane.tasksDone + lane.tasksFailed > 0).length;
  const calls = `${store.calls.size} call${store.calls.size === 1 ? '' : 's'}`;
  return `${run.run.title} · ${calls} · tasks ran on ${ran} worker${ran === 1 ? '' : 's'} · ${run.status}`;
}

function summary(store: TaskStore, stats: ReturnType<typeof computeStats>): string {
  const counts = store.counts!;
  const lines = [
    '',
    headline(store),
    `  done ${counts.done} · failed ${counts.failed} · cancelled ${counts.cancelled}`,
  ];
  if (stats) {
    const latency = stats.dispatchLatencyMs === null ? '–' : formatMs(stats.dispatchLatencyMs);
    const speedup =
      stats.speedup !== null
        ? `${stats.speedup.toFixed(2)}× of ${stats.ideal.toFixed(0)}`
        : stats.missing.speedup
          ? `– (${stats.missing.speedup})`
          : '–';
    const efficiency = stats.efficiency === null ? '–' : `${(stats.efficiency * 100).toFixed(1)} %`;
    lines.push(
      `  wall ${formatMs(stats.elapsedMs)} · throughput ${formatCount(stats.throughput)} tasks/s · dispatch latency ${latency}`,
      `  utilisation ${(stats.utilisation * 100).toFixed(1)} % · speedup (cores busy) ${speedup} · efficiency ${efficiency} · load imbalance ${(stats.loadImbalance * 100).toFixed(1)} %`,
    );
    if (stats.coreWaitShare !== null && stats.coreWaitMs !== null)
      lines.push(
        `  waiting for a core ${formatMs(stats.coreWaitMs)} (${(stats.coreWaitShare * 100).toFixed(1)} % of task time)`,
      );
  }
  const error = store.run?.error;
  if (error) lines.push(`  run failed: ${error}`);
  for (const failure of store.failures.slice(0, 10))
    lines.push(`  task ${failure.task} failed (${failure.reason}): ${failure.message}`);
  if (store.failures.length > 10) lines.push(`  … and ${store.failures.length - 10} more failures`);
  return `${lines.join('\n')}\n`;
}

process.exitCode = await main(process.argv.slice(2));
