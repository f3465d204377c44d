/**
 * What watching a Python program costs it: the same Pool.map run untraced
 * (`python3 program.py`) and through Poolscope (`npm run cli -- python
 * program.py`: the tracer in every process, the host's trace server, frames and
 * task store), interleaved; the program times its own pool.map, so start-up is
 * left out on both sides.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../electron/host/build';
import type { BenchRow } from './report';
import { median } from './stats';

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

const untraced = (args: string[]) => wallOf('python3', [PROGRAM, ...args]);
const traced = (args: string[]) =>
  wallOf(process.execPath, ['--import', 'tsx', join(projectRoot, 'electron/host/cli.ts'), 'python', PROGRAM, ...args]);

const WORKLOADS: { name: string; args: string[]; tasks: number; target?: number }[] = [
  { name: '10⁵ tiny tasks, chunksize auto', args: ['100000', 'auto', '0'], tasks: 100_000 },
  { name: '10⁵ tiny tasks, chunksize 1', args: ['100000', '1', '0'], tasks: 100_000 },
  { name: '1,000 × 1 ms tasks, chunksize 1', args: ['1000', '1', '1'], tasks: 1000, target: 3 },
  { name: '40 × 50 ms tasks, pool of 2', args: ['40', '1', '50'], tasks: 40, target: 3 },
];

export async function benchPythonTracer(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const repeats = options.quick ? 3 : 5;
  const rows: BenchRow[] = [];
  // One calibration for every run (the fastest of five: the least disturbed by other load).
  const perMs = spawnSync('python3', [PROGRAM, 'calibrate'], { encoding: 'utf8' }).stdout.trim();
  if (!/^\d+$/.test(perMs)) throw new Error(`calibrating ${PROGRAM} failed: ${perMs}`);
  for (const { name, tasks, target, args: workloadArgs } of WORKLOADS) {
    const workload = { name, tasks, target, args: [...workloadArgs, perMs] };
    options.log(`python tracer: ${workload.name} × ${repeats}, traced and untraced interleaved…`);
    const off: number[] = [];
    const on: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // Alternate which goes first, so drift hits both alike.
      if (r % 2) on.push(traced(workload.args));
      off.push(untraced(workload.args));
      if (r % 2 === 0) on.push(traced(workload.args));
    }
    const overhead = (median(on) / median(off) - 1) * 100;
    const perTaskUs = ((median(on) - median(off)) * 1000) / workload.tasks;
    rows.push({
      bench: 'python-tracer',
      figure: `${workload.name}: traced vs untraced pool.map wall`,
      unit: '%',
      samples: [overhead],
      value: overhead,
      ...(workload.target !== undefined ? { target: { op: '<=' as const, value: workload.target } } : {}),
      note: `medians ${median(off).toFixed(1)} ms untraced, ${median(on).toFixed(1)} ms traced: ${perTaskUs.toFixed(1)} µs per task`,
    });
  }
  return rows;
}
