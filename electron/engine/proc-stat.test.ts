import { describe, expect, it } from 'vitest';
import { parseProcStat } from './proc-stat';

/** A /proc/PID/stat line as Linux writes it (52 fields; processor, field 39, is 1 here). */
const statLine = (pid: number, comm: string, state: string, ppid: number, session: number, start: number) =>
  `${pid} (${comm}) ${state} ${ppid} ${pid} ${session} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${start} 5345280 978 ` +
  '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('parseProcStat', () => {
  it('reads state, ppid, session, start time and last core after the last parenthesis', () => {
    expect(parseProcStat(statLine(7539, 'bash', 'S', 7538, 7539, 60475))).toEqual({
      comm: 'bash',
      state: 'S',
      ppid: 7538,
      session: 7539,
      startTime: 60475,
      core: 1,
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
    expect(parseProcStat('1 (x) S 0 1')).toBeNull();
  });
});
