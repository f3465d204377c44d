import { readFile } from 'node:fs/promises';
import type { WorkerSample } from '../../shared/protocol';
import { now } from './clock';

export interface SampleTarget {
  worker: number;
  pid: number;
}

/** Measures CPU %, memory and core placement of worker processes. */
export interface Sampler {
  /** Whether samples say which core each worker last ran on. */
  readonly coreSampling: boolean;
  sample(targets: SampleTarget[]): Promise<WorkerSample[]>;
}

/** Linux clock ticks per second (USER_HZ); 100 on every mainstream kernel build. */
const CLOCK_TICKS = 100;

/**
 * The fields of /proc/PID/stat that matter here. The command name (field 2) may
 * contain spaces and parentheses, so fields are counted after the last ')'.
 */
export function parseProcStat(text: string): { cpuTicks: number; core: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After ')' comes field 3 (state); field n is at index n - 3.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  const core = Number(fields[39 - 3]);
  if (![utime, stime, core].every(Number.isFinite)) return null;
  return { cpuTicks: utime + stime, core };
}

/** VmRSS from /proc/PID/status, in bytes. */
export function parseRss(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** Reads /proc; returns nothing for processes that are gone. */
export class ProcSampler implements Sampler {
  readonly coreSampling = true;
  private previous = new Map<number, { ticks: number; at: number }>();

  async sample(targets: SampleTarget[]): Promise<WorkerSample[]> {
    const samples = await Promise.all(targets.map((target) => this.sampleOne(target)));
    const live = new Set(targets.map((t) => t.pid));
    for (const pid of this.previous.keys()) if (!live.has(pid)) this.previous.delete(pid);
    return samples.filter((s): s is WorkerSample => s !== null);
  }

  private async sampleOne({ worker, pid }: SampleTarget): Promise<WorkerSample | null> {
    try {
      const [statText, statusText] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8'),
        readFile(`/proc/${pid}/status`, 'utf8'),
      ]);
      const stat = parseProcStat(statText);
      if (!stat) return null;
      const at = now();
      const before = this.previous.get(pid);
      this.previous.set(pid, { ticks: stat.cpuTicks, at });
      const cpu = before
        ? (((stat.cpuTicks - before.ticks) / CLOCK_TICKS) * 1000 * 100) / Math.max(1, at - before.at)
        : 0;
      return { worker, pid, cpu: Math.max(0, cpu), rssBytes: parseRss(statusText) ?? 0, core: stat.core };
    } catch {
      return null; // exited between listing and reading
    }
  }
}

/** The sampler for this platform, or null where none works (the UI says so). */
export function platformSampler(): Sampler | null {
  return process.platform === 'linux' ? new ProcSampler() : null;
}
