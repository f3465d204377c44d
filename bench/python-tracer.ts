/**
 * What watching a Python program costs it: the same Pool.map run untraced
 * (`python program.py`, on the interpreter the host picks) and through
 * Poolscope (`npm run cli -- python program.py`: the tracer in every process,
 * the host's trace server, frames and task store), interleaved; the program
 * times its own pool.map, so start-up is left out on both sides.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../electron/host/build';
import { findPython } from '../electron/python/python-process';
import type { BenchRow } from './report';
import { formatValue, median, medianRatioInterval } from './stats';

const PROGRAM = join(projectRoot, 'bench/python/tracer_program.py');

function wallOf(command: string, args: string[]): number {
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8' });
  const line = (result.stdout ?? '')
    .trim()
    .split('\n')
    .find((l) => l.startsWith('{"wallMs"'));
  if (result.status !== 0 || !line) throw new Error(`${args.join(' ')} failed: ${result.stderr?.slice(-400)}`);
  return (JSON.parse(line) as { wallMs: number }).wallMs;
}

const traced = (args: string[]) =>
  wallOf(process.execPath, ['--import', 'tsx', join(projectRoot, 'electron/host/cli.ts'), 'python', PROGRAM, ...args]);

const WORKLOADS: { name: string; args: string[]; tasks: number; target?: number }[] = [
  { name: '10⁵ tiny tasks, chunksize auto', args: ['100000', 'auto', '0'], tasks: 100_000 },
  { name: '10⁵ tiny tasks, chunksize 1', args: ['100000', '1', '0'], tasks: 100_000 },
  { name: '3,000 × 1 ms tasks, chunksize 1', args: ['3000', '1', '1'], tasks: 3000, target: 3 },
  { name: '40 × 50 ms tasks, pool of 2', args: ['40', '1', '50'], tasks: 40, target: 3 },
];

type Series = 'off' | 'on' | 'again';

export async function benchPythonTracer(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // The interpreter the host runs, so both sides run the same Python build.
  const python = findPython();
  const untraced = (args: string[]) => wallOf(python, [PROGRAM, ...args]);
  // One calibration for every run (the fastest of five: the least disturbed by other load).
  const perMs = spawnSync(python, [PROGRAM, 'calibrate'], { encoding: 'utf8' }).stdout.trim();
  if (!/^\d+$/.test(perMs)) throw new Error(`calibrating ${PROGRAM} failed: ${perMs}`);
  for (const { name, tasks, target, args: workloadArgs } of WORKLOADS) {
    const args = [...workloadArgs, perMs];
    // A target of a few per cent is below this machine's run-to-run noise: the
    // targeted workloads run more often, and an untraced series run alongside
    // says how far two medians of the same thing drift apart here.
    const repeats = target === undefined ? (options.quick ? 3 : 5) : options.quick ? 5 : 11;
    options.log(`python tracer: ${name} × ${repeats}, traced and untraced interleaved…`);
    const series: Record<Series, number[]> = { off: [], again: [], on: [] };
    const order: Series[] = target === undefined ? ['off', 'on'] : ['off', 'on', 'again'];
    for (let r = 0; r < repeats; r++) {
      // Rotate which goes first, so drift hits every series alike.
      for (let k = 0; k < order.length; k++) {
        const which = order[(k + r) % order.length];
        series[which].push(which === 'on' ? traced(args) : untraced(args));
      }
    }
    const off = median(series.off);
    const on = median(series.on);
    const overhead = (on / off - 1) * 100;
    const perTaskUs = ((on - off) * 1000) / tasks;
    const interval = (b: number[]) => {
      const [lo, hi] = medianRatioInterval(series.off, b);
      return `95 % interval ${formatValue(lo, '%')} … ${formatValue(hi, '%')}`;
    };
    const noise = series.again.length
      ? `; ${interval(series.on)}; untraced against itself ${formatValue((median(series.again) / off - 1) * 100, '%')} (${interval(series.again)})`
      : '';
    rows.push({
      bench: 'python-tracer',
      figure: `${name}: traced vs untraced pool.map wall`,
      unit: '%',
      samples: [overhead],
      value: overhead,
      ...(target !== undefined ? { target: { op: '<=' as const, value: target } } : {}),
      note: `medians ${off.toFixed(1)} ms untraced, ${on.toFixed(1)} ms traced: ${perTaskUs.toFixed(1)} µs per task${noise}`,
    });
  }
  return rows;
}
