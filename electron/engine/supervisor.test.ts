import { describe, expect, it } from 'vitest';
import { COALESCE_MS, Supervisor, type SupervisorEvents } from './supervisor';
import { FakeLauncher, FakeTimers, type FakeChild } from './testing';
import type { WorkerProcess } from './worker-process';

const noop = () => {};

function open(size: number) {
  const timers = new FakeTimers();
  const launcher = new FakeLauncher();
  const exits: string[] = [];
  const broken: string[] = [];
  const events: SupervisorEvents = {
    spawned: noop,
    ready: noop,
    report: noop,
    returned: noop,
    timedOut: noop,
    output: noop,
    exited: (_w, exit) => exits.push(exit.cause),
    broken: (reason) => broken.push(reason),
  };
  const supervisor = new Supervisor(
    { workerEntry: 'worker.cjs', readyTimeoutMs: 10_000, startupRetries: 2, timers },
    launcher,
    size,
    events,
  );
  /** The worker of a child. */
  const workerOf = (child: FakeChild) =>
    [...supervisor.workers.values()].find((w) => w.pid === child.pid) as WorkerProcess;
  /** Makes every starting child ready, then gives each ready worker `tasks` tasks of a run. */
  const readyAll = (tasks = 0) => {
    for (const child of launcher.alive) if (workerOf(child)?.state === 'starting') child.ready(timers.now());
    for (const worker of supervisor.workers.values()) {
      if (worker.state !== 'ready' || tasks === 0 || worker.pending > 0) continue;
      worker.joinRun({ t: 'run', runId: 1, spec: {} as never, itersPerMs: 1, trace: true });
      worker.take(worker.id * 100, tasks, timers.now());
      worker.flush();
    }
  };
  /** Answers retires (giving back everything held) and exits stopped children, as worker processes would. */
  const settle = async (answerRetires = true) => {
    await Promise.resolve();
    for (const child of launcher.children) {
      const worker = workerOf(child);
      if (!worker) continue;
      if (answerRetires && child.sent.some((m) => m.t === 'retire') && worker.retiring)
        child.say({ t: 'returned', runId: 1, ranges: child.chunks().flat() });
      if (child.sent.some((m) => m.t === 'stop') && worker.state === 'exiting') child.exit(0);
    }
    await Promise.resolve();
  };
  return { supervisor, timers, launcher, exits, broken, readyAll, workerOf, settle };
}

describe('Supervisor', () => {
  it('shrinks by letting idle workers go at once and retiring busy ones after their current task', async () => {
    const { supervisor, launcher, readyAll, workerOf, timers, settle } = open(4);
    readyAll();
    const [a, b] = launcher.alive;
    workerOf(a).joinRun({ t: 'run', runId: 1, spec: {} as never, itersPerMs: 1, trace: true });
    workerOf(a).take(0, 5, 0);
    workerOf(b).joinRun({ t: 'run', runId: 1, spec: {} as never, itersPerMs: 1, trace: true });
    workerOf(b).take(5, 5, 0);
    timers.advance(COALESCE_MS);
    supervisor.resize(1);
    timers.advance(0);
    await settle();
    // Two idle ones stop; of the busy ones, one is retired: it finishes its task and gives back the rest.
    const retire = launcher.children.filter((c) => c.sent.some((m) => m.t === 'retire'));
    expect(retire).toHaveLength(1);
    expect(supervisor.active).toHaveLength(1);
    expect(launcher.alive).toHaveLength(2);
  });

  it('takes back a worker being retired when the size comes back up, instead of spawning', async () => {
    const { supervisor, launcher, readyAll, workerOf, timers, settle } = open(2);
    readyAll(10);
    timers.advance(COALESCE_MS);
    supervisor.resize(1);
    timers.advance(0);
    await settle(false);
    const retired = launcher.children.find((c) => c.sent.some((m) => m.t === 'retire'))!;
    const worker = workerOf(retired);
    timers.advance(COALESCE_MS);
    supervisor.resize(2);
    timers.advance(0);
    expect(launcher.children).toHaveLength(2);
    expect(supervisor.active).toHaveLength(2);
    // Its answer to the retire may be on its way: until it arrives, nothing more is sent to it.
    expect(worker.canWork(1)).toBe(false);
    await settle();
    expect(worker.pending).toBe(0);
    expect(worker.canWork(1)).toBe(true);
    expect(retired.sent.some((m) => m.t === 'stop')).toBe(false);
  });

  it('keeps workers that are still starting over busy ones when it must shrink', async () => {
    const { supervisor, launcher, readyAll, workerOf, timers, settle } = open(2);
    readyAll(10);
    timers.advance(COALESCE_MS);
    supervisor.resize(4); // two more start
    timers.advance(0);
    timers.advance(COALESCE_MS);
    supervisor.resize(2);
    timers.advance(0);
    await settle(false);
    const starting = launcher.children.slice(2);
    expect(starting.every((c) => !c.killed)).toBe(true);
    expect(launcher.children.slice(0, 2).every((c) => workerOf(c).retiring)).toBe(true);
  });

  it('coalesces a storm of resizes: a thousand in a second leave the final size and few processes', async () => {
    const { supervisor, launcher, readyAll, timers, settle } = open(2);
    readyAll(50);
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      supervisor.resize(1 + (i % 8));
      timers.advance(1);
      if (i % 10 === 0) {
        readyAll(50);
        await settle();
      }
      // Beyond what the slider asked for, only workers finishing their current task may be alive.
      const finishing = [...supervisor.workers.values()].filter((w) => w.retiring).length;
      most = Math.max(most, launcher.alive.length - finishing);
    }
    supervisor.resize(3);
    timers.advance(COALESCE_MS);
    await settle();
    await settle();
    readyAll();
    expect(supervisor.active).toHaveLength(3);
    expect(launcher.alive).toHaveLength(3);
    expect(most).toBeLessThanOrEqual(8);
    // Coalesced: some tens of reconciles, not a thousand, and few processes ever started.
    expect(launcher.children.length).toBeLessThan(60);
  });

  it('backs off after a failed start, gives up after the retries, and says why', async () => {
    const { launcher, timers, broken } = open(1);
    launcher.children[0].exit(3);
    expect(launcher.children).toHaveLength(1);
    timers.advance(50);
    expect(launcher.children).toHaveLength(2);
    launcher.children[1].exit(3);
    timers.advance(100);
    launcher.children[2].exit(3);
    timers.advance(1000);
    expect(launcher.children).toHaveLength(3);
    expect(broken[0]).toMatch(/fail to start \(3 attempts; the last: it exited with code 3\)/);
  });

  it('never spawns once closing, whatever exits', async () => {
    const { supervisor, launcher, readyAll, settle } = open(3);
    readyAll();
    supervisor.closeAll(1000);
    launcher.children[0].exit(1);
    await settle();
    expect(launcher.children).toHaveLength(3);
  });
});
