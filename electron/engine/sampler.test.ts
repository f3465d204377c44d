import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseMachineStat, parseMigrations, parseRss, parseSchedstat, ProcSampler } from './sampler';

describe('/proc parsers', () => {
  it('reads scheduler nanoseconds and migrations', () => {
    expect(parseSchedstat('123456789 5000000 42\n')).toEqual({ cpuNs: 123456789, waitNs: 5000000 });
    expect(parseSchedstat('nonsense')).toBeNull();
    expect(parseMigrations('se.sum_exec_runtime : 1.0\nse.nr_migrations   :   17\n')).toBe(17);
    expect(parseMigrations('policy : 0\n')).toBeNull();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRss('Name:\tnode\nVmRSS:\t   51200 kB\n')).toBe(51200 * 1024);
    expect(parseRss('Name:\tnode\n')).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('ProcSampler', () => {
  it('samples this very process and skips pids that do not exist', async () => {
    const sampler = new ProcSampler();
    await sampler.sample([{ worker: 1, pid: process.pid }]);
    // Burn 60 ms of CPU (not of wall time: a loaded machine may give us little of it) so the second sample sees some.
    const from = process.cpuUsage();
    while (process.cpuUsage(from).user < 60_000);
    const [sample, ...rest] = await sampler.sample([
      { worker: 1, pid: process.pid },
      { worker: 2, pid: 2 ** 22 + 12345 },
    ]);
    expect(rest).toEqual([]);
    expect(sample.worker).toBe(1);
    expect(sample.cpu).toBeGreaterThan(5);
    expect(sample.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample.core).toBeGreaterThanOrEqual(0);
    // Its main thread waits in the event loop while the reads of /proc run on libuv's threads.
    expect(['running', 'sleeping']).toContain(sample.state);
    expect(sample.waitingPct).toBeGreaterThanOrEqual(0);
    expect(sample.migrations).toBeGreaterThanOrEqual(0);
    expect(sample.migrationsFrom).toBe('scheduler');
  });

  it('reads a busy process as running and an idle one as sleeping', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const sampled = await new ProcSampler().sample([
        { worker: 1, pid: busy.pid! },
        { worker: 2, pid: idle.pid! },
      ]);
      // Runnable counts as running: on a loaded machine the busy one may be waiting for a core.
      expect(sampled.map((s) => [s.worker, s.state])).toEqual([
        [1, 'running'],
        [2, 'sleeping'],
      ]);
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });
});

describe.runIf(process.platform === 'linux')('ProcSampler.machine', () => {
  it('says nothing of the rest of the machine until every worker has a baseline and the interval is long enough', async () => {
    const sampler = new ProcSampler();
    const self = [{ worker: 1, pid: process.pid }];
    await sampler.sample(self);
    expect((await sampler.machine(0)).othersCpu).toBeNull(); // no baseline for the machine yet
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sampler.sample(self);
    const measured = (await sampler.machine(0)).othersCpu;
    expect(measured).not.toBeNull();
    // Never more than the machine has, whatever the ticks' rounding; and each CPU between idle and busy.
    expect(measured!).toBeLessThanOrEqual(100 * availableParallelism());
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sampler.sample(self);
    const { coresBusy } = await sampler.machine(0);
    expect(coresBusy).toHaveLength(availableParallelism());
    expect(coresBusy!.every((busy) => busy >= 0 && busy <= 100)).toBe(true);
    // Right after: too short an interval to tell.
    await sampler.sample(self);
    expect((await sampler.machine(0)).othersCpu).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A worker seen for the first time has no CPU figure yet, so neither has the rest of the machine.
    await sampler.sample([...self, { worker: 2, pid: process.ppid }]);
    expect((await sampler.machine(0)).othersCpu).toBeNull();
  });
});

describe('parseMachineStat', () => {
  it('counts busy ticks as all but idle and iowait', () => {
    expect(parseMachineStat('cpu  100 5 50 800 40 0 5 0 0 0\ncpu0 1 2 3 4\ncpu1 5 6 7 8 1\nintr 1\n')).toEqual({
      busy: 160,
      cpus: 2,
      busyByCpu: [6, 18],
    });
    expect(parseMachineStat('intr 1 2 3')).toBeNull();
  });
});
