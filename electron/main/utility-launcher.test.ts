import { EventEmitter } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildExit, ChildHandle } from '../engine/launcher';
import type { GoneDetails } from './exit-ledger';
import {
  createUtilityLauncher,
  describeUtilityError,
  type ForkUtility,
  type OnChildGone,
  type UtilityChild,
} from './utility-launcher';

/**
 * Stands in for Electron 45's UtilityProcess (lib/browser/api/utility-process.ts
 * and electron_api_utility_process.cc): no pid before `spawn` or after `exit`,
 * kill() a no-op returning false before spawn, and both pipes stripped of every
 * listener and dropped right after `exit` is emitted.
 */
class FakeChild extends EventEmitter implements UtilityChild {
  private handlePid: number | undefined = undefined;
  private exited = false;
  stdout: PassThrough | null = new PassThrough();
  stderr: PassThrough | null = new PassThrough();
  readonly posted: unknown[] = [];
  killCalls = 0;

  get pid(): number | undefined {
    return this.handlePid;
  }

  postMessage(message: unknown): void {
    if (!this.exited) this.posted.push(message);
  }

  kill(): boolean {
    if (this.handlePid === undefined) return false;
    this.killCalls++;
    return true;
  }

  spawn(pid: number): void {
    this.handlePid = pid;
    this.emit('spawn');
  }

  /** Electron's `exit`: emitted, then the pipes are stripped and dropped, the pid forgotten. */
  die(code: number): void {
    this.exited = true;
    this.handlePid = undefined;
    try {
      this.emit('exit', code);
    } finally {
      this.stdout?.removeAllListeners();
      this.stderr?.removeAllListeners();
      this.stdout = null;
      this.stderr = null;
    }
  }
}

type GoneListener = Parameters<OnChildGone>[0];

/** What the engine's WorkerProcess does with a handle's pipes: lines, and the last partial line at 'end'. */
function readLines(stream: Readable | null): string[] {
  const lines: string[] = [];
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  stream?.on('end', () => {
    if (partial) lines.push(partial);
  });
  return lines;
}

/** Lets process.nextTick, microtasks and I/O callbacks run, with setTimeout faked. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('createUtilityLauncher', () => {
  let children: FakeChild[];
  let forks: Parameters<ForkUtility>[];
  let gone: GoneListener;

  const launcher = (fork?: ForkUtility) =>
    createUtilityLauncher(
      fork ??
        ((entry, args, options) => {
          forks.push([entry, args, options]);
          const child = new FakeChild();
          children.push(child);
          return child;
        }),
      (listener) => (gone = listener),
    );
  const launchOne = (l = launcher(), name = 'poolscope-worker-1') => l.launch({ entry: 'w.cjs', name, env: {} });

  const exitOf = (handle: ChildHandle) => new Promise<ChildExit>((resolve) => handle.onExit(resolve));
  /** The exit if it has been reported by now, else null. */
  const exitSoFar = (handle: ChildHandle) => {
    let exit: ChildExit | null = null;
    handle.onExit((e) => (exit = e));
    return () => exit;
  };

  beforeEach(() => {
    children = [];
    forks = [];
    // Only timers are faked: streams and promises run for real, so a test sees any wait on a timer.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  it('forks with the service name, piped stdio and the given environment', () => {
    launcher().launch({ entry: '/app/out/main/worker.cjs', name: 'poolscope-worker-3', env: { PATH: '/bin' } });
    expect(forks).toEqual([
      ['/app/out/main/worker.cjs', [], { serviceName: 'poolscope-worker-3', stdio: 'pipe', env: { PATH: '/bin' } }],
    ]);
  });

  it('relays messages both ways', () => {
    const handle = launchOne();
    const received: unknown[] = [];
    handle.onMessage((message) => received.push(message));
    children[0].emit('message', { t: 'ready', pid: 4242 });
    handle.postMessage({ t: 'stop' });
    expect(received).toEqual([{ t: 'ready', pid: 4242 }]);
    expect(children[0].posted).toEqual([{ t: 'stop' }]);
  });

  it('passes on the output up to exit, a last line without a newline too, and reports the exit without waiting', async () => {
    const handle = launchOne();
    const out = readLines(handle.stdout);
    const err = readLines(handle.stderr);
    const exit = exitSoFar(handle);
    children[0].spawn(4242);
    children[0].stdout?.write('printed\n');
    await settle();
    // The crash trace's last line, still in the pipe's buffer when Electron emits exit.
    children[0].stderr?.write('Error: boom\n    at worker.cjs:1');
    children[0].die(1);
    await settle();
    expect(out).toEqual(['printed']);
    expect(err).toEqual(['Error: boom', '    at worker.cjs:1']);
    // Electron's gone event never came: the exit waits only for that, never for the pipes to close.
    expect(exit()).toBeNull();
    gone({ type: 'Utility', name: 'poolscope-worker-1', reason: 'crashed', exitCode: 1 });
    expect(exit()).toEqual({ code: 1, signal: null, reason: 'crashed' });
  });

  it('reports a clean exit at once, after the output', async () => {
    const handle = launchOne();
    const out = readLines(handle.stdout);
    const order: string[] = [];
    handle.stdout?.on('end', () => order.push('end'));
    handle.onExit(() => order.push(`exit with ${out.join(',')}`));
    children[0].spawn(1);
    children[0].stdout?.write('last');
    children[0].die(0);
    await settle();
    expect(order).toEqual(['end', 'exit with last']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the pid from spawn after Electron forgets it at exit', async () => {
    const handle = launchOne();
    expect(handle.pid).toBeUndefined();
    children[0].spawn(4242);
    expect(handle.pid).toBe(4242);
    const exit = exitOf(handle);
    children[0].die(0);
    await exit;
    expect(children[0].pid).toBeUndefined();
    expect(handle.pid).toBe(4242);
  });

  it('remembers what it killed: exit code 0 after kill() is reported as a kill', async () => {
    const handle = launchOne();
    children[0].spawn(7);
    const exit = exitOf(handle);
    handle.kill();
    children[0].die(0);
    expect(children[0].killCalls).toBe(1);
    expect(await exit).toMatchObject({ code: null, reason: 'killed' });
  });

  it('kills on spawn a process it was asked to kill before it spawned', async () => {
    const handle = launchOne();
    const exit = exitOf(handle);
    handle.kill();
    expect(children[0].killCalls).toBe(0);
    children[0].spawn(7);
    expect(children[0].killCalls).toBe(1);
    children[0].die(0);
    expect(await exit).toMatchObject({ code: null, reason: 'killed' });
  });

  it('gives up on a process that was asked to die and never spawns, and still kills it should it spawn later', async () => {
    const handle = launchOne();
    const exit = exitSoFar(handle);
    handle.kill();
    vi.advanceTimersByTime(999);
    expect(exit()).toBeNull();
    vi.advanceTimersByTime(1);
    await settle();
    expect(exit()).toEqual({ code: null, signal: null, reason: 'not-launched' });
    children[0].spawn(7);
    expect(children[0].killCalls).toBe(1);
  });

  it("listens for the child's error event and reports its words as the exit's reason", async () => {
    const handle = launchOne();
    children[0].spawn(7);
    const exit = exitOf(handle);
    const report = JSON.stringify({ header: { event: 'Allocation failed - JavaScript heap out of memory' } });
    // Unheard, an 'error' event throws: in Electron's main process, its error dialog.
    expect(() => children[0].emit('error', 'FatalError', 'Reached heap limit', report)).not.toThrow();
    children[0].die(133);
    expect(await exit).toEqual({
      code: 133,
      signal: null,
      reason: 'V8 fatal error: Allocation failed - JavaScript heap out of memory (Reached heap limit)',
    });
  });

  it('turns a fork that throws into an exit with its reason', async () => {
    const handle = launchOne(
      launcher(() => {
        throw new Error('Failed to create null handle for ignoring stdio');
      }),
    );
    expect(handle.pid).toBeUndefined();
    expect(await exitOf(handle)).toEqual({
      code: null,
      signal: null,
      reason: 'Failed to create null handle for ignoring stdio',
    });
  });

  it('takes a crash reason from child-process-gone, matched by name', async () => {
    const l = launcher();
    const one = launchOne(l, 'poolscope-worker-1');
    const two = launchOne(l, 'poolscope-worker-2');
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

  it('fires onExit once, for every listener', async () => {
    const handle = launchOne();
    const calls: string[] = [];
    handle.onExit(() => calls.push('a'));
    handle.onExit(() => calls.push('b'));
    children[0].die(0);
    await settle();
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not kill a process that is already gone', async () => {
    const handle = launchOne();
    children[0].spawn(7);
    const exit = exitOf(handle);
    children[0].die(0);
    handle.kill();
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(children[0].killCalls).toBe(0);
  });

  it('keeps service names unique if a name is reused while its process lives', () => {
    const l = launcher();
    launchOne(l);
    launchOne(l);
    expect(forks.map(([, , options]) => options.serviceName)).toEqual(['poolscope-worker-1', 'poolscope-worker-1#1']);
  });

  it('lists live pids and force-kills them at quit, and the unspawned ones when they spawn', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const l = launcher();
      launchOne(l, 'poolscope-worker-1');
      launchOne(l, 'poolscope-worker-2');
      children[0].spawn(101);
      expect(l.livePids()).toEqual([101]); // the second has not spawned yet
      l.forceKillAll();
      expect(kill).toHaveBeenCalledWith(101, 'SIGKILL');
      expect(kill).toHaveBeenCalledTimes(1);
      children[1].spawn(102);
      expect(kill).toHaveBeenCalledWith(102, 'SIGKILL');
    } finally {
      kill.mockRestore();
    }
  });
});

describe('describeUtilityError', () => {
  it("names a V8 fatal error by its report's event and location", () => {
    const report = JSON.stringify({ header: { event: 'Invalid array length', trigger: 'x' } });
    expect(describeUtilityError('FatalError', 'v8::internal::Runtime', report)).toBe(
      'V8 fatal error: Invalid array length (v8::internal::Runtime)',
    );
  });

  it('copes with a report that is not JSON and with other error types', () => {
    expect(describeUtilityError('FatalError', 'somewhere', 'garbage')).toBe('V8 fatal error: no details (somewhere)');
    expect(describeUtilityError('Other', '', '')).toBe('Other');
  });
});
