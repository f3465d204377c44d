/**
 * Drives bench/python/pool_bench.py: Python's multiprocessing.Pool, one run per
 * call, so benchmarks can interleave Python's runs with the engine's.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'python', 'pool_bench.py');

export type PythonCommand =
  | { op: 'throughput'; n: number; chunksize: number }
  | { op: 'cpu'; pool: number; tasks: number; costMs: number }
  | { op: 'startup'; method: string };

export interface PythonCpuRun {
  wallMs: number;
  /** Σ of the tasks' own measured durations. */
  busyMs: number;
  /** Mean over workers of wall − the worker's own Σ task time (no clock comparison). */
  idleMs: number;
  /** Mean over workers of the idle time from its last task's end to the run's end. */
  tailMs: number;
}

type Answer<C extends PythonCommand> = C extends { op: 'cpu' } ? PythonCpuRun : number;

export interface PythonInfo {
  python: string;
  startMethod: string;
  itersPerMs: number;
}

/** The python3 on PATH with multiprocessing, or null. */
export function findPython(): string | null {
  const probe = spawnSync('python3', ['-c', 'import multiprocessing'], { stdio: 'ignore' });
  return probe.status === 0 ? 'python3' : null;
}

export class PythonPools {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  private constructor(python: string) {
    this.child = spawn(python, [SCRIPT]);
    this.child.stderr
      .setEncoding('utf8')
      .on('data', (text: string) => (this.stderr = (this.stderr + text).slice(-2000)));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  static async start(python: string): Promise<{ pools: PythonPools; info: PythonInfo }> {
    const pools = new PythonPools(python);
    const info = (await pools.next()) as PythonInfo;
    return { pools, info };
  }

  /** One run; calls must not overlap (the server answers in order, one at a time). */
  async call<C extends PythonCommand>(command: C): Promise<Answer<C>> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = (await this.next()) as { ok: boolean; value?: Answer<C>; error?: string };
    if (!answer.ok) throw new Error(`python ${command.op}: ${answer.error}`);
    return answer.value as Answer<C>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    await exited;
  }

  private async next(): Promise<unknown> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error(`${SCRIPT} exited: ${this.stderr.trim().split('\n').pop() ?? ''}`);
    return JSON.parse(value);
  }
}
