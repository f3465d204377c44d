/**
 * Child process of the memory benchmark: a fresh Node with --expose-gc, so the
 * figures are not polluted by what earlier benchmarks left on the heap.
 * Prints one JSON line: memory growth while 1,000,000 tasks are queued.
 *
 *   node --expose-gc --import tsx bench/memory-probe.ts [chunksize]
 */
import { now } from '../electron/engine/clock';
import { forkLauncher } from '../electron/engine/launcher';
import { Pool } from '../electron/engine/pool';
import { workerEntryPath } from '../electron/host/build';
import { makeRunSpec } from '../shared/run-spec';

const TASKS = 1_000_000;
const MiB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  // Let frames and IPC settle, then collect twice (weak refs and finalizers need a second pass).
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc!();
  gc!();
  return process.memoryUsage();
}

const chunksize = process.argv[2] === 'auto' ? 'auto' : 1;
const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2, trace: true });
let frames = 0;
// The app always listens; frames hold the dispatch columns of whatever is in flight.
pool.onFrame(() => frames++);
await pool.ready();
const before = await settledMemory();
// io tasks of a minute: nothing settles while we look, so all 10⁶ stay queued or in flight.
const t0 = now();
const { finished } = pool.start(
  makeRunSpec({ workload: 'io', costMs: 60_000, tasks: TASKS, chunksize, mode: 'map', poolSize: 2 }, 2),
);
const startMs = now() - t0;
const after = await settledMemory();
pool.cancel('kill');
const result = await finished;
await pool.close();

const delta = (key: keyof NodeJS.MemoryUsage) => (after[key] - before[key]) / MiB;
process.stdout.write(
  `${JSON.stringify({
    chunksize,
    startMs,
    rssMiB: delta('rss'),
    heapUsedMiB: delta('heapUsed'),
    arrayBuffersMiB: delta('arrayBuffers'),
    baselineRssMiB: before.rss / MiB,
    cancelled: result.counts.cancelled,
    submitted: result.counts.submitted,
    frames,
  })}\n`,
);
