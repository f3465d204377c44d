/**
 * A host ends when the program that started it ends. `npm run serve` runs the
 * host under `sh -c` under npm: a SIGKILL to npm (or a SIGTERM that npm passes
 * only to the shell) ends neither the shell's child nor the host's workers.
 * So the host watches its starters — the shells in between and the first
 * program above them — and stops itself when any of them is gone.
 */
import { readFileSync } from 'node:fs';
import { parseProcStat, type ProcStat } from '../engine/proc-stat';

/** How often the starters are checked. */
export const LIFELINE_POLL_MS = 200;

function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh', 'mksh', 'fish', 'busybox']);

/** A starter: a pid, and on Linux the start time that tells it from a later process with the same pid. */
export interface Ancestor {
  pid: number;
  startTime: number | null;
}

/**
 * The processes whose end should end us, nearest first: each shell between us
 * and the program that started us, and that program (npm, node, a test runner).
 * An interactive shell (a session leader) ends the walk without being watched:
 * its terminal's SIGHUP already reaches us, and `nohup … &` must survive it.
 * pid 1 is never watched. `stat` reads /proc/PID/stat; null where it cannot.
 */
export function starters(ppid: number, stat: (pid: number) => ProcStat | null): Ancestor[] {
  const chain: Ancestor[] = [];
  for (let pid = ppid; pid > 1 && chain.length < 16;) {
    const info = stat(pid);
    if (!info) {
      // No /proc (macOS, Windows): the parent is all we know.
      if (chain.length === 0) chain.push({ pid, startTime: null });
      break;
    }
    const isShell = SHELLS.has(info.comm);
    if (isShell && info.session === pid) break;
    chain.push({ pid, startTime: info.startTime });
    if (!isShell) break;
    pid = info.ppid;
  }
  return chain;
}

/** Gone: no such process, a zombie, or (Linux) another process that has taken its pid. */
export function isGone(ancestor: Ancestor, stat: (pid: number) => ProcStat | null): boolean {
  if (ancestor.startTime !== null) {
    const info = stat(ancestor.pid);
    return !info || info.state === 'Z' || info.state === 'X' || info.startTime !== ancestor.startTime;
  }
  try {
    process.kill(ancestor.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Calls `onGone` (once) when any of this process's starters has ended: its
 * parent, and up the chain through any shells to the program that ran it. The
 * timer is unref'd, so it never keeps the process alive. Returns a stop function.
 */
export function endWithAncestors(onGone: () => void, pollMs = LIFELINE_POLL_MS): () => void {
  const stat = process.platform === 'linux' ? readStat : () => null;
  const watched = starters(process.ppid, stat);
  const parent = process.ppid;
  const timer = setInterval(() => {
    // A changed ppid is the surest sign of all: the kernel re-parents us when the parent dies.
    if (process.ppid === parent && !watched.some((ancestor) => isGone(ancestor, stat))) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
