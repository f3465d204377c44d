/**
 * When a cluster pays off, measured as users run it: the dask and ray
 * backends beside the process pool through the CLI (`run --backend B --json`),
 * per task on 10⁴ tiny tasks and on 40 × 50 ms tasks; and how far behind
 * Dask the host's view runs on a 10⁵-task map (a task's end on the worker to
 * its row in the host's TaskStore, the store every view draws from).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeRunSpec, type Backend } from '../shared/run-spec';
import { TaskStore } from '../shared/task-store';
import { now } from '../electron/engine/clock';
import { FrameBuilder } from '../electron/engine/frame-builder';
import { projectRoot, pythonDir } from '../electron/host/build';
import { ClusterPool } from '../electron/python/cluster-pool';
import { findPython } from '../electron/python/python-process';
import { CLI_ARGS } from './cli';
import type { BenchRow } from './report';
import { median } from './stats';

interface CliRun {
  wallMs: number;
  commandMs: number;
}

/** One CLI run on `backend`: the run's wall time (from its stats) and the whole command's. */
function cliRun(backend: Backend, args: string[]): CliRun {
  const started = now();
  const result = spawnSync(
    process.execPath,
    [...CLI_ARGS, 'run', '--backend', backend, '--pool', '2', '--json', ...args],
    { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const commandMs = now() - started;
  if (result.status !== 0) throw new Error(`cli run --backend ${backend} failed: ${result.stderr.trim().slice(-400)}`);
  const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { stats: { elapsedMs: number } };
  return { wallMs: report.stats.elapsedMs, commandMs };
}

function engines(): Backend[] {
  const found: Backend[] = ['process'];
  for (const [backend, module] of [
    ['dask', 'distributed'],
    ['ray', 'ray'],
  ] as const) {
    const probe = spawnSync(findPython(), ['-c', `import ${module}`], { stdio: 'ignore', timeout: 60_000 });
    if (probe.status === 0) found.push(backend);
  }
  return found;
}

/** The lag of each task's row behind its end, for a `tasks`-task Dask map on a local cluster of 2. */
async function daskLag(tasks: number): Promise<{ lags: Float64Array; wallMs: number }> {
  const frames = new FrameBuilder();
  const store = new TaskStore();
  const lags = new Float64Array(tasks);
  let seen = 0;
  frames.subscribe((frame) => {
    const at = now();
    store.ingest(frame);
    const { end } = frame.settled;
    for (let i = 0; i < end.length && seen < tasks; i++) lags[seen++] = at - end[i];
  }, []);
  const pool = new ClusterPool(frames, { bootDir: join(pythonDir, 'boot') });
  try {
    await pool.configure('dask', 2);
    const run = await pool.start(makeRunSpec({ backend: 'dask', workload: 'square', tasks, poolSize: 2 }, 2));
    await run.finished;
    if (store.counts?.done !== tasks) throw new Error(`the view saw ${store.counts?.done} of ${tasks} tasks`);
    const wallMs = (store.run?.finishedAt ?? 0) - (store.run?.startedAt ?? 0);
    return { lags: lags.subarray(0, seen), wallMs };
  } finally {
    await pool.close();
  }
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export async function benchCluster(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const backends = engines();
  if (backends.length === 1) {
    options.log(
      'cluster: neither Dask nor Ray can be imported (.venv/bin/pip install -r python/requirements-cluster.txt)',
    );
    return [];
  }
  const repeats = options.quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const workloads = [
    { name: '10⁴ tiny tasks (square)', args: ['--workload', 'square', '--tasks', '10000'], tasks: 10_000, ideal: 0 },
    // 40 × 50 ms on 2 workers: one second of work each, at best.
    {
      name: '40 × 50 ms tasks (cpu)',
      args: ['--workload', 'cpu', '--tasks', '40', '--cost', '50'],
      tasks: 40,
      ideal: 1000,
    },
  ];
  for (const workload of workloads) {
    for (const backend of backends) {
      const runs: CliRun[] = [];
      for (let r = 0; r < repeats; r++) runs.push(cliRun(backend, workload.args));
      const overhead = runs.map((run) => (1000 * Math.max(0, run.wallMs - workload.ideal)) / workload.tasks);
      options.log(
        `  ${backend}, ${workload.name}: run ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms, command ${median(runs.map((r) => r.commandMs)).toFixed(0)} ms`,
      );
      rows.push({
        bench: 'cluster',
        figure: `${backend}, ${workload.name}: overhead per task (run wall${workload.ideal ? ' − 1 s of work' : ''}) / tasks`,
        unit: 'µs',
        samples: overhead,
        note: `run wall ${median(runs.map((r) => r.wallMs)).toFixed(0)} ms; whole command (cluster start-up included) ${median(runs.map((r) => r.commandMs)).toFixed(0)} ms; pool of 2`,
      });
    }
  }
  if (backends.includes('dask')) {
    const tasks = options.quick ? 10_000 : 100_000;
    options.log(`  dask: ${tasks} square tasks, the view's lag behind each task's end…`);
    const { lags, wallMs } = await daskLag(tasks);
    const sorted = Float64Array.from(lags).sort();
    const note = `${tasks} tasks in ${(wallMs / 1000).toFixed(1)} s (${Math.round(tasks / (wallMs / 1000))} tasks/s on Dask here); every task reached the view`;
    rows.push(
      {
        bench: 'cluster',
        figure: `dask, ${tasks} tasks: view lag behind a task's end, median`,
        unit: 'ms',
        samples: [percentile(sorted, 0.5)],
        note,
      },
      {
        bench: 'cluster',
        figure: `dask, ${tasks} tasks: view lag, p95`,
        unit: 'ms',
        samples: [percentile(sorted, 0.95)],
      },
      {
        bench: 'cluster',
        figure: `dask, ${tasks} tasks: view lag, longest`,
        unit: 'ms',
        samples: [sorted[sorted.length - 1]],
      },
    );
  }
  return rows;
}
