import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../engine/proc-stat';
import { isGone, starters } from './lifeline';

/** A process table: pid → its stat. */
const table = (entries: [number, string, number, number][]) => {
  const procs = new Map<number, ProcStat>(
    entries.map(([pid, comm, ppid, session]) => [
      pid,
      { comm, state: 'S', ppid, session, startTime: pid * 10, core: 0 },
    ]),
  );
  return (pid: number) => procs.get(pid) ?? null;
};

describe('starters', () => {
  it('watches the shell npm runs a script under, and npm itself', () => {
    // bash (login shell) → npm → sh -c → us
    const stat = table([
      [100, 'bash', 99, 100],
      [200, 'npm run serve', 100, 100],
      [300, 'sh', 200, 100],
    ]);
    expect(starters(300, stat)).toEqual([
      { pid: 300, startTime: 3000 },
      { pid: 200, startTime: 2000 },
    ]);
  });

  it('watches the program that started us directly, and nothing above it', () => {
    const stat = table([
      [100, 'bash', 99, 100],
      [200, 'node', 100, 100],
    ]);
    expect(starters(200, stat)).toEqual([{ pid: 200, startTime: 2000 }]);
  });

  it('does not watch an interactive shell (a session leader), so nohup … & outlives it', () => {
    const stat = table([[100, 'bash', 99, 100]]);
    expect(starters(100, stat)).toEqual([]);
  });

  it('never watches pid 1, and falls back to the parent alone without /proc', () => {
    expect(starters(1, table([]))).toEqual([]);
    expect(starters(4242, () => null)).toEqual([{ pid: 4242, startTime: null }]);
  });
});

describe('isGone', () => {
  const stat = (state: string, startTime: number) => () => ({
    comm: 'npm',
    state,
    ppid: 1,
    session: 1,
    startTime,
    core: 0,
  });

  it('counts a missing process, a zombie and a reused pid as gone', () => {
    const ancestor = { pid: 200, startTime: 2000 };
    expect(isGone(ancestor, stat('S', 2000))).toBe(false);
    expect(isGone(ancestor, () => null)).toBe(true);
    expect(isGone(ancestor, stat('Z', 2000))).toBe(true);
    expect(isGone(ancestor, stat('S', 2001))).toBe(true);
  });

  it('asks the process itself where there is no /proc', () => {
    expect(isGone({ pid: process.pid, startTime: null }, () => null)).toBe(false);
    expect(isGone({ pid: 2 ** 22 + 1, startTime: null }, () => null)).toBe(true);
  });
});
