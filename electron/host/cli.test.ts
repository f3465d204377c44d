import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ChromeTrace } from '../../shared/trace';
import { projectRoot, workerEntryPath } from './build';
import { descendants } from './process-tree';

const run = promisify(execFile);

/** Runs the real CLI in its own process; resolves with its exit code and output. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'electron/host/cli.ts', ...args], {
      cwd: projectRoot,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cli run', () => {
  it("prints the seed's squares in input order", async () => {
    const { code, stdout, stderr } = await cli('run', '--workload', 'square', '--tasks', '10', '--pool', '5');
    expect(code).toBe(0);
    expect(stdout).toBe('[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n');
    expect(stderr).toMatch(/done 10 · failed 0/);
    expect(stderr).toMatch(/throughput .* tasks\/s/);
    expect(stderr).toMatch(/speedup \(cores busy\) [\d.]+× of \d+ · efficiency/);
  });

  it('completes a run with a crashing task, reports it and exits non-zero', async () => {
    const { code, stdout, stderr } = await cli(
      'run',
      '--workload',
      'crash',
      '--tasks',
      '6',
      '--pool',
      '2',
      '--fault-every',
      '3',
    );
    expect(code).toBe(1);
    expect(stdout).toBe('[0, 1, <task 2 failed>, 3, 4, <task 5 failed>]\n');
    expect(stderr).toMatch(
      /task 2 failed \(crash\): worker \d+ \(pid \d+\) exited with exit code 0 while running task 2/,
    );
  });

  it('refuses bad flags with the flag named and exit status 2', async () => {
    expect(await cli('run', '--tasks', '2.5')).toMatchObject({ code: 2, stderr: expect.stringContaining('--tasks') });
    expect(await cli('run', '--pool', 'many')).toMatchObject({ code: 2, stderr: expect.stringContaining('--pool') });
    expect(await cli('run', '--frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('frobnicate') });
    expect(await cli('walk')).toMatchObject({ code: 2, stderr: expect.stringContaining('got "walk"') });
  });

  it('writes a Chrome trace with each task exactly once, a CSV of tasks, and prints JSON', async () => {
    const file = join(tmpdir(), `poolscope-cli-${process.pid}.json`);
    const csv = join(tmpdir(), `poolscope-cli-${process.pid}.csv`);
    const { code, stdout } = await cli(
      '--csv',
      csv,
      'run',
      '--workload',
      'cpu',
      '--cost',
      '5',
      '--tasks',
      '12',
      '--pool',
      '2',
      '--trace',
      file,
      '--json',
    );
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 12 }, chunksize: 2 });
    expect(summary.results).toHaveLength(12);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as ChromeTrace;
    const tasks = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'cpu');
    expect(tasks.map((e) => e.args?.task).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(12).keys()]);
    for (const e of tasks) expect(e.dur).toBeGreaterThan(4000); // µs
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('task,worker,pid,state,dispatched_ms,start_ms,end_ms,duration_ms,cpu_ms,core_wait_ms,result');
    expect(rows).toHaveLength(13);
    for (const [k, row] of rows.slice(1).entries()) {
      const [task, worker, pid, state, , start, end, duration, cpu, , result] = row.split(',');
      expect([Number(task), state, Number(result)]).toEqual([k, 'done', summary.results[k]]);
      expect(worker).toMatch(/^W\d$/);
      expect(Number(end) - Number(start)).toBeCloseTo(Number(duration), 2);
      expect(Number(cpu)).toBeGreaterThan(0);
      expect(Number(cpu)).toBeLessThanOrEqual(Number(duration) + 0.5);
      expect(tasks.map((e) => String(e.pid))).toContain(pid);
    }
    const names = trace.traceEvents.filter((e) => e.name === 'process_name');
    expect(new Set(names.map((e) => e.pid))).toEqual(new Set(tasks.map((e) => e.pid)));
  });
});

describe('cli jobs and signals', () => {
  it('compare measures each backend against serial, as the Compare view does', async () => {
    const { code, stdout } = await cli(
      'compare',
      '--backends',
      'process,serial',
      '--tasks',
      '8',
      '--cost',
      '5',
      '--pool',
      '2',
      '--json',
    );
    expect(code).toBe(0);
    const { backends } = JSON.parse(stdout) as {
      backends: { backend: string; wallSpeedup: number; speedup: number; ideal: number }[];
    };
    expect(backends.map((b) => b.backend)).toEqual(['serial', 'process']);
    expect(backends[0].wallSpeedup).toBe(1);
    expect(backends[1].wallSpeedup).toBeGreaterThan(0);
    for (const b of backends) expect(b.speedup).toBeLessThanOrEqual(b.ideal * 1.05);
  });

  it('sweep fits Amdahl only from two pool sizes on', async () => {
    const one = JSON.parse((await cli('sweep', '--sizes', '1', '--tasks', '4', '--cost', '5', '--json')).stdout);
    expect(one.serialFraction).toBeNull();
    const two = JSON.parse((await cli('sweep', '--sizes', '1,2', '--tasks', '8', '--cost', '5', '--json')).stdout);
    expect(two.serialFraction).toEqual(expect.any(Number));
    expect(two.points.map((p: { workers: number }) => p.workers)).toEqual([1, 2]);
  });

  // At once (workers still starting) and a little into the run.
  it.each([0, 300])(
    'Ctrl-C %i ms after its workers appear stops the run, prints no results and exits 130',
    async (afterMs) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'electron/host/cli.ts', 'run', '--workload', 'cpu', '--tasks', '200', '--cost', '50'],
        {
          cwd: projectRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      // Once its workers exist (a loaded machine may take seconds to get there).
      while (!descendants(child.pid!).some((p) => p.cmdline.includes(workerEntryPath)))
        await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(stderr).toMatch(/SIGINT, stopping the workers/);
      expect(code).toBe(130);
      expect(stdout).toBe('');
    },
  );
});

describe('cli python', () => {
  const example = (name: string) => `python/examples/${name}.py`;
  const untraced = async (name: string) => (await run('python3', [example(name)], { cwd: projectRoot })).stdout;

  it.each(['q1_squares', 'q3_process', 'q4_pool', 'q5_steps'])(
    '%s: the script’s output passes through byte for byte, then Poolscope’s summary',
    async (name) => {
      const { code, stdout, stderr } = await cli('python', example(name));
      expect(code).toBe(0);
      expect(stdout).toBe(await untraced(name));
      expect(stderr).toMatch(new RegExp(`python ${name}\\.py · \\d+ calls? · tasks ran on \\d+ workers? · completed`));
    },
  );

  it('q6: four lines in any order, then the last; and --processes sizes every pool', async () => {
    const q6 = await cli('python', example('q6_processes'));
    const lines = q6.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4).sort()).toEqual([1, 2, 3, 4].map((n) => `Process ${n}: The square of ${n} is ${n * n}.`));
    expect(lines[4]).toBe('All processes have finished.');
    const sized = await cli('python', '--processes', '1', '--json', example('q4_pool'));
    expect(sized.stdout).toBe('Results: [2, 4, 6, 8, 10]\n');
    const summary = JSON.parse(sized.stderr.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ status: 'completed', counts: { done: 5 } });
  });

  it('a script that runs no task gets "–" for every figure that needs one, never a placeholder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'poolscope-cli-'));
    const script = join(folder, 'no_tasks.py');
    await writeFile(script, 'print("nothing in parallel")\n');
    const { code, stdout, stderr } = await cli('python', script);
    await rm(folder, { recursive: true });
    expect(code).toBe(0);
    expect(stdout).toBe('nothing in parallel\n');
    expect(stderr).toMatch(/done 0 · failed 0/);
    expect(stderr).toMatch(/speedup \(cores busy\) – · efficiency –/);
    expect(stderr).not.toMatch(/undefined|NaN/);
  });

  it('passes the script’s exit status and its arguments through', async () => {
    const { code, stdout } = await cli('python', example('api_pool_map'), 'spawn');
    expect(code).toBe(0);
    expect(stdout).toContain('[0, 1, 8, 27');
    const failing = await cli('python', example('failing_task'));
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/ZeroDivisionError/);
  });

  it('says what is wrong with a missing script and with bad options', async () => {
    expect(await cli('python', 'no/such.py')).toMatchObject({ code: 1, stderr: expect.stringContaining('not found') });
    expect(await cli('python', '--processes', '0', example('q1_squares'))).toMatchObject({ code: 2 });
    expect(await cli('python')).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a script') });
  });
});

describe('cli scenario', () => {
  it.each([
    ['q1', '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\nAll squares calculated with multiprocessing\n'],
    ['q3', 'Child process is running.\nMain process is done.\n'],
    ['q4', 'Results: [2, 4, 6, 8, 10]\n'],
    ['q5', 'Results: [2, 4, 6, 8, 10]\n'],
  ])("%s prints exactly the seed's output", async (id, expected) => {
    const { code, stdout } = await cli('scenario', id);
    expect(code).toBe(0);
    expect(stdout).toBe(expected);
  });

  it('q5 narrates each step: create, map, close, join', async () => {
    const { stderr } = await cli('scenario', 'q5');
    expect(
      stderr
        .split('\n')
        .filter((l) => l.startsWith('# '))
        .map((l) => l.split(/[ (:]/)[1]),
    ).toEqual(['pool', 'results', 'pool.close', 'join']);
  });

  it('q6 prints four lines in whatever order the processes ran, then the last line', async () => {
    const { code, stdout } = await cli('scenario', 'q6');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).sort()).toEqual([1, 2, 3, 4].map((n) => `Process ${n}: The square of ${n} is ${n * n}.`));
    expect(lines[4]).toBe('All processes have finished.');
  });

  it('refuses an unknown scenario', async () => {
    expect(await cli('scenario', 'q7')).toMatchObject({ code: 2, stderr: expect.stringContaining('q1, q2') });
  });
});
