/**
 * What watching a Python program costs it: the same Pool.map run untraced
 * (`python program.py`, on the interpreter the host picks) and through
 * Poolscope (`npm run cli -- python program.py`: the tracer in every process,
 * the host's trace server, frames and task store), interleaved; the program
 * times its own pool.map, so start-up is left out on both sides.
 *
 * This machine's speed drifts by a fifth from one run to the next (the same
 * 1 ms loop takes 1.0–1.4 ms of CPU), far more than the few per cent sought.
 * Tasks with a cost therefore also report the CPU time their loops took, and
 * the headline compares wall time per millisecond of that work: the drift
 * cancels, while every cost of tracing (time between tasks, the host and the
 * flushers taking cores from the workers) stays in the wall time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../electron/host/build';
import { findPython } from '../electron/python/python-process';
import { CLI_ARGS } from './cli';
import type { BenchRow } from './report';
import { formatValue, median, medianRatioInterval } from './stats';

const PROGRAM = join(projectRoot, 'bench/python/tracer_program.py');

interface Timed {
  wallMs: number;
  /** Σ of the tasks' own CPU time (null for tiny tasks, which measure nothing). */
  taskCpuMs: number | null;
}

function timedRun(command: string, args: string[]): Timed {
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8' });
  const line = (result.stdout ?? '')
    .trim()
    .split('\n')
    .find((l) => l.startsWith('{"wallMs"'));
  if (result.status !== 0 || !line) throw new Error(`${args.join(' ')} failed: ${result.stderr?.slice(-400)}`);
  return JSON.parse(line) as Timed;
}

const traced = (args: string[]) => timedRun(process.execPath, [...CLI_ARGS, 'python', PROGRAM, ...args]);

const WORKLOADS: { name: string; args: string[]; tasks: number; target?: number }[] = [
  { name: '10⁵ tiny tasks, chunksize auto', args: ['100000', 'auto', '0'], tasks: 100_000 },
  { name: '10⁵ tiny tasks, chunksize 1', args: ['100000', '1', '0'], tasks: 100_000 },
  { name: '3,000 × 1 ms tasks, chunksize 1', args: ['3000', '1', '1'], tasks: 3000, target: 3 },
  { name: '3,000 × 1 ms tasks, default chunksize', args: ['3000', 'auto', '1'], tasks: 3000, target: 3 },
  { name: '40 × 50 ms tasks, pool of 2', args: ['40', '1', '50'], tasks: 40, target: 3 },
];

type Series = 'off' | 'on' | 'again';

export async function benchPythonTracer(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // The interpreter the host runs, so both sides run the same Python build.
  const python = findPython();
  const untraced = (args: string[]) => timedRun(python, [PROGRAM, ...args]);
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
    const series: Record<Series, Timed[]> = { off: [], again: [], on: [] };
    const order: Series[] = target === undefined ? ['off', 'on'] : ['off', 'on', 'again'];
    for (let r = 0; r < repeats; r++) {
      // Rotate which goes first, so drift hits every series alike.
      for (let k = 0; k < order.length; k++) {
        const which = order[(k + r) % order.length];
        series[which].push(which === 'on' ? traced(args) : untraced(args));
      }
    }
    const walls = (which: Series) => series[which].map((t) => t.wallMs);
    const off = median(walls('off'));
    const on = median(walls('on'));
    const wallOverhead = (on / off - 1) * 100;
    const perTaskUs = ((on - off) * 1000) / tasks;
    const interval = (a: number[], b: number[]) => {
      const [lo, hi] = medianRatioInterval(a, b);
      return `95 % interval ${formatValue(lo, '%')} … ${formatValue(hi, '%')}`;
    };
    const wallNote = `medians ${off.toFixed(1)} ms untraced, ${on.toFixed(1)} ms traced: ${perTaskUs.toFixed(1)} µs per task`;
    if (target === undefined) {
      rows.push({
        bench: 'python-tracer',
        figure: `${name}: traced vs untraced pool.map wall`,
        unit: '%',
        samples: [wallOverhead],
        value: wallOverhead,
        note: wallNote,
      });
      continue;
    }
    // Wall per ms of the tasks' own CPU time: the same work, whatever the machine's speed that run.
    const perWork = (which: Series) => series[which].map((t) => t.wallMs / (t.taskCpuMs ?? NaN));
    const overhead = (median(perWork('on')) / median(perWork('off')) - 1) * 100;
    const again = (median(perWork('again')) / median(perWork('off')) - 1) * 100;
    rows.push({
      bench: 'python-tracer',
      figure: `${name}: traced vs untraced, wall for the same CPU work`,
      unit: '%',
      samples: [overhead],
      value: overhead,
      target: { op: '<=', value: target },
      note:
        `${interval(perWork('off'), perWork('on'))}; untraced against itself ${formatValue(again, '%')} ` +
        `(${interval(perWork('off'), perWork('again'))}); plain wall ${formatValue(wallOverhead, '%')} ` +
        `(${interval(walls('off'), walls('on'))}), ${wallNote}`,
    });
  }
  return rows;
}
