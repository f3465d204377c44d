/**
 * The engine's benchmarks (DESIGN §7) and, where python3 exists, the same
 * workloads on Python's multiprocessing.Pool in the same run, so ratios compare
 * figures taken under the same noise. Each figure is the median of several runs.
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { now } from '../electron/engine/clock';
import { forkLauncher, workerEnv } from '../electron/engine/launcher';
import { Pool, type RunResult } from '../electron/engine/pool';
import { projectRoot, workerEntryPath } from '../electron/host/build';
import { TaskStore } from '../shared/task-store';
import type { Frame, PoolEvent } from '../shared/protocol';
import { chunkSizeFor, makeRunSpec, type RunSpec } from '../shared/run-spec';
import { findPython, PythonPools, type PythonCpuRun, type PythonInfo } from './python';
import type { BenchRow } from './report';
import { median, sleep, sum } from './stats';

export interface EngineBenchOptions {
  /** Fewer repeats: a quick look, not figures to quote. */
  quick?: boolean;
  /** Run only benchmarks whose name contains one of these (all when empty). */
  filter?: readonly string[];
  /** Also measure Python's multiprocessing.Pool where python3 exists (default true). */
  python?: boolean;
  /** Progress lines (stderr by default); the table itself is the caller's to print. */
  log?: (line: string) => void;
}

export interface EngineBenchReport {
  rows: BenchRow[];
  /** The machine's 1-minute load average as each benchmark began: how noisy its figures are. */
  load: Record<string, number>;
  /** Which Python ran, or why it did not (null: no selected benchmark has a Python twin). */
  python: PythonInfo | { skipped: string } | null;
}

/** Benchmark names, in the order they run; the filter matches these. */
export const ENGINE_BENCHES = [
  'throughput-chunksize1',
  'throughput-auto',
  'cpu-efficiency',
  'startup',
  'memory',
  'tracing',
  'recovery-kill',
  'recovery-timeout',
] as const;
type BenchName = (typeof ENGINE_BENCHES)[number];

const POOL = 2;
const CPU_TASKS = 40;
const CPU_COST_MS = 50;

export function matchesFilter(name: string, filter: readonly string[] | undefined): boolean {
  return !filter?.length || filter.some((word) => name.includes(word));
}

interface Ctx {
  repeats: number;
  quick: boolean;
  log: (line: string) => void;
  /** Python's pools, driven run by run between the engine's runs; null without python3. */
  py: PythonPools | null;
  pyInfo: PythonInfo | null;
}

/** At least this many rounds, however slow the machine is. */
const MIN_ROUNDS = 3;

/**
 * Round numbers 0 … repeats−1, stopping early (after MIN_ROUNDS) once `budgetS`
 * is spent: on a machine shared with a busy neighbour the suite still ends.
 */
function* rounds(ctx: Ctx, repeats: number, budgetS: number): Generator<number> {
  const t0 = now();
  for (let r = 0; r < repeats; r++) {
    if (r >= MIN_ROUNDS && now() - t0 > budgetS * 1000 * (ctx.quick ? 0.5 : 1)) {
      ctx.log(`  time budget of ${budgetS} s spent: ${r} of ${repeats} rounds`);
      return;
    }
    yield r;
  }
}

function spec(partial: Partial<RunSpec>): RunSpec {
  return makeRunSpec({ poolSize: POOL, ...partial }, POOL);
}

async function openPool(poolSize = POOL, trace = true): Promise<Pool> {
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize, trace });
  await pool.ready();
  return pool;
}

/** Wall time from start() to the settled result, as a caller of the engine sees it. */
async function timedRun(
  pool: Pool,
  runSpec: RunSpec,
): Promise<{ ms: number; t0: number; t1: number; result: RunResult }> {
  const t0 = now();
  const { finished } = pool.start(runSpec);
  const result = await finished;
  const t1 = now();
  return { ms: t1 - t0, t0, t1, result };
}

/** A benchmark that measures wrong answers measures nothing: check every run. */
function checkCompleted(result: RunResult): void {
  const { counts, spec: s } = result;
  if (result.status !== 'completed' || counts.done !== s.tasks) {
    throw new Error(
      `run ${result.runId} ended ${result.status} with ${JSON.stringify(counts)}${result.error ? `: ${result.error}` : ''}`,
    );
  }
  if (s.workload === 'square') {
    for (const i of [0, 1, s.tasks >> 1, s.tasks - 1]) {
      const n = s.from + i;
      if (result.values[i] !== n * n) throw new Error(`square(${n}) came back as ${result.values[i]}`);
    }
  }
}

/** What a consumer does per frame: everything into a TaskStore, as the CLI and the page do. */
function storeListener(): { listener: (frame: Frame) => void; store: TaskStore } {
  const store = new TaskStore();
  return { listener: (frame) => store.ingest(frame), store };
}

// ── 1, 2: tiny-task throughput ───────────────────────────────────────────────

async function benchThroughput(ctx: Ctx, chunksize: 1 | 'auto'): Promise<BenchRow[]> {
  const bench = chunksize === 1 ? 'throughput-chunksize1' : 'throughput-auto';
  const pool = await openPool();
  const rows: BenchRow[] = [];
  try {
    for (const n of [100_000, 1_000_000]) {
      const runSpec = spec({ workload: 'square', tasks: n, chunksize, mode: 'map' });
      const pyChunk = chunksize === 1 ? 1 : chunkSizeFor(n, POOL);
      // Python at chunksize 1 takes ~17 s for 10⁶: the brief compares it at 10⁵ only.
      const withPython = ctx.py !== null && !(chunksize === 1 && n === 1_000_000);
      const withListener: number[] = [];
      const without: number[] = [];
      const python: number[] = [];
      const { listener } = storeListener();
      checkCompleted((await timedRun(pool, runSpec)).result); // warm-up: JIT and worker caches
      // Interleaved, so machine noise falls on every variant alike.
      for (const _ of rounds(ctx, ctx.repeats, 20)) {
        const unsubscribe = pool.onFrame(listener);
        const on = await timedRun(pool, runSpec);
        unsubscribe();
        const off = await timedRun(pool, runSpec);
        checkCompleted(on.result);
        checkCompleted(off.result);
        withListener.push((n / on.ms) * 1000);
        without.push((n / off.ms) * 1000);
        if (withPython) python.push(await ctx.py!.call({ op: 'throughput', n, chunksize: pyChunk }));
      }
      const exp = n === 100_000 ? '10⁵' : '10⁶';
      const label = chunksize === 1 ? `square, chunksize 1, n=${exp}` : `square, auto chunks (${pyChunk}), n=${exp}`;
      const pythonSamples = withPython ? python : undefined;
      // Diagnosis beside the CLI's end-to-end figures (bench/cli.ts): no targets here.
      rows.push({
        bench,
        figure: `engine in-process, ${label}, into a TaskStore`,
        unit: 'tasks/s',
        samples: withListener,
        anchor:
          chunksize === 1
            ? 'Python map cs=1 60k/s; piscina 23–27k/s'
            : n === 1_000_000
              ? 'batched fork dispatcher 2.6M/s; piscina batched 1.2M/s'
              : undefined,
        python: pythonSamples,
      });
      rows.push({
        bench,
        figure: `engine in-process, ${label}, nobody listening`,
        unit: 'tasks/s',
        samples: without,
        python: pythonSamples,
      });
      ctx.log(
        `  ${label}: ${fmt(median(withListener))}/s with listener, ${fmt(median(without))}/s without${withPython ? `, Python ${fmt(median(python))}/s` : ''}`,
      );
    }
  } finally {
    await pool.close();
  }
  return rows;
}

const fmt = (value: number) => Math.round(value).toLocaleString('en');

/** (a / b − 1) in %, the figure for "how much slower". */
const slower = (a: number, b: number) => (a / b - 1) * 100;

// ── 3: CPU-bound efficiency and oversubscription ─────────────────────────────

async function benchCpu(ctx: Ctx): Promise<BenchRow[]> {
  // One pool resized between 2 and 4, so both sizes share one calibration of the busy loop.
  const pool = await openPool(POOL);
  let busyMs = 0;
  const taskMs: number[] = [];
  const firstStartLag: number[] = [];
  // Per worker: its first task's start, last task's end and Σ task time in the current run.
  let spans = new Map<number, { first: number; last: number; busy: number }>();
  pool.onFrame((frame) => {
    const { worker, start, end } = frame.settled;
    for (let i = 0; i < start.length; i++) {
      busyMs += end[i] - start[i];
      taskMs.push(end[i] - start[i]);
      const span = spans.get(worker[i]);
      if (span) {
        span.first = Math.min(span.first, start[i]);
        span.last = Math.max(span.last, end[i]);
        span.busy += end[i] - start[i];
      } else spans.set(worker[i], { first: start[i], last: end[i], busy: end[i] - start[i] });
    }
  });
  const runSpec = (poolSize: number) =>
    spec({ poolSize, workload: 'cpu', tasks: CPU_TASKS, costMs: CPU_COST_MS, chunksize: 'auto', mode: 'map' });
  const ours = async (size: 2 | 4) => {
    if (pool.size !== size) {
      pool.resize(size);
      await pool.ready();
      await sleep(100); // let retired workers exit before the clock starts
    }
    busyMs = 0;
    spans = new Map();
    const { ms, t0, t1, result } = await timedRun(pool, runSpec(size));
    checkCompleted(result);
    await sleep(30); // the last frame carries the last tasks' times
    // Where the idle time lies. Workers that got no task idled the whole run.
    const list = [...spans.values()];
    const unused = (size - spans.size) * ms;
    const idleMs = (sum(list.map((s) => ms - s.busy)) + unused) / size;
    const tailMs = (sum(list.map((s) => t1 - s.last)) + unused) / size;
    // Worker timestamps against the main process's clock: negative would be impossible.
    firstStartLag.push(Math.min(...list.map((s) => s.first - t0)));
    return { wallMs: ms, busyMs, idleMs, tailMs };
  };
  const python = (size: 2 | 4) => ctx.py!.call({ op: 'cpu', pool: size, tasks: CPU_TASKS, costMs: CPU_COST_MS });
  const runs: Record<'ours2' | 'ours4' | 'py2' | 'py4', PythonCpuRun[]> = { ours2: [], ours4: [], py2: [], py4: [] };
  const repeats = ctx.quick ? ctx.repeats : Math.max(7, ctx.repeats);
  try {
    checkCompleted((await timedRun(pool, spec({ workload: 'cpu', tasks: 4, costMs: 5 }))).result);
    if (ctx.py) for (const size of [2, 4] as const) await python(size); // warm-up, pools forked
    const steps = [
      ['ours2', () => ours(2)],
      ['ours4', () => ours(4)],
      ['py2', () => python(2)],
      ['py4', () => python(4)],
    ] as const;
    for (const r of rounds(ctx, repeats, 90)) {
      // Rotate the order, so slow drift of the machine favours none of them.
      for (let k = 0; k < steps.length; k++) {
        const [name, step] = steps[(k + r) % steps.length];
        if (name.startsWith('py') && !ctx.py) continue;
        runs[name].push(await step());
      }
    }
  } finally {
    await pool.close();
  }
  const eff = (list: PythonCpuRun[]) => list.map((run) => run.busyMs / (run.wallMs * POOL));
  const nominal = (list: PythonCpuRun[]) => list.map((run) => (CPU_TASKS * CPU_COST_MS) / POOL / run.wallMs);
  const walls = (list: PythonCpuRun[]) => list.map((run) => run.wallMs);
  const overOf = (four: PythonCpuRun[], two: PythonCpuRun[]) => slower(median(walls(four)), median(walls(two)));
  // Each round's own ratio: how much of the figure is noise.
  const pairs = runs.ours4.map((run, i) => slower(run.wallMs, runs.ours2[i].wallMs));
  const over = overOf(runs.ours4, runs.ours2);
  const py = ctx.py !== null;
  ctx.log(
    `  efficiency ${median(eff(runs.ours2)).toFixed(3)}, pool 4 vs 2: ${over.toFixed(1)} %${py ? ` (Python ${overOf(runs.py4, runs.py2).toFixed(1)} %)` : ''}`,
  );
  const stretch = median(taskMs) / CPU_COST_MS;
  return [
    {
      bench: 'cpu-efficiency',
      figure: `cpu ${CPU_TASKS}×${CPU_COST_MS} ms, pool 2: Σ task time / (wall × 2)`,
      unit: 'ratio',
      samples: eff(runs.ours2),
      target: { op: '>=', value: 0.97 },
      anchor: 'Python 0.99, piscina 0.97, workerpool 0.98',
      python: py ? eff(runs.py2) : undefined,
      note: "task time = each task's own measured start→end, summed (Python: perf_counter around the task)",
    },
    {
      bench: 'cpu-efficiency',
      figure: `cpu ${CPU_TASKS}×${CPU_COST_MS} ms, pool 2: nominal (Σ cost / 2) / wall`,
      unit: 'ratio',
      samples: nominal(runs.ours2),
      python: py ? nominal(runs.py2) : undefined,
      note: `median task took ${median(taskMs).toFixed(1)} ms for a nominal ${CPU_COST_MS} ms (×${stretch.toFixed(2)}: the busy loop is calibrated once, on the fastest trial; a busy shared machine stretches every task) — so the measured-time efficiency above is the one held to the target`,
    },
    {
      bench: 'cpu-efficiency',
      figure: 'pool 2: idle per worker (wall − its Σ task time)',
      unit: 'ms',
      samples: runs.ours2.map((run) => run.idleMs),
      python: py ? runs.py2.map((run) => run.idleMs) : undefined,
    },
    {
      bench: 'cpu-efficiency',
      figure: 'pool 2: idle after last task (mean per worker)',
      unit: 'ms',
      samples: runs.ours2.map((run) => run.tailMs),
      python: py ? runs.py2.map((run) => run.tailMs) : undefined,
      note: 'compares worker timestamps with the main process clock: see the clock check below',
    },
    {
      bench: 'cpu-efficiency',
      figure: 'pool 4: idle after last task (mean per worker)',
      unit: 'ms',
      samples: runs.ours4.map((run) => run.tailMs),
      python: py ? runs.py4.map((run) => run.tailMs) : undefined,
    },
    {
      bench: 'cpu-efficiency',
      figure: 'clock check: first task start − start() (earliest worker)',
      unit: 'ms',
      samples: firstStartLag,
      note: 'a task cannot start before start() was called: a negative value is the error of the shared cross-process clock (electron/engine/clock.ts)',
    },
    {
      bench: 'cpu-efficiency',
      figure: 'cpu wall, pool 2',
      unit: 'ms',
      samples: walls(runs.ours2),
      python: py ? walls(runs.py2) : undefined,
    },
    {
      bench: 'cpu-efficiency',
      figure: 'cpu wall, pool 4 (oversubscribed)',
      unit: 'ms',
      samples: walls(runs.ours4),
      python: py ? walls(runs.py4) : undefined,
    },
    {
      bench: 'cpu-efficiency',
      figure: 'oversubscription: pool 4 vs pool 2, % slower',
      unit: '%',
      samples: pairs,
      value: over,
      target: { op: '<=', value: 7 },
      anchor: 'Python Pool 5 %',
      python: py ? [overOf(runs.py4, runs.py2)] : undefined,
      note: `ratio of the medians of ${pairs.length} rotated rounds; per-round ${pairs.map((p) => p.toFixed(1)).join(', ')} %; median of per-round ratios ${median(pairs).toFixed(1)} %`,
    },
  ];
}

// ── 4: start-up ──────────────────────────────────────────────────────────────

/** Node's own floor: fork a script that only says hello, `count` at a time. */
async function bareFork(entry: string, count: number): Promise<number> {
  const t0 = now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          // execArgv and env as the engine's launcher has them: inheriting tsx's flags, or
          // variables such as NODE_EXTRA_CA_CERTS (~30 ms of start-up here), would skew the floor.
          const child = fork(entry, [], {
            execArgv: [],
            env: workerEnv(),
            serialization: 'advanced',
            stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
          });
          child.once('message', () => {
            resolve();
            child.kill('SIGKILL');
          });
          child.once('error', reject);
        }),
    ),
  );
  return now() - t0;
}

async function benchStartup(ctx: Ctx): Promise<BenchRow[]> {
  const runs = Math.max(7, ctx.repeats + 2);
  const samples: Record<'pool' | 'bare1' | 'bare2' | 'pyDefault' | 'pySpawn', number[]> = {
    pool: [],
    bare1: [],
    bare2: [],
    pyDefault: [],
    pySpawn: [],
  };
  const method = ctx.pyInfo?.startMethod ?? 'fork';
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-bench-'));
  const hello = join(dir, 'hello.cjs');
  writeFileSync(hello, "process.send('ready');\n");
  try {
    // One warm-up round (disk cache), then interleaved so all share the machine's mood.
    for (const r of rounds(ctx, runs + 1, 20)) {
      const t0 = now();
      const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: POOL });
      await pool.ready();
      const ms = now() - t0;
      await pool.close();
      const sample = {
        pool: ms,
        bare1: await bareFork(hello, 1),
        bare2: await bareFork(hello, 2),
        pyDefault: ctx.py ? await ctx.py.call({ op: 'startup', method }) : NaN,
        pySpawn: ctx.py && method !== 'spawn' ? await ctx.py.call({ op: 'startup', method: 'spawn' }) : NaN,
      };
      if (r === 0) continue;
      for (const key of Object.keys(sample) as (keyof typeof sample)[]) {
        if (!Number.isNaN(sample[key])) samples[key].push(sample[key]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  ctx.log(
    `  pool of 2 ready in ${median(samples.pool).toFixed(1)} ms (bare fork ${median(samples.bare1).toFixed(1)} ms)`,
  );
  return [
    {
      bench: 'startup',
      figure: 'new Pool(2) → ready()',
      unit: 'ms',
      samples: samples.pool,
      target: { op: '<=', value: 80 },
      anchor: 'Node fork → first message 65 ms',
      python: ctx.py ? samples.pyDefault : undefined,
      note: ctx.py
        ? `Python: Pool(2) → both initializers ran, start method '${method}'${method === 'fork' ? " (copies the parent: no new interpreter, so not like for like; 'spawn' below is)" : ''}`
        : undefined,
    },
    { bench: 'startup', figure: 'local anchor: bare Node fork → first message', unit: 'ms', samples: samples.bare1 },
    {
      bench: 'startup',
      figure: 'local anchor: 2 bare forks at once → both messages',
      unit: 'ms',
      samples: samples.bare2,
    },
    ...(samples.pySpawn.length
      ? [
          {
            bench: 'startup',
            figure: "Python Pool(2) ready, start method 'spawn' (fresh interpreters)",
            unit: 'ms',
            samples: samples.pySpawn,
          },
        ]
      : []),
  ];
}

// ── 5: memory while 10⁶ tasks are queued ─────────────────────────────────────

interface MemoryProbe {
  rssMiB: number;
  heapUsedMiB: number;
  arrayBuffersMiB: number;
  startMs: number;
  cancelled: number;
  submitted: number;
}

function runMemoryProbe(chunksize: '1' | 'auto'): Promise<MemoryProbe> {
  const probe = join(dirname(fileURLToPath(import.meta.url)), 'memory-probe.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', probe, chunksize], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`memory probe exited with ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as MemoryProbe);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

async function benchMemory(ctx: Ctx): Promise<BenchRow[]> {
  const probes: MemoryProbe[] = [];
  for (const _ of rounds(ctx, 3, 20)) probes.push(await runMemoryProbe('1'));
  const lost = probes.filter((p) => p.cancelled !== p.submitted);
  if (lost.length > 0) throw new Error(`memory probe: cancel left tasks unsettled: ${JSON.stringify(lost[0])}`);
  ctx.log(`  RSS growth ${median(probes.map((p) => p.rssMiB)).toFixed(1)} MiB`);
  return [
    {
      bench: 'memory',
      figure: '10⁶ queued (io, chunksize 1): main RSS growth',
      unit: 'MiB',
      samples: probes.map((p) => p.rssMiB),
      target: { op: '<=', value: 100 },
      anchor: 'piscina 347 MiB, workerpool 793 MiB for 100k',
      note: 'fresh `node --expose-gc` child per run; growth over the idle pool after gc(), 300 ms after start(); then cancelled',
    },
    {
      bench: 'memory',
      figure: '10⁶ queued: heapUsed growth',
      unit: 'MiB',
      samples: probes.map((p) => p.heapUsedMiB),
    },
    {
      bench: 'memory',
      figure: '10⁶ queued: ArrayBuffer growth (results, order)',
      unit: 'MiB',
      samples: probes.map((p) => p.arrayBuffersMiB),
    },
    {
      bench: 'memory',
      figure: '10⁶ queued: start() returns after',
      unit: 'ms',
      samples: probes.map((p) => p.startMs),
    },
  ];
}

// ── 6: tracing overhead ──────────────────────────────────────────────────────

/** CPU time (ms) of these processes, every thread, from /proc (Linux); null elsewhere. */
function workersCpuMs(pids: readonly number[]): number | null {
  let ns = 0;
  try {
    for (const pid of pids) {
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      }
    }
  } catch {
    return null;
  }
  return ns / 1e6;
}

/** Wall time and CPU time (main process + the pool's workers) of one run. */
async function measuredRun(pool: Pool, runSpec: RunSpec) {
  const pids = pool.workerPids().map((w) => w.pid);
  const main0 = process.cpuUsage();
  const workers0 = workersCpuMs(pids);
  const run = await timedRun(pool, runSpec);
  const workers1 = workersCpuMs(pids);
  const main = process.cpuUsage(main0);
  const workers = workers0 !== null && workers1 !== null ? workers1 - workers0 : NaN;
  const mainMs = (main.user + main.system) / 1000;
  return { ...run, cpuMs: mainMs + workers, mainMs };
}

async function benchTracing(ctx: Ctx): Promise<BenchRow[]> {
  const traced = await openPool(POOL, true);
  const untraced = await openPool(POOL, false);
  const runSpec = spec({ workload: 'cpu', tasks: 2000, costMs: 1, chunksize: 1, mode: 'map' });
  const { listener } = storeListener();
  traced.onFrame(listener);
  // A: per-task timestamps + frames (the app); B: frames without timestamps; C: neither.
  const variants = {
    A: () => measuredRun(traced, runSpec),
    B: async () => {
      const unsubscribe = untraced.onFrame(listener);
      const run = await measuredRun(untraced, runSpec);
      unsubscribe();
      return run;
    },
    C: () => measuredRun(untraced, runSpec),
  };
  type Variant = keyof typeof variants;
  const ms: Record<Variant, number[]> = { A: [], B: [], C: [] };
  const cpu: Record<Variant, number[]> = { A: [], B: [], C: [] };
  const mainCpu: Record<Variant, number[]> = { A: [], B: [], C: [] };
  // Many rounds: bursts of other load hit single runs, and the median steps over them.
  const repeats = ctx.quick ? ctx.repeats : Math.max(15, ctx.repeats);
  try {
    for (const run of Object.values(variants)) checkCompleted((await run()).result);
    for (const r of rounds(ctx, repeats, 75)) {
      // ABC then CBA: a linear drift of the machine cancels out over each pair.
      const order: Variant[] = r % 2 ? ['C', 'B', 'A'] : ['A', 'B', 'C'];
      for (const name of order) {
        const run = await variants[name]();
        checkCompleted(run.result);
        ms[name].push(run.ms);
        cpu[name].push(run.cpuMs);
        mainCpu[name].push(run.mainMs);
      }
    }
  } finally {
    await Promise.all([traced.close(), untraced.close()]);
  }
  const overhead = (a: number[], b: number[]) => slower(median(a), median(b));
  // Each round's own ratios: how much of the figure is noise.
  const pairs = (a: number[], b: number[]) => a.map((x, i) => slower(x, b[i]));
  const spread = (list: number[]) =>
    `per-round ${Math.min(...list).toFixed(1)} … ${Math.max(...list).toFixed(1)} %, median of per-round ratios ${median(list).toFixed(1)} %`;
  // Noise only ever adds time: the fastest runs of each variant are another honest view.
  const fastest = (a: number[], b: number[]) => `fastest runs ${slower(Math.min(...a), Math.min(...b)).toFixed(1)} %`;
  const haveCpu = !Number.isNaN(median(cpu.A));
  ctx.log(
    `  wall: trace on vs off ${overhead(ms.A, ms.B).toFixed(2)} %, all vs nothing ${overhead(ms.A, ms.C).toFixed(2)} %` +
      (haveCpu ? `; CPU time: ${overhead(cpu.A, cpu.B).toFixed(2)} %, ${overhead(cpu.A, cpu.C).toFixed(2)} %` : ''),
  );
  const label = 'cpu 2000×1 ms, pool 2, cs 1';
  const rows: BenchRow[] = [
    {
      bench: 'tracing',
      figure: `${label}: wall, trace on vs off (both with listener)`,
      unit: '%',
      samples: pairs(ms.A, ms.B),
      value: overhead(ms.A, ms.B),
      target: { op: '<=', value: 3 },
      note: `ratio of the medians of ${ms.A.length} interleaved rounds (${median(ms.A).toFixed(0)} vs ${median(ms.B).toFixed(0)} ms); ${spread(pairs(ms.A, ms.B))}; ${fastest(ms.A, ms.B)}`,
    },
    {
      bench: 'tracing',
      figure: `${label}: wall, trace + listener vs neither`,
      unit: '%',
      samples: pairs(ms.A, ms.C),
      value: overhead(ms.A, ms.C),
      target: { op: '<=', value: 3 },
      note: `${median(ms.A).toFixed(0)} vs ${median(ms.C).toFixed(0)} ms; ${spread(pairs(ms.A, ms.C))}; ${fastest(ms.A, ms.C)}`,
    },
  ];
  if (haveCpu) {
    rows.push(
      {
        bench: 'tracing',
        figure: `${label}: CPU time, trace on vs off (both with listener)`,
        unit: '%',
        samples: pairs(cpu.A, cpu.B),
        value: overhead(cpu.A, cpu.B),
        target: { op: '<=', value: 3 },
        note: `CPU time of the main process + the pool's workers (/proc/PID/task/*/schedstat): what tracing costs, much less disturbed than wall time by other load; ${median(cpu.A).toFixed(0)} vs ${median(cpu.B).toFixed(0)} ms`,
      },
      {
        bench: 'tracing',
        figure: `${label}: CPU time, trace + listener vs neither`,
        unit: '%',
        samples: pairs(cpu.A, cpu.C),
        value: overhead(cpu.A, cpu.C),
        target: { op: '<=', value: 3 },
        note: `${median(cpu.A).toFixed(0)} vs ${median(cpu.C).toFixed(0)} ms, of which the main process ${median(mainCpu.A).toFixed(0)} vs ${median(mainCpu.C).toFixed(0)} ms; ${spread(pairs(cpu.A, cpu.C))}`,
      },
    );
  }
  rows.push(
    { bench: 'tracing', figure: 'wall, trace on + listener', unit: 'ms', samples: ms.A },
    { bench: 'tracing', figure: 'wall, trace off, no listener', unit: 'ms', samples: ms.C },
  );
  return rows;
}

// ── 7: failure recovery ──────────────────────────────────────────────────────

/** Collects the rare events of every frame, for timing what happened when. */
function recordEvents(pool: Pool): PoolEvent[] {
  const events: PoolEvent[] = [];
  pool.onFrame((frame) => events.push(...frame.events));
  return events;
}

function checkNoneLost(result: RunResult): void {
  const { submitted, done, failed, cancelled } = result.counts;
  if (done + failed + cancelled !== submitted || result.completionOrder.length !== submitted) {
    throw new Error(`tasks lost: ${JSON.stringify(result.counts)}, ${result.completionOrder.length} settled`);
  }
}

async function benchKill(ctx: Ctx): Promise<BenchRow[]> {
  const pool = await openPool();
  const events = recordEvents(pool);
  const recoveryMs: number[] = [];
  const detectMs: number[] = [];
  let lost = 0;
  let crashed = 0;
  try {
    for (const r of rounds(ctx, ctx.repeats, 20)) {
      await pool.ready();
      const runSpec = spec({ workload: 'cpu', tasks: 120, costMs: 10, chunksize: 1, mode: 'map' });
      const { finished } = pool.start(runSpec);
      await sleep(200);
      const victim = pool.workerPids()[r % POOL];
      const killedAt = now();
      process.kill(victim.pid, 'SIGKILL');
      const result = await finished;
      await sleep(30);
      checkNoneLost(result);
      const { submitted, done, failed, cancelled } = result.counts;
      lost += submitted - done - failed - cancelled;
      crashed += result.failures.filter((f) => f.reason === 'crash').length;
      const exited = events.find((e) => e.type === 'worker-exited' && e.worker === victim.worker) as
        { at: number } | undefined;
      const ready = events.find((e) => e.type === 'worker-ready' && e.at > killedAt) as { at: number } | undefined;
      if (!exited || !ready) throw new Error('recovery: no worker-exited or worker-ready event after the kill');
      detectMs.push(exited.at - killedAt);
      recoveryMs.push(ready.at - killedAt);
      events.length = 0;
    }
  } finally {
    await pool.close();
  }
  ctx.log(`  SIGKILL → replacement ready ${median(recoveryMs).toFixed(1)} ms, lost ${lost}`);
  return [
    {
      bench: 'recovery-kill',
      figure: 'SIGKILL mid-run (cpu 120×10 ms) → replacement ready',
      unit: 'ms',
      samples: recoveryMs,
      target: { op: '<=', value: 1000 },
      anchor: 'Python Pool hangs; ProcessPoolExecutor breaks',
      note: `${crashed} of ${recoveryMs.length} killed tasks failed as 'crash' (0 when the kill fell between tasks); ready = the new worker's ready message`,
    },
    { bench: 'recovery-kill', figure: 'SIGKILL → engine sees the exit', unit: 'ms', samples: detectMs },
    {
      bench: 'recovery-kill',
      figure: 'tasks lost (submitted − done − failed − cancelled), all runs',
      unit: 'count',
      samples: [lost],
      target: { op: '<=', value: 0 },
    },
  ];
}

async function benchTimeout(ctx: Ctx): Promise<BenchRow[]> {
  const TIMEOUT = 200;
  const pool = await openPool();
  const events = recordEvents(pool);
  const store = new TaskStore();
  pool.onFrame((frame) => store.ingest(frame));
  const settleMs: number[] = [];
  const replaceMs: number[] = [];
  try {
    for (const _ of rounds(ctx, 3, 20)) {
      await pool.ready();
      const runSpec = spec({
        workload: 'hang',
        tasks: 40,
        faultEvery: 8,
        timeoutMs: TIMEOUT,
        chunksize: 1,
        mode: 'map',
      });
      const result = await pool.start(runSpec).finished;
      await pool.ready();
      await sleep(30);
      checkNoneLost(result);
      for (const failed of store.failures) {
        if (failed.reason !== 'timeout') continue;
        const [start, end] = [store.start[failed.task], store.end[failed.task]];
        settleMs.push(end - start);
        const ready = events.find((e) => e.type === 'worker-ready' && e.at >= end) as { at: number } | undefined;
        if (ready) replaceMs.push(ready.at - end);
      }
      events.length = 0;
    }
  } finally {
    await pool.close();
  }
  ctx.log(`  hung task settled after ${median(settleMs).toFixed(1)} ms`);
  return [
    {
      bench: 'recovery-timeout',
      figure: `hung task, timeout ${TIMEOUT} ms: task start → failed`,
      unit: 'ms',
      samples: settleMs,
      target: { op: '<=', value: TIMEOUT + 50 },
      targetText: `≤ T + 50 (${TIMEOUT + 50} ms)`,
      anchor: 'piscina 202–208 ms',
      note: `max ${Math.max(...settleMs).toFixed(1)} ms over ${settleMs.length} hung tasks`,
    },
    { bench: 'recovery-timeout', figure: 'hung task failed → replacement ready', unit: 'ms', samples: replaceMs },
  ];
}

// ── entry ────────────────────────────────────────────────────────────────────

/** Benchmarks that also run Python's Pool on the same workload. */
const WITH_PYTHON: readonly BenchName[] = ['throughput-chunksize1', 'throughput-auto', 'cpu-efficiency', 'startup'];

const BENCHES: Record<BenchName, (ctx: Ctx) => Promise<BenchRow[]>> = {
  'throughput-chunksize1': (ctx) => benchThroughput(ctx, 1),
  'throughput-auto': (ctx) => benchThroughput(ctx, 'auto'),
  'cpu-efficiency': benchCpu,
  startup: benchStartup,
  memory: benchMemory,
  tracing: benchTracing,
  'recovery-kill': benchKill,
  'recovery-timeout': benchTimeout,
};

/**
 * Runs the selected engine benchmarks (the build must exist: call ensureBuilt first).
 * Where python3 exists, Python's Pool runs between the engine's runs, so both
 * sides' figures come from the same minutes of the same machine.
 */
export async function runEngineBenchmarks(options: EngineBenchOptions = {}): Promise<EngineBenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick ?? false;
  const selected = ENGINE_BENCHES.filter((name) => matchesFilter(name, options.filter));
  const ctx: Ctx = { repeats: quick ? 3 : 5, quick, log, py: null, pyInfo: null };
  let python: EngineBenchReport['python'] = null;

  if (options.python !== false && selected.some((name) => WITH_PYTHON.includes(name))) {
    const python3 = findPython();
    if (!python3) python = { skipped: 'python3 with multiprocessing not found' };
    else {
      try {
        const started = await PythonPools.start(python3);
        ctx.py = started.pools;
        ctx.pyInfo = python = started.info;
      } catch (error) {
        python = { skipped: error instanceof Error ? error.message : String(error) };
        log(`python: skipped (${python.skipped})`);
      }
    }
  }

  const rows: BenchRow[] = [];
  const load: Record<string, number> = {};
  try {
    for (const name of selected) {
      load[name] = loadavg()[0];
      log(`${name}… (load ${load[name].toFixed(2)})`);
      // Python's pools stay idle (blocked on their pipes) while benchmarks without a twin run.
      const benchCtx = WITH_PYTHON.includes(name) ? ctx : { ...ctx, py: null };
      rows.push(...(await BENCHES[name](benchCtx)));
    }
  } finally {
    await ctx.py?.close();
  }
  return { rows, load, python };
}

export const machine = () => ({
  cpus: availableParallelism(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
});
