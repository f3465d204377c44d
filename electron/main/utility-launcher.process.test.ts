/**
 * The utility launcher under a real Pool and real worker processes. Electron is
 * not available here, so `utilityProcess.fork` is played by child_process.fork
 * with Electron's documented quirks: `exit` says 0 after kill(), the pid is
 * undefined after `exit`, both pipes are stripped of their listeners right after
 * it, and `child-process-gone` follows a crash a little later, naming the process.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { PoolEvent } from '../../shared/protocol';
import { makeRunSpec } from '../../shared/run-spec';
import { Pool } from '../engine/pool';
import { workerEntryPath } from '../host/build';
import { closeWithin } from './shutdown';
import { createUtilityLauncher, type ForkUtility, type OnChildGone, type UtilityChild } from './utility-launcher';

type GoneListener = Parameters<OnChildGone>[0];

function electronLikeFork(gone: () => GoneListener): ForkUtility {
  return (entry, args, options) => {
    const child = fork(entry, args, {
      env: options.env as NodeJS.ProcessEnv,
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.on('error', () => {});
    const events = new EventEmitter();
    let killed = false;
    let exited = false;
    child.on('message', (message) => events.emit('message', message));
    child.once('spawn', () => events.emit('spawn'));
    child.on('exit', (code, signal) => {
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      exited = true;
      try {
        events.emit('exit', killed ? 0 : status);
      } finally {
        child.stdout?.removeAllListeners();
        child.stderr?.removeAllListeners();
      }
      if (!killed && signal)
        setTimeout(
          () => gone()({ type: 'Utility', name: options.serviceName, reason: 'killed', exitCode: status }),
          20,
        );
    });
    const utility: UtilityChild = {
      get pid() {
        return exited ? undefined : child.pid;
      },
      get stdout() {
        return exited ? null : child.stdout;
      },
      get stderr() {
        return exited ? null : child.stderr;
      },
      postMessage: (message) => {
        if (child.connected) child.send(message as never, () => {});
      },
      kill: () => {
        if (child.pid === undefined || exited) return false;
        killed = true;
        return child.kill('SIGTERM');
      },
      on: events.on.bind(events),
      once: events.once.bind(events),
    };
    return utility;
  };
}

function setup(poolSize: number) {
  let goneListener: GoneListener = () => {};
  const launcher = createUtilityLauncher(
    electronLikeFork(() => goneListener),
    (listener) => (goneListener = listener),
  );
  const pool = new Pool({ launcher, workerEntry: workerEntryPath, poolSize });
  const events: PoolEvent[] = [];
  pool.onFrame((frame) => events.push(...frame.events));
  pools.push(pool);
  return { pool, launcher, events };
}

const exits = (events: PoolEvent[]) => events.filter((e) => e.type === 'worker-exited');
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close(200)));
});

describe('utility launcher under a real pool', () => {
  it('runs a workload to completion', async () => {
    const { pool } = setup(2);
    await pool.ready();
    const { finished } = pool.start(makeRunSpec({ workload: 'square', tasks: 20, poolSize: 2 }, 2));
    const result = await finished;
    expect(result.status).toBe('completed');
    expect([...result.values]).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
  });

  it("reports workers it killed as killed, not as clean exits, despite Electron's exit code 0", async () => {
    const { pool, events } = setup(2);
    await pool.ready();
    const { finished } = pool.start(makeRunSpec({ workload: 'cpu', tasks: 40, costMs: 200, poolSize: 2 }, 2));
    await expect.poll(() => pool.workerPids().length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    pool.cancel('kill');
    expect((await finished).status).toBe('cancelled');
    await expect.poll(() => exits(events).length).toBe(2);
    for (const exit of exits(events)) expect(exit).toMatchObject({ cause: 'cancelled', code: null, signal: 'SIGTERM' });
  });

  it('sees a worker killed from outside as a crash, fails only its task, and replaces it', async () => {
    const { pool, events } = setup(2);
    await pool.ready();
    const { finished } = pool.start(makeRunSpec({ workload: 'cpu', tasks: 20, costMs: 100, poolSize: 2 }, 2));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const [victim] = pool.workerPids();
    process.kill(victim.pid, 'SIGKILL');
    const result = await finished;
    expect(result.status).toBe('completed');
    expect(result.counts.failed).toBe(1);
    expect(result.counts.done).toBe(19);
    expect(exits(events)).toEqual([expect.objectContaining({ worker: victim.worker, cause: 'crashed' })]);
    // Electron forgets the pid at exit; the message names the process that died all the same.
    const failed = events.find((e) => e.type === 'task-failed');
    expect(failed).toMatchObject({ message: expect.stringContaining(`(pid ${victim.pid})`) });
    expect(pool.workerPids()).toHaveLength(2);
  });

  it('leaves no worker alive within the quit deadline, even busy ones', async () => {
    const { pool, launcher } = setup(2);
    await pool.ready();
    pool.start(makeRunSpec({ workload: 'cpu', tasks: 100, costMs: 1000, poolSize: 2 }, 2));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pids = launcher.livePids();
    expect(pids).toHaveLength(2);
    const startedAt = Date.now();
    await closeWithin(
      (graceMs) => pool.close(graceMs),
      () => launcher.forceKillAll(),
      { graceMs: 500, deadlineMs: 1500 },
    );
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(launcher.livePids()).toEqual([]);
  });
});
