/**
 * The engine's Launcher over Electron's utilityProcess. Electron is injected (the
 * fork function and a subscription to `child-process-gone`), so this adapter is
 * tested with fakes; index.ts passes the real `utilityProcess.fork` and `app`.
 *
 * What Electron 45 does that shapes it (lib/browser/api/utility-process.ts,
 * shell/browser/api/electron_api_utility_process.cc): `pid` is known only from
 * `spawn` until `exit`; `kill()` before `spawn` returns false and does nothing;
 * right after emitting `exit` it removes every listener from `stdout`/`stderr`
 * and drops them, so they never end or close; a V8 fatal error in the child is
 * an `error` event, which throws in main if nobody listens.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ForkOptions } from 'electron';
import type { ChildExit, ChildHandle, Launcher } from '../engine/launcher';
import { spawnErrorReason } from '../engine/start-failure';
import { ExitLedger, type GoneDetails } from './exit-ledger';

/** The part of Electron's UtilityProcess this adapter uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export type ForkUtility = (modulePath: string, args: string[], options: ForkOptions) => UtilityChild;

/** `app.on('child-process-gone')`, narrowed to what is needed. */
export type OnChildGone = (listener: (details: GoneDetails & { type: string; name?: string }) => void) => void;

export interface UtilityLauncher extends Launcher {
  /** Pids of children that have spawned and not exited yet. */
  livePids(): number[];
  /** Last resort at quit: SIGKILL whatever is still alive (and whatever spawns after). */
  forceKillAll(): void;
}

/** Long enough for Electron's child-process-gone to follow `exit`, short enough for a respawn to feel instant. */
const GONE_WAIT_MS = 200;
/**
 * A process we asked to kill before it spawned is reported gone after this long
 * if it still has not spawned: Electron launches nothing, and says nothing, when
 * it cannot make the child's pipes (EMFILE). Should it spawn later, it is killed then.
 */
const UNSPAWNED_KILL_GIVE_UP_MS = 1000;

/**
 * The words for a utility process's `error` event. Electron sends the V8 fatal
 * error's location and a Node diagnostic report, whose header names the event
 * (`Allocation failed - JavaScript heap out of memory`).
 */
export function describeUtilityError(type: string, location: string, report: string): string {
  let event: unknown;
  try {
    event = (JSON.parse(report) as { header?: { event?: unknown } }).header?.event;
  } catch {
    // Not a report: the location alone.
  }
  const where = location ? ` (${location})` : '';
  return type === 'FatalError'
    ? `V8 fatal error: ${typeof event === 'string' && event ? event : 'no details'}${where}`
    : `${type}${where}`;
}

/**
 * Our own copy of one of the child's pipes, which the engine reads: Electron's
 * are stripped of their listeners at `exit`. `end()` passes on what Electron has
 * buffered and ends the copy; it resolves once the copy has closed, i.e. the
 * reader has had every line (including a last one without a newline).
 */
function relay(source: Readable | null): { stream: PassThrough | null; end(): Promise<void> } {
  if (!source) return { stream: null, end: async () => {} };
  const stream = new PassThrough();
  source.on('data', (chunk: Buffer | string) => stream.write(chunk));
  const closed = new Promise<void>((resolve) => stream.once('close', resolve));
  let ending: Promise<void> | null = null;
  return {
    stream,
    end: () => {
      if (ending) return ending;
      // Flowing, so read() hands each buffered chunk to the 'data' listener above.
      while (source.read() !== null);
      stream.end();
      // Nobody reading: 'close' never comes (as with Node's child_process), so do not wait for it.
      ending = stream.listenerCount('data') > 0 ? closed : Promise.resolve();
      return ending;
    },
  };
}

/**
 * Must be created after `app` is ready (utilityProcess.fork throws before).
 * Every child gets stdio 'pipe' (so its output reaches the console) and the
 * launch options' filtered environment, and its serviceName is the launch name
 * (`poolscope-worker-N`), which is how `child-process-gone` and
 * `app.getAppMetrics()` name it.
 */
export function createUtilityLauncher(fork: ForkUtility, onChildGone: OnChildGone): UtilityLauncher {
  const ledger = new ExitLedger({
    killSignal: process.platform === 'win32' ? null : 'SIGTERM',
    goneWaitMs: GONE_WAIT_MS,
  });
  /** Launched and not yet ended, with the pid each had at spawn (undefined before). */
  const live = new Map<string, { pid: number | undefined; forceKill: () => void }>();
  let launches = 0;

  onChildGone((details) => {
    // Electron reports the serviceName fork option as `name` (details.serviceName is its own 'node.mojom.NodeService').
    if (details.type === 'Utility' && details.name !== undefined) ledger.gone(details.name, details);
  });

  const launch = ({ entry, name: requested, env }: Parameters<Launcher['launch']>[0]): ChildHandle => {
    // The engine's names are unique per pool; a counter keeps them unique per app.
    const name = live.has(requested) || ledger.isTracked(requested) ? `${requested}#${++launches}` : requested;
    const exitListeners: ((exit: ChildExit) => void)[] = [];
    let child: UtilityChild;
    try {
      child = fork(entry, [], { serviceName: name, stdio: 'pipe', env });
    } catch (error) {
      // Bad options, or Electron's own "Failed to create null handle" thrown from the constructor.
      const reason = spawnErrorReason(error as Error);
      setImmediate(() => {
        for (const listener of exitListeners) listener({ code: null, signal: null, reason });
      });
      return {
        pid: undefined,
        stdout: null,
        stderr: null,
        postMessage: () => {},
        onMessage: () => {},
        onExit: (listener) => void exitListeners.push(listener),
        kill: () => {},
      };
    }

    const stdout = relay(child.stdout as Readable | null);
    const stderr = relay(child.stderr as Readable | null);
    const record = { pid: undefined as number | undefined, forceKill: () => {} };
    let ended = false;
    /** 'SIGTERM' through Electron's kill(), 'SIGKILL' for forceKillAll; null while nobody asked. */
    let killWanted: 'SIGTERM' | 'SIGKILL' | null = null;
    let giveUp: ReturnType<typeof setTimeout> | null = null;
    const killNow = (): void => {
      if (killWanted === 'SIGKILL' && record.pid !== undefined) {
        try {
          process.kill(record.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      } else child.kill();
    };
    const requestKill = (how: 'SIGTERM' | 'SIGKILL'): void => {
      if (ended) return;
      ledger.killed(name);
      if (killWanted !== 'SIGKILL') killWanted = how;
      if (record.pid !== undefined) return killNow();
      // Electron's kill() does nothing before spawn: kill when it spawns, or give up on it.
      giveUp ??= setTimeout(() => ledger.abandoned(name), UNSPAWNED_KILL_GIVE_UP_MS);
    };
    record.forceKill = () => requestKill('SIGKILL');
    live.set(name, record);

    ledger.track(name, (exit) => {
      ended = true;
      if (giveUp) clearTimeout(giveUp);
      live.delete(name);
      // Launch-failed and abandoned processes never emit exit: end the copies here too.
      void stdout.end();
      void stderr.end();
      for (const listener of exitListeners) listener(exit);
    });
    child.once('spawn', () => {
      // Electron forgets the pid at exit; the crash message still needs it.
      record.pid = child.pid;
      if (giveUp) clearTimeout(giveUp);
      if (killWanted) killNow();
    });
    // Without a listener, a V8 fatal error in the worker would throw in main. Its exit follows.
    child.on('error', (type, location, report) => ledger.failed(name, describeUtilityError(type, location, report)));
    child.once('exit', (code) => {
      ended = true;
      live.delete(name);
      // Electron strips both pipes right after this: what they hold now is all there is.
      void Promise.all([stdout.end(), stderr.end()]).then(() => ledger.exited(name, code));
    });

    return {
      get pid() {
        return record.pid;
      },
      stdout: stdout.stream,
      stderr: stderr.stream,
      // Electron drops messages to a dead child silently; nothing to guard.
      postMessage: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void exitListeners.push(listener),
      kill: () => requestKill('SIGTERM'),
    };
  };

  return {
    launch,
    livePids: () => [...live.values()].flatMap((record) => (record.pid === undefined ? [] : [record.pid])),
    forceKillAll: () => {
      for (const record of live.values()) record.forceKill();
    },
  };
}
