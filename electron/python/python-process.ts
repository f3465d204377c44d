/**
 * Runs the user's Python script, traced, as its own process group, and makes
 * sure the whole tree (pool workers, fork server, resource tracker) ends with
 * it — on stop(), and when the Node process that started it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { TracePoolOverrides, TraceServer } from './trace-server';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's own virtual environment (`python3 -m venv .venv`). */
export const projectVenvPython = join(projectRoot, '.venv', 'bin', 'python');

const STDERR_TAIL_BYTES = 8 * 1024;

export type PythonErrorCode =
  'interpreter-not-found' | 'script-not-found' | 'script-not-a-file' | 'script-not-readable' | 'spawn-failed';

/** A Python program that could not be started, with a message fit for the user. */
export class PythonError extends Error {
  constructor(
    readonly code: PythonErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PythonError';
  }
}

export interface PythonExit {
  /** The exit status, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface PythonProcessOptions {
  /** The program: a script file, or a module of the shipped tracer (`-m`, e.g. a cluster bridge). */
  readonly script: string;
  readonly module?: boolean;
  readonly args?: readonly string[];
  /** The interpreter to use; else POOLSCOPE_PYTHON, the project's `.venv`, then `python3` on PATH. */
  readonly python?: string;
  /** Where the program reports; without one it runs untraced. */
  readonly server?: TraceServer;
  readonly overrides?: TracePoolOverrides;
  /**
   * `inherit` for the CLI (the terminal sees the program as it is); `pipe` for
   * the app and browser host; `commands`: piped stdin too (a bridge's commands).
   */
  readonly stdio: 'inherit' | 'pipe' | 'commands';
  readonly cwd?: string;
  /** The program's environment before the tracer's variables (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const folder of (env.PATH ?? '').split(delimiter)) {
    if (folder && isExecutableFile(join(folder, name))) return join(folder, name);
  }
  return null;
}

/**
 * The interpreter to run: `preferred` if given, else POOLSCOPE_PYTHON, the
 * project's `.venv/bin/python`, then `python3` on PATH.
 * @throws PythonError `interpreter-not-found`
 */
export function findPython(preferred?: string, env: NodeJS.ProcessEnv = process.env): string {
  const named = preferred ?? env.POOLSCOPE_PYTHON;
  if (named) {
    const found =
      named.includes('/') || isAbsolute(named) ? (isExecutableFile(named) ? named : null) : onPath(named, env);
    if (found) return found;
    throw new PythonError(
      'interpreter-not-found',
      `Python interpreter not found: ${named}${preferred ? '' : ' (from POOLSCOPE_PYTHON)'}`,
    );
  }
  if (isExecutableFile(projectVenvPython)) return projectVenvPython;
  const python3 = onPath('python3', env);
  if (python3) return python3;
  throw new PythonError(
    'interpreter-not-found',
    'No Python interpreter found: set POOLSCOPE_PYTHON, create the project .venv, or put python3 on PATH',
  );
}

/** @throws PythonError when the script is missing, not a file, or not readable. */
export function checkScript(script: string): void {
  let stat;
  try {
    stat = statSync(script);
  } catch {
    throw new PythonError('script-not-found', `Python script not found: ${script}`);
  }
  if (!stat.isFile()) throw new PythonError('script-not-a-file', `Not a file: ${script}`);
  try {
    accessSync(script, constants.R_OK);
  } catch {
    throw new PythonError('script-not-readable', `Python script not readable: ${script}`);
  }
}

/** Process groups still to end if this Node process exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pgid : -pgid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Node's own exit (normal or process.exit): the tracer's host-loss rule would
  // end the tree too, but only once it notices; SIGKILL is immediate.
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

/** The user's Python program: one process group, stopped as a whole. */
export class PythonProcess {
  /** Resolves when the program's main process has exited. */
  readonly exited: Promise<PythonExit>;
  /** Piped output (`stdio: 'pipe'`), raw bytes as the program wrote them. */
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Piped input (`stdio: 'commands'`). */
  readonly stdin: Writable | null;
  private stderrChunks: Buffer[] = [];
  private stderrBytes = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly python: string,
    readonly pid: number,
  ) {
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    this.stdin = child.stdin;
    // A bridge that exits while a command is being written must not crash the host (EPIPE).
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        // What is left of the tree once its main process is gone has nobody to
        // join it; and the group id must not be signalled once it can be reused.
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
        done({ code, signal });
      });
    });
  }

  /**
   * Starts `python SCRIPT ARGS…` with the tracer's environment.
   * @throws PythonError when the interpreter or the script is not usable, or spawning fails.
   */
  static async start(options: PythonProcessOptions): Promise<PythonProcess> {
    const base = options.env ?? process.env;
    const python = findPython(options.python, base);
    if (!options.module) checkScript(options.script);
    const env = { ...base, ...(options.server?.env(options.overrides, base) ?? {}) };
    const program = options.module ? ['-m', options.script] : [options.script];
    const child = spawn(python, [...program, ...(options.args ?? [])], {
      cwd: options.cwd,
      env,
      stdio:
        options.stdio === 'inherit' ? 'inherit' : [options.stdio === 'commands' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32', // its own process group, to stop as one
    });
    const pid = await new Promise<number>((started, failed) => {
      child.once('spawn', () => started(child.pid as number));
      child.once('error', (error) =>
        failed(new PythonError('spawn-failed', `Could not start ${python}: ${error.message}`)),
      );
    });
    installExitHook();
    liveGroups.add(pid);
    return new PythonProcess(child, python, pid);
  }

  /** The last few KiB the program wrote to stderr (piped only), for error messages. */
  stderrTail(): string {
    return Buffer.concat(this.stderrChunks).toString('utf8');
  }

  /**
   * Ends the whole process tree: SIGTERM to the group, SIGKILL to whatever is
   * left after `graceMs`. Resolves with the main process's exit.
   */
  async stop(graceMs = 2_000): Promise<PythonExit> {
    if (liveGroups.has(this.pid)) killGroup(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (liveGroups.has(this.pid)) killGroup(this.pid, 'SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private keepStderr(chunk: Buffer): void {
    this.stderrChunks.push(chunk);
    this.stderrBytes += chunk.length;
    while (this.stderrBytes - this.stderrChunks[0].length >= STDERR_TAIL_BYTES) {
      this.stderrBytes -= this.stderrChunks.shift()!.length;
    }
  }
}
