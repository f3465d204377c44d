/**
 * The command line end to end, as a user runs it: `npm run cli -- run
 * --workload square --tasks N` as a whole process (start-up, pool, frames into
 * the CLI's TaskStore, summary), beside Python's Pool.map as a whole program,
 * interleaved. The per-task rate is marginal: (N₂ − N₁) / (t₂ − t₁), so the
 * fixed costs of starting either cancel out.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../electron/host/build';
import type { BenchRow } from './report';
import { median } from './stats';

export interface CliBenchOptions {
  quick: boolean;
  python: boolean;
  log: (line: string) => void;
}

/** Milliseconds a whole command takes, from spawn to exit; throws if it fails. */
function timed(command: string, args: string[]): number {
  const t0 = performance.now();
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr?.slice(-500)}`);
  return ms;
}

/** Node's arguments for the CLI as `npm run cli` starts it; the command's own follow. */
export const CLI_ARGS = ['--import', 'tsx', join(projectRoot, 'electron/host/cli.ts')];

const cli = (tasks: number, chunksize: string) =>
  timed(process.execPath, [
    ...CLI_ARGS,
    'run',
    '--workload',
    'square',
    '--tasks',
    String(tasks),
    '--chunksize',
    chunksize,
    '--results',
    'none',
  ]);

const python = (tasks: number, chunksize: string) =>
  timed('python3', [join(projectRoot, 'bench/python/pool_program.py'), String(tasks), chunksize]);

/** Marginal tasks per second between two task counts, from median times. */
const marginal = (small: number[], large: number[], n1: number, n2: number) =>
  (n2 - n1) / ((median(large) - median(small)) / 1000);

export async function benchCli(options: CliBenchOptions): Promise<BenchRow[]> {
  const repeats = options.quick ? 3 : 5;
  const rows: BenchRow[] = [];
  const cores = availableParallelism();
  for (const chunksize of ['1', 'auto'] as const) {
    const [n1, n2] = [100_000, 1_000_000];
    options.log(
      `cli end to end, chunksize ${chunksize}: ${n1} and ${n2} square tasks × ${repeats}, Python interleaved…`,
    );
    const times = { ours: [[], []] as number[][], python: [[], []] as number[][] };
    for (let r = 0; r < repeats; r++) {
      times.ours[0].push(cli(n1, chunksize));
      times.ours[1].push(cli(n2, chunksize));
      if (options.python) {
        times.python[0].push(python(n1, chunksize));
        times.python[1].push(python(n2, chunksize));
      }
    }
    const ours = marginal(times.ours[0], times.ours[1], n1, n2);
    const py = options.python ? marginal(times.python[0], times.python[1], n1, n2) : NaN;
    options.log(`  ours ${(ours / 1e6).toFixed(2)}M/s, python ${(py / 1e3).toFixed(0)}k/s`);
    rows.push({
      bench: 'cli',
      figure: `CLI end to end, square, chunksize ${chunksize}: marginal tasks/s (10⁵ → 10⁶)`,
      unit: 'tasks/s',
      samples: [ours],
      value: ours,
      target: { op: '>=', value: chunksize === '1' ? 1_000_000 : 4_000_000 },
      ...(options.python ? { python: [py] } : {}),
      anchor: chunksize === '1' ? '≥ 15× Python’s Pool' : 'hand-written batched fork dispatcher: 2.6M/s',
      note: `median whole-command times: ${median(times.ours[0]).toFixed(0)} ms and ${median(times.ours[1]).toFixed(0)} ms; pool of ${cores}`,
    });
    rows.push({
      bench: 'cli',
      figure: `CLI end to end, 10⁶ tasks, chunksize ${chunksize}: whole command`,
      unit: 'ms',
      samples: times.ours[1],
      ...(options.python ? { python: times.python[1] } : {}),
    });
  }
  return rows;
}
