/**
 * The engine's Launcher over Electron's utilityProcess. Electron is injected (the
 * fork function and a subscription to `child-process-gone`), so this adapter is
 * tested with fakes; index.ts passes the real `utilityProcess.fork` and `app`.
 */
import type { Readable } from 'node:stream';
import type { ForkOptions } from 'electron';
import type { ChildExit, ChildHandle, Launcher } from '../engine/launcher';
import { ExitLedger, type GoneDetails } from './exit-ledger';

/** The part of Electron's UtilityProcess this adapter uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
}

export type ForkUtility = (modulePath: string, args: string[], options: ForkOptions) => UtilityChild;

/** `app.on('child-process-gone')`, narrowed to what is needed. */
export type OnChildGone = (listener: (details: GoneDetails & { type: string; name?: string }) => void) => void;

export interface UtilityLauncher extends Launcher {
  /** Pids of children that have not exited yet. */
  livePids(): number[];
  /** Last resort at quit: SIGKILL whatever is still alive. */
  forceKillAll(): void;
}

/** Long enough for Electron's child-process-gone to follow `exit`, short enough for a respawn to feel instant. */
const GONE_WAIT_MS = 200;

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
  const live = new Map<string, UtilityChild>();
  let launches = 0;

  onChildGone((details) => {
    // Electron reports the serviceName fork option as `name` (details.serviceName is its own 'node.mojom.NodeService').
    if (details.type === 'Utility' && details.name !== undefined) ledger.gone(details.name, details);
  });

  return {
    launch({ entry, name: requested, env }): ChildHandle {
      // The engine's names are unique per pool; a counter keeps them unique per app.
      const name = live.has(requested) || ledger.isTracked(requested) ? `${requested}#${++launches}` : requested;
      const child = fork(entry, [], { serviceName: name, stdio: 'pipe', env });
      const stdout = child.stdout as Readable | null;
      const stderr = child.stderr as Readable | null;
      const exitListeners: ((exit: ChildExit) => void)[] = [];
      live.set(name, child);
      ledger.track(name, Number(stdout !== null) + Number(stderr !== null), (exit) => {
        live.delete(name);
        for (const listener of exitListeners) listener(exit);
      });
      for (const stream of [stdout, stderr]) stream?.once('close', () => ledger.streamClosed(name));
      child.once('exit', (code) => ledger.exited(name, code));
      return {
        get pid() {
          return child.pid;
        },
        stdout,
        stderr,
        // Electron drops messages to a dead child silently; nothing to guard.
        postMessage: (message) => child.postMessage(message),
        onMessage: (listener) => void child.on('message', listener),
        onExit: (listener) => void exitListeners.push(listener),
        kill: () => {
          if (!live.has(name)) return;
          ledger.killed(name);
          child.kill();
        },
      };
    },
    livePids: () => [...live.values()].flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    forceKillAll: () => {
      for (const child of live.values()) {
        if (child.pid === undefined) continue;
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}
