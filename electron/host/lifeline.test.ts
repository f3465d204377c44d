import { describe, expect, it } from 'vitest';
import { isGone, parseProcStat, starters, type ProcStat } from './lifeline';

/** A /proc/PID/stat line as Linux writes it (fields 1–22 of 52). */
const statLine = (pid: number, comm: string, state: string, ppid: number, session: number, start: number) =>
  `${pid} (${comm}) ${state} ${ppid} ${pid} ${session} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 5345280 978 18446744073709551615`;

describe('parseProcStat', () => {
  it('reads state, ppid, session and start time after the last parenthesis', () => {
    expect(parseProcStat(statLine(7539, 'bash', 'S', 7538, 7539, 60475))).toEqual({
      comm: 'bash',
      state: 'S',
      ppid: 7538,
      session: 7539,
      startTime: 60475,
    });
  });

  it('copes with a command name holding spaces and parentheses', () => {
    expect(parseProcStat(statLine(42, 'npm run serve) (x', 'R', 1, 1, 9))).toMatchObject({
      comm: 'npm run serve) (x',
      ppid: 1,
      startTime: 9,
    });
  });

  it('refuses what is not a stat line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('12 no parens')).toBeNull();
  });
});

/** A process table: pid → its stat. */
const table = (entries: [number, string, number, number][]) => {
  const procs = new Map<number, ProcStat>(
    entries.map(([pid, comm, ppid, session]) => [pid, { comm, state: 'S', ppid, session, startTime: pid * 10 }]),
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
  const stat = (state: string, startTime: number) => () => ({ comm: 'npm', state, ppid: 1, session: 1, startTime });

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
