/**
 * Processes as /proc shows them, for the tests that check nothing outlives its
 * parent. A zombie counts as gone: it runs nothing and holds no memory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, type ProcStat } from '../engine/proc-stat';

function processTable(): Map<number, ProcStat & { cmdline: string }> {
  const table = new Map<number, ProcStat & { cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (stat) table.set(Number(entry), { ...stat, cmdline });
    } catch {
      // Gone while we looked.
    }
  }
  return table;
}

/** Every live process below `root`, with its command line. */
export function descendants(root: number): { pid: number; cmdline: string }[] {
  const table = processTable();
  const below: { pid: number; cmdline: string }[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, info] of table) {
      if (parents.has(info.ppid) && !parents.has(pid)) {
        parents.add(pid);
        if (info.state !== 'Z' && info.state !== 'X') below.push({ pid, cmdline: info.cmdline });
        grew = true;
      }
    }
  }
  return below;
}

export function running(pid: number): boolean {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
  } catch {
    return false;
  }
}
