import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findPython, PythonError, PythonProcess } from './python-process';
import { pythonBootDir, TraceServer, type TraceConnection } from './trace-server';

const examples = join(dirname(pythonBootDir), 'examples');
const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '../..');

/** Live processes of a pid list, by /proc (a zombie counts as gone). */
function survivors(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: TraceServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function rejection(promise: Promise<unknown>): Promise<PythonError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PythonError);
    return error as PythonError;
  }
  throw new Error('expected a PythonError');
}

describe('PythonProcess', () => {
  it('stop() ends a hanging program and all its workers', async () => {
    const hellos: TraceConnection[] = [];
    server = await TraceServer.start({ hello: (c) => hellos.push(c) });
    const program = await PythonProcess.start({ script: join(examples, 'hanging.py'), server, stdio: 'pipe' });
    await until(() => hellos.length === 3); // main and two pool workers
    const pids = hellos.map((c) => c.pid);
    expect(survivors(pids)).toEqual(pids);
    const exit = await program.stop(1_000);
    expect(exit.code === 70 || exit.signal === 'SIGTERM').toBe(true);
    await until(() => survivors(pids).length === 0, 2_000);
  });

  it('keeps a bounded tail of stderr', async () => {
    const program = await PythonProcess.start({ script: join(examples, 'failing_task.py'), stdio: 'pipe' });
    program.stdout!.resume();
    expect((await program.exited).code).toBe(1);
    expect(program.stderrTail()).toMatch(/ZeroDivisionError: integer division or modulo by zero\n$/);
  });

  it('does not let an untraced program outlive the Node process that started it', async () => {
    // Untraced, so that only PythonProcess's exit hook (not the tracer's host-loss rule) can end it.
    const folder = mkdtempSync(join(tmpdir(), 'poolscope-test-'));
    const pidFile = join(folder, 'pids');
    const starter = join(folder, 'starter.mts'); // an ES module: top-level await
    writeFileSync(
      starter,
      `import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PythonProcess } from ${JSON.stringify(join(here, 'python-process.ts'))};
const program = await PythonProcess.start({ script: ${JSON.stringify(join(examples, 'hanging.py'))}, stdio: 'pipe' });
program.stdout!.once('data', () => {
  const group = readdirSync('/proc').filter((name) => /^\\d+$/.test(name)).filter((pid) => {
    try {
      const stat = readFileSync('/proc/' + pid + '/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === program.pid;
    } catch { return false; }
  });
  writeFileSync(${JSON.stringify(pidFile)}, group.join(' '));
  process.exit(0);
});
`,
    );
    const node = spawn(join(projectRoot, 'node_modules/.bin/tsx'), [starter], { stdio: 'inherit' });
    const code = await new Promise((done) => node.once('exit', done));
    expect(code).toBe(0);
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(3); // main and two pool workers
    await until(() => survivors(pids).length === 0, 2_000);
  });

  it('says clearly when the interpreter or the script is missing', async () => {
    const script = join(examples, 'q4_pool.py');
    const noPython = await rejection(PythonProcess.start({ script, python: '/nonexistent/python3', stdio: 'pipe' }));
    expect(noPython.code).toBe('interpreter-not-found');
    expect(noPython.message).toContain('/nonexistent/python3');
    expect(() => findPython(undefined, { PATH: '/nonexistent', POOLSCOPE_PYTHON: 'no-such-python' })).toThrow(
      /no-such-python \(from POOLSCOPE_PYTHON\)/,
    );

    const missing = await rejection(PythonProcess.start({ script: join(examples, 'nope.py'), stdio: 'pipe' }));
    expect(missing.code).toBe('script-not-found');
    expect(missing.message).toContain('nope.py');
    const folder = await rejection(PythonProcess.start({ script: examples, stdio: 'pipe' }));
    expect(folder.code).toBe('script-not-a-file');
  });

  it('finds the project venv or python3 by default', () => {
    const python = findPython(undefined, { PATH: process.env.PATH });
    expect(existsSync(python)).toBe(true);
  });
});
