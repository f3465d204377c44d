import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildExit } from '../engine/launcher';
import type { GoneDetails } from './exit-ledger';
import { createUtilityLauncher, type ForkUtility, type OnChildGone, type UtilityChild } from './utility-launcher';

/** Stands in for Electron's UtilityProcess. */
class FakeChild extends EventEmitter implements UtilityChild {
  pid: number | undefined = undefined;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  killCalls = 0;

  postMessage(message: unknown): void {
    this.posted.push(message);
  }

  kill(): boolean {
    this.killCalls++;
    return true;
  }

  /** The process ends: pipes close, then Electron emits exit with `code`. */
  die(code: number): void {
    this.stdout.end();
    this.stderr.end();
    this.stdout.resume();
    this.stderr.resume();
    this.emit('exit', code);
  }
}

type GoneListener = Parameters<OnChildGone>[0];

describe('createUtilityLauncher', () => {
  let children: FakeChild[];
  let forks: Parameters<ForkUtility>[];
  let gone: GoneListener;

  const launcher = () =>
    createUtilityLauncher(
      (entry, args, options) => {
        forks.push([entry, args, options]);
        const child = new FakeChild();
        children.push(child);
        return child;
      },
      (listener) => (gone = listener),
    );

  const exitOf = (handle: { onExit(listener: (exit: ChildExit) => void): void }) =>
    new Promise<ChildExit>((resolve) => handle.onExit(resolve));

  beforeEach(() => {
    children = [];
    forks = [];
  });
  afterEach(() => vi.useRealTimers());

  it('forks with the service name, piped stdio and the given environment', () => {
    const handle = launcher().launch({
      entry: '/app/out/main/worker.cjs',
      name: 'poolscope-worker-3',
      env: { PATH: '/bin' },
    });
    expect(forks).toEqual([
      ['/app/out/main/worker.cjs', [], { serviceName: 'poolscope-worker-3', stdio: 'pipe', env: { PATH: '/bin' } }],
    ]);
    expect(handle.stdout).toBe(children[0].stdout);
    expect(handle.stderr).toBe(children[0].stderr);
  });

  it('learns the pid once spawned and relays messages both ways', () => {
    const handle = launcher().launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    expect(handle.pid).toBeUndefined();
    children[0].pid = 4242;
    expect(handle.pid).toBe(4242);
    const received: unknown[] = [];
    handle.onMessage((message) => received.push(message));
    children[0].emit('message', { t: 'ready', pid: 4242 });
    handle.postMessage({ t: 'stop' });
    expect(received).toEqual([{ t: 'ready', pid: 4242 }]);
    expect(children[0].posted).toEqual([{ t: 'stop' }]);
  });

  it('remembers what it killed: exit code 0 after kill() is reported as a kill', async () => {
    const handle = launcher().launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    const exit = exitOf(handle);
    handle.kill();
    children[0].die(0);
    expect(children[0].killCalls).toBe(1);
    expect(await exit).toMatchObject({ code: null, reason: 'killed' });
  });

  it('takes a crash reason from child-process-gone, matched by name', async () => {
    const l = launcher();
    const one = l.launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    const two = l.launch({ entry: 'w.cjs', name: 'poolscope-worker-2', env: {} });
    const exitOne = exitOf(one);
    const exitTwo = exitOf(two);
    const details = (name: string, reason: string): GoneDetails & { type: string; name: string } => ({
      type: 'Utility',
      name,
      reason,
      exitCode: 11,
    });
    gone({ ...details('poolscope-worker-2', 'crashed'), type: 'GPU' }); // not ours
    gone(details('poolscope-worker-2', 'crashed'));
    children[1].die(139);
    children[0].die(0);
    expect(await exitTwo).toEqual({ code: 139, signal: null, reason: 'crashed' });
    expect(await exitOne).toEqual({ code: 0, signal: null });
  });

  it('fires onExit once, for every listener, after the pipes have closed', async () => {
    vi.useFakeTimers();
    const handle = launcher().launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    const calls: string[] = [];
    handle.onExit(() => calls.push('a'));
    handle.onExit(() => calls.push('b'));
    children[0].emit('exit', 0);
    expect(calls).toEqual([]); // stdout and stderr still open
    children[0].die(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not kill a process that is already gone', async () => {
    const handle = launcher().launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    const exit = exitOf(handle);
    children[0].die(0);
    await exit;
    handle.kill();
    expect(children[0].killCalls).toBe(0);
  });

  it('keeps service names unique if a name is reused while its process lives', () => {
    const l = launcher();
    l.launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    l.launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
    expect(forks.map(([, , options]) => options.serviceName)).toEqual(['poolscope-worker-1', 'poolscope-worker-1#1']);
  });

  it('lists live pids and force-kills them at quit', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const l = launcher();
      l.launch({ entry: 'w.cjs', name: 'poolscope-worker-1', env: {} });
      l.launch({ entry: 'w.cjs', name: 'poolscope-worker-2', env: {} });
      children[0].pid = 101;
      expect(l.livePids()).toEqual([101]); // the second has not spawned yet
      l.forceKillAll();
      expect(kill).toHaveBeenCalledWith(101, 'SIGKILL');
      expect(kill).toHaveBeenCalledTimes(1);
    } finally {
      kill.mockRestore();
    }
  });
});
