/**
 * /proc/PID/stat, read once for everyone who needs it (the sampler, the host's
 * lifeline). The command name is in parentheses and may itself contain spaces
 * and parentheses, so the fields are counted after the last `)`.
 */

export interface ProcStat {
  comm: string;
  /** R, S, D, T, Z (zombie: dead, not yet reaped), … */
  state: string;
  ppid: number;
  session: number;
  /** Clock ticks after boot: with the pid, names one process even if the pid is reused. */
  startTime: number;
  /** The core it last ran on (field 39). */
  core: number;
}

export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // After ') ' comes field 3 (state); field n is at index n - 3.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const ppid = Number(fields[4 - 3]);
  const session = Number(fields[6 - 3]);
  const startTime = Number(fields[22 - 3]);
  const core = Number(fields[39 - 3]);
  if (!fields[0] || !Number.isInteger(ppid) || !Number.isInteger(startTime) || !Number.isInteger(core)) return null;
  return { comm: text.slice(open + 1, close), state: fields[0], ppid, session, startTime, core };
}
