/**
 * Nothing outlives its parent, with real processes, however the parent goes: a
 * worker whose parent is SIGKILLed (even mid-task in a loop that never yields),
 * the browser host and the CLI SIGKILLed, and `npm run serve` signalled through
 * its npm process. Survivors are counted in /proc (a zombie counts as gone: it
 * runs nothing and holds no memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot, workerEntryPath } from './build';
import { descendants as allBelow, running } from './process-tree';

const TSX = ['--import', 'tsx'];
const started: ChildProcess[] = [];
/** Every pid a test saw, to kill whatever a failing test leaves behind. */
const seen = new Set<number>();

/** Every process below `root`; remembered, to kill whatever a failing test leaves behind. */
function descendants(root: number): { pid: number; cmdline: string }[] {
  const below = allBelow(root);
  for (const { pid } of below) seen.add(pid);
  return below;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids still running `withinMs` from now (polled, so it returns as soon as none are). */
async function survivors(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = pids.filter(running);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(20);
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts a process whose stdout is collected; `output()` is what it printed so far. */
function start(command: string, args: string[], detached = false) {
  const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], detached });
  started.push(child);
  if (child.pid) seen.add(child.pid);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk));
  return { child, pid: child.pid ?? -1, output: () => out, errors: () => err };
}

const workersBelow = (pid: number) => descendants(pid).filter((p) => p.cmdline.includes(workerEntryPath));

afterEach(async () => {
  for (const pid of seen) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  seen.clear();
  await Promise.all(
    started
      .splice(0)
      .map(
        (child) =>
          new Promise((resolve) =>
            child.exitCode !== null || child.signalCode ? resolve(null) : child.once('close', resolve),
          ),
      ),
  );
});

describe.skipIf(process.platform !== 'linux')('nothing outlives its parent', () => {
  it("ends a worker stuck in a loop that never yields within 1 s of its parent's SIGKILL", async () => {
    const entry = join(projectRoot, 'electron/worker/parent-watch.test-entry.ts');
    const parentScript = `
      const { fork } = require('node:child_process');
      const child = fork(${JSON.stringify(entry)}, [], { execArgv: ${JSON.stringify(TSX)}, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => process.stdout.write(JSON.stringify(m) + '\\n'));`;
    const parent = start(process.execPath, ['-e', parentScript]);
    const spinner = await until('the worker to spin', () => /"spinning":(\d+)/.exec(parent.output())?.[1]);
    const pid = Number(spinner);
    seen.add(pid);
    await sleep(300); // well inside the loop
    expect(running(pid)).toBe(true);
    process.kill(parent.pid, 'SIGKILL');
    expect(await survivors([pid], 1000)).toEqual([]);
  });

  it('ends the browser host’s workers within 1 s of a SIGKILL to the host', async () => {
    const host = start(process.execPath, [...TSX, 'electron/host/serve.ts', '--pool', '2', '--port', '0']);
    await until('the host to listen', () => host.output().includes('Poolscope is running at'));
    const workers = await until('two workers', () => {
      const found = workersBelow(host.pid);
      return found.length === 2 && found;
    });
    const everything = descendants(host.pid).map((p) => p.pid);
    process.kill(host.pid, 'SIGKILL');
    expect(await survivors(everything, 1000)).toEqual([]);
    expect(workers).toHaveLength(2);
  });

  it('ends the CLI’s workers within 1 s of a SIGKILL to the CLI, even inside a task that never yields', async () => {
    const args = ['run', '--workload', 'hang', '--tasks', '2', '--pool', '2', '--fault-every', '1'];
    const cli = start(process.execPath, [...TSX, 'electron/host/cli.ts', ...args]);
    await until('two workers', () => workersBelow(cli.pid).length === 2);
    await sleep(500); // both inside their hanging task
    const everything = descendants(cli.pid).map((p) => p.pid);
    process.kill(cli.pid, 'SIGKILL');
    expect(await survivors(everything, 1000)).toEqual([]);
  });

  it.each([
    ['SIGTERM to npm', 'SIGTERM', 'npm'],
    ['SIGKILL to npm', 'SIGKILL', 'npm'],
    ['SIGINT to its process group (Ctrl-C)', 'SIGINT', 'group'],
  ] as const)('npm run serve, %s: the host and its workers are gone within 2 s', async (_what, signal, target) => {
    // Detached: its own process group, as a terminal gives it, so the group signal reaches nothing else.
    const npm = start('npm', ['run', '--silent', 'serve', '--', '--pool', '2', '--port', '0'], true);
    await until('the host to listen', () => npm.output().includes('Poolscope is running at'), 30_000);
    await until('two workers', () => workersBelow(npm.pid).length === 2);
    const everything = descendants(npm.pid).map((p) => p.pid);
    process.kill(target === 'group' ? -npm.pid : npm.pid, signal);
    expect(await survivors(everything, 2000)).toEqual([]);
  });
});
