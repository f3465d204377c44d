/**
 * A worker that did not start, in words. What the platform gives is a negative
 * exit code (Node's -24 is EMFILE), a spawn error, an Electron reason such as
 * `launch-failed`, or the worker's own dying words on stderr framed by Node's
 * trailer (`^` under the source line, the error's properties, `Node.js v20…`).
 * Pure apart from Node's errno table; unit-tested.
 */
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

/** How the process ended, as a launcher reports it (ChildExit). */
export interface FailedStart {
  code: number | null;
  signal: string | null;
  reason?: string;
}

/** The errors a start commonly fails with: what happened, and what to do about it. */
const ERRNO_WORDS: Record<string, readonly [what: string, advice: string]> = {
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) or use fewer workers'],
  ENFILE: ['too many open files on this system', 'close other programs or use fewer workers'],
  ENOMEM: ['not enough memory to start another process', 'close other programs or use fewer workers'],
  EAGAIN: [
    'the system refused to start another process for now',
    'too many processes (ulimit -u) or too little memory',
  ],
  EACCES: ['permission denied', "Node (or Electron) and the worker's file must be readable and executable"],
  ENOENT: ['a file it needs was not found', 'rebuild (npx electron-vite build) or reinstall'],
};

/** Electron's child-process-gone reasons, and the launcher's own `not-launched`. */
const REASON_WORDS: Record<string, string> = {
  'launch-failed': 'Electron could not launch the process',
  'not-launched': 'Electron never launched the process (it may have had no file descriptors left for its pipes)',
  'integrity-failure': "Electron's code integrity check refused it",
  oom: 'it ran out of memory',
  crashed: 'it crashed',
  killed: 'it was killed',
  'abnormal-exit': 'it exited with an error',
};

/**
 * A spawn error as `NAME: message` (`EMFILE: too many open files`), the form
 * launchers put in an exit's `reason`; Node's own message names the executable
 * instead (`spawn /usr/bin/node EMFILE`).
 */
export function spawnErrorReason(error: Error): string {
  const errno = (error as NodeJS.ErrnoException).errno;
  const known = typeof errno === 'number' ? getSystemErrorMap().get(errno) : undefined;
  return known ? `${known[0]}: ${known[1]}` : error.message;
}

function errnoName(code: number | null): string | null {
  if (code === null || code >= 0) return null;
  try {
    const name = getSystemErrorName(code);
    return /^E[A-Z0-9]+$/.test(name) ? name : null;
  } catch {
    return null;
  }
}

/** Node's frame around an uncaught error: none of it says what went wrong. */
function isTrailer(line: string): boolean {
  return (
    line.trim() === '' ||
    /^Node\.js v\d/.test(line) ||
    /^\s*\^+\s*$/.test(line) ||
    /^\s+at /.test(line) ||
    /^\s*[{}]\s*$/.test(line) ||
    /^[\s|]*$/.test(line) ||
    // The error's own properties (`  errno: -24,`), printed after its stack.
    /^\s+\w+: .*,?$/.test(line) ||
    // Where it was thrown (`node:fs:573`, `/app/out/main/worker.cjs:12`).
    /^(node:[\w/.-]+|\/\S+|[A-Za-z]:\\\S+):\d+$/.test(line)
  );
}

/**
 * The line of the stderr tail that says what went wrong: the last one that
 * reads like an error (`Error: EMFILE: too many open files, open '/dev/null'`),
 * else the last line that is not Node's framing, else ''.
 */
export function lastWords(stderrTail: string): string {
  // A tail already joined for one line (`} |  | Node.js v20.20.2`) is split back.
  const lines = stderrTail.split(stderrTail.includes('\n') ? '\n' : ' | ');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    // The source line Node echoes sits just above its caret line.
    if (i + 1 < lines.length && /^\s*\^+\s*$/.test(lines[i + 1])) continue;
    if (!isTrailer(lines[i])) kept.push(lines[i].trim());
  }
  const error = kept.findLast((line) => /^[\w.$]*(Error|Exception)\b[^:]*:/.test(line));
  return error ?? kept.at(-1) ?? '';
}

/**
 * Why a worker did not start, in plain words, for the pool's message:
 * `too many open files (EMFILE): raise the limit (ulimit -n) or use fewer workers`,
 * followed by ` — ` and the worker's own error line where it printed one.
 */
export function describeStartFailure(exit: FailedStart, stderrTail: string): string {
  const words = lastWords(stderrTail);
  const errno =
    /\b(E[A-Z]{3,})\b/.exec(exit.reason ?? '')?.[1] ??
    errnoName(exit.code) ??
    /\bcode: '(E[A-Z]{3,})'/.exec(stderrTail)?.[1] ??
    /^[\w.]*Error: (E[A-Z]{3,}):/m.exec(words)?.[1] ??
    null;
  let what: string;
  if (errno && ERRNO_WORDS[errno]) what = `${ERRNO_WORDS[errno][0]} (${errno}): ${ERRNO_WORDS[errno][1]}`;
  else if (exit.reason) what = REASON_WORDS[exit.reason] ?? exit.reason;
  else if (errno) what = `${errno} (${errnoMessage(errno)})`;
  else if (exit.signal) what = `it was stopped by ${exit.signal}`;
  else if (exit.code !== null) what = `it exited with code ${exit.code}`;
  else what = 'it ended before it was ready';
  return words && words !== exit.reason ? `${what} — ${words}` : what;
}

function errnoMessage(name: string): string {
  for (const [known, message] of getSystemErrorMap().values()) if (known === name) return message;
  return 'system error';
}
