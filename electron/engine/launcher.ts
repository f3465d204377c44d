/**
 * How the engine gets processes: Node's child_process.fork here, Electron's
 * utilityProcess.fork in the app (electron/main/utility-launcher.ts). The
 * engine only ever sees this interface.
 */
import { fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import { spawnErrorReason } from './start-failure';

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** Set where the platform reports why a process went (Electron's child-process-gone). */
  reason?: string;
}

export interface ChildHandle {
  /** Known once the process has spawned. */
  readonly pid: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once, after the process is gone and its pending messages are delivered. */
  onExit(listener: (exit: ChildExit) => void): void;
  kill(): void;
}

export interface LaunchOptions {
  entry: string;
  /** A name for the process (Electron shows it as the utility process's service name). */
  name: string;
  env: Record<string, string>;
}

export interface Launcher {
  launch(options: LaunchOptions): ChildHandle;
}

/** Environment variables a worker may inherit; everything else stays with the host. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'SYSTEMROOT'];

export function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

export const forkLauncher: Launcher = {
  launch({ entry, env }) {
    let child;
    try {
      child = fork(entry, [], {
        env,
        execArgv: process.env.POOLSCOPE_WORKER_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.POOLSCOPE_WORKER_PROF}`]
          : [],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (error) {
      // Node throws the errors it does not expect at run time (ENOMEM, E2BIG): the engine gets an exit instead.
      const reason = spawnErrorReason(error as Error);
      return {
        pid: undefined,
        stdout: null,
        stderr: null,
        postMessage: () => {},
        onMessage: () => {},
        onExit: (listener) => void setImmediate(() => listener({ code: null, signal: null, reason })),
        kill: () => {},
      };
    }
    // Why it never started (EMFILE, EAGAIN…): Node's exit code alone says only -24.
    let spawnError: string | undefined;
    // A send racing the child's death must not throw into the engine either.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.syscall?.startsWith('spawn')) spawnError ??= spawnErrorReason(error);
    });
    return {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      postMessage: (message) => {
        if (child.connected) child.send(message as never, (error) => void error);
      },
      onMessage: (listener) => child.on('message', listener),
      // 'close' (not 'exit') waits for stdio and the IPC channel, so no report is lost.
      onExit: (listener) =>
        child.once('close', (code, signal) =>
          listener(spawnError === undefined ? { code, signal } : { code, signal, reason: spawnError }),
        ),
      kill: () => void child.kill('SIGKILL'),
    };
  },
};
