/**
 * `npm run bench [-- [--quick] [--no-python] [name …]]`
 *
 * Prints every figure of DESIGN §7 (median of several runs) beside its target
 * and anchor, and Python's multiprocessing.Pool on the same workloads measured
 * in the same run. Benchmarks print; they never fail on a missed target.
 * Also writes bench/results/latest.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt, projectRoot } from '../electron/host/build';
import { benchCli } from './cli';
import { benchCluster } from './cluster';
import { ENGINE_BENCHES, machine, matchesFilter, runEngineBenchmarks, type EngineBenchReport } from './engine';
import { benchPage } from './page';
import { benchPythonTracer } from './python-tracer';
import { benchReplay } from './replay';
import { benchResize } from './resize';
import { statusOf, tableLines, valueOf, type BenchRow } from './report';
import { median } from './stats';

const benchDir = dirname(fileURLToPath(import.meta.url));

interface RendererFigure {
  name: string;
  value: number;
  unit: string;
  target: unknown;
}

function parseArgs(argv: readonly string[]) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const unknown = [...flags].filter((f) => !['--quick', '--no-python', '--help'].includes(f));
  if (flags.has('--help') || unknown.length > 0) {
    const names = [...HEADLINE, ...ENGINE_BENCHES, 'renderer'].join(', ');
    process.stdout.write(
      `usage: npm run bench -- [--quick] [--no-python] [name …]\nnames (substring match): ${names}\n`,
    );
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  return {
    quick: flags.has('--quick'),
    python: !flags.has('--no-python'),
    filter: argv.filter((a) => !a.startsWith('--')),
  };
}

/** bench/renderer.ts belongs to the renderer's benchmark; run it only where it and Chromium exist. */
async function rendererRows(log: (line: string) => void): Promise<{ rows: BenchRow[]; skipped?: string }> {
  const file = join(benchDir, 'renderer.ts');
  if (!existsSync(file)) return { rows: [], skipped: 'bench/renderer.ts does not exist yet' };
  try {
    const mod = (await import(pathToFileURL(file).href)) as { benchRenderer?: () => Promise<RendererFigure[]> };
    if (typeof mod.benchRenderer !== 'function')
      return { rows: [], skipped: 'bench/renderer.ts exports no benchRenderer()' };
    log('renderer…');
    const figures = await mod.benchRenderer();
    return { rows: figures.map(rendererRow) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = /executable doesn't exist|chromium|browserType\.launch/i.test(message)
      ? `Chromium is missing (${message.split('\n')[0]})`
      : `it failed: ${message.split('\n')[0]}`;
    return { rows: [], skipped: reason };
  }
}

function rendererRow(figure: RendererFigure): BenchRow {
  const row: BenchRow = { bench: 'renderer', figure: figure.name, unit: figure.unit, samples: [figure.value] };
  if (typeof figure.target === 'number') {
    // Times are better low, rates better high.
    row.target = { op: /ms|MiB|%/.test(figure.unit) ? '<=' : '>=', value: figure.target };
  } else if (figure.target !== undefined && figure.target !== null) row.targetText = String(figure.target);
  return row;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** The paths users run, measured end to end: the headline figures. */
const HEADLINE = ['cli', 'page', 'replay', 'resize', 'python-tracer', 'cluster'] as const;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => void process.stderr.write(`${line}\n`);
  const names = [...HEADLINE, ...ENGINE_BENCHES, 'renderer'];
  if (!names.some((name) => matchesFilter(name, args.filter))) {
    process.stderr.write(`no benchmark matches ${args.filter.join(' ')}; names: ${names.join(', ')}\n`);
    process.exit(2);
  }
  const started = Date.now();
  ensureBuilt('worker', log);

  const rows: BenchRow[] = [];
  const load: Record<string, number> = {};
  const headline = {
    cli: () => benchCli({ ...args, log }),
    page: () => benchPage({ ...args, log }),
    replay: () => benchReplay({ ...args, log }),
    resize: () => benchResize({ ...args, log }),
    'python-tracer': () => benchPythonTracer({ ...args, log }),
    cluster: () => benchCluster({ ...args, log }),
  } satisfies Record<(typeof HEADLINE)[number], () => Promise<BenchRow[]>>;
  for (const name of HEADLINE) {
    if (!matchesFilter(name, args.filter)) continue;
    if ((name === 'python-tracer' || name === 'cluster') && !args.python) continue;
    load[name] = loadavg()[0];
    rows.push(...(await headline[name]()));
  }
  const engine: EngineBenchReport = await runEngineBenchmarks({ ...args, log });
  rows.push(...engine.rows);
  Object.assign(load, engine.load);
  const skipped: string[] = [];
  if (engine.python && 'skipped' in engine.python) skipped.push(`python: skipped (${engine.python.skipped})`);
  if (matchesFilter('renderer', args.filter)) {
    const renderer = await rendererRows(log);
    rows.push(...renderer.rows);
    if (renderer.skipped) skipped.push(`renderer: skipped (${renderer.skipped})`);
  }

  const env = machine();
  const pythonText =
    engine.python && !('skipped' in engine.python)
      ? `, Python ${engine.python.python} (${engine.python.startMethod})`
      : '';
  const header = [
    `Poolscope benchmarks — ${env.cpus} CPUs, Node ${env.node}${pythonText}, ${args.quick ? 'quick' : 'full'} run, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    'Each figure is the median of its runs; "python" is multiprocessing.Pool on the same workload in this run.',
    '',
  ];
  const loadNotes = Object.fromEntries(Object.entries(load).map(([bench, l]) => [bench, `load ${l.toFixed(1)}`]));
  const missed = rows.filter((row) => statusOf(row) === 'MISSED');
  const footer = [
    '',
    ...skipped,
    `${missed.length === 0 ? 'all targets met' : `${missed.length} target(s) missed: ${missed.map((r) => r.figure).join('; ')}`}`,
  ];
  process.stdout.write(`${[...header, ...tableLines(rows, loadNotes), ...footer].join('\n')}\n`);

  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    at: new Date().toISOString(),
    commit: gitCommit(),
    machine: env,
    options: args,
    python: engine.python,
    load,
    skipped,
    rows: rows.map((row) => ({
      ...row,
      median: valueOf(row),
      status: statusOf(row),
      pythonMedian: row.python?.length ? median(row.python) : undefined,
    })),
  };
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${join('bench', 'results', 'latest.json')}`);
}

await main();
