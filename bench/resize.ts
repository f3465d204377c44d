/**
 * The pool-size slider's promise, measured with real processes: a shrink from
 * 4 to 1 in the middle of 160 × 50 ms tasks, timed until one worker process is
 * left (counted in /proc, zombies excluded); and thrash — 30 changes in 3 s —
 * with the most worker processes seen and the count at the end.
 */
import { now } from '../electron/engine/clock';
import { forkLauncher } from '../electron/engine/launcher';
import { Pool } from '../electron/engine/pool';
import { workerEntryPath } from '../electron/host/build';
import { descendants } from '../electron/host/process-tree';
import { makeRunSpec } from '../shared/run-spec';
import type { BenchRow } from './report';
import { median, sleep } from './stats';

/** Worker processes of this process that are running (not zombies). */
const liveWorkers = () => descendants(process.pid).filter((p) => p.cmdline.includes('worker.cjs')).length;

export async function benchResize(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  if (process.platform !== 'linux') return [];
  const shrinks: number[] = [];
  const longestTask: number[] = [];
  const repeats = options.quick ? 2 : 4;
  for (let r = 0; r < repeats; r++) {
    const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 4 });
    const ends: number[] = [];
    pool.onFrame((frame) => {
      for (let i = 0; i < frame.settled.task.length; i++) ends.push(frame.settled.end[i] - frame.settled.start[i]);
    });
    try {
      await pool.ready();
      const { finished } = pool.start(
        makeRunSpec({ workload: 'cpu', tasks: 160, costMs: 50, chunksize: 1, poolSize: 4 }, 4),
      );
      await sleep(500);
      const asked = now();
      pool.resize(1);
      while (liveWorkers() > 1) await sleep(1);
      shrinks.push(now() - asked);
      await finished;
      longestTask.push(Math.max(...ends));
    } finally {
      await pool.close();
    }
  }
  options.log(`  shrink 4 → 1: ${median(shrinks).toFixed(0)} ms until one worker was left`);

  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 4 });
  let most = 0;
  let final: number;
  const sizes = Array.from({ length: 30 }, (_, i) => 1 + ((i * 5) % 8));
  const last = sizes[sizes.length - 1];
  try {
    await pool.ready();
    const { finished } = pool.start(
      makeRunSpec({ workload: 'cpu', tasks: 600, costMs: 10, chunksize: 1, poolSize: 4 }, 4),
    );
    for (const size of sizes) {
      pool.resize(size);
      const until = now() + 100;
      while (now() < until) {
        most = Math.max(most, liveWorkers());
        await sleep(5);
      }
    }
    await finished;
    await sleep(300);
    final = liveWorkers();
    options.log(`  thrash: at most ${most} worker processes, ${final} at the end (last size ${last})`);
  } finally {
    await pool.close();
  }
  return [
    {
      bench: 'resize',
      figure: 'shrink 4 → 1 mid-run (160 × 50 ms): until one worker process is left',
      unit: 'ms',
      samples: shrinks,
      target: { op: '<=', value: 150 },
      note: `one task time + 100 ms; the longest task took ${median(longestTask).toFixed(0)} ms here (load inflates it)`,
    },
    {
      bench: 'resize',
      figure: 'thrash, 30 changes in 3 s (sizes 1…8): most worker processes seen',
      unit: 'count',
      samples: [most],
      target: { op: '<=', value: 16 },
      note: 'bound: the largest size asked for plus workers finishing their task',
    },
    {
      bench: 'resize',
      figure: `thrash: worker processes at the end (last size ${last})`,
      unit: 'count',
      samples: [final],
      target: { op: '<=', value: last },
    },
  ];
}
