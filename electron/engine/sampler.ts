/**
 * What the operating system says about each worker, a few times a second: CPU
 * and waiting-for-a-core shares from scheduler nanoseconds (not 100 Hz ticks),
 * memory, the core it last ran on, its scheduler state and for how long, and
 * how often it moved between cores. Linux reads /proc; elsewhere there is no
 * sampler and the UI says which figures are missing.
 */
import { readFile } from 'node:fs/promises';
import type { SchedState, WorkerSample } from '../../shared/events';
import { now } from './clock';
import { parseProcStat } from './proc-stat';

export interface SampleTarget {
  worker: number;
  pid: number;
  /** A thread lane's thread id: sampled from /proc/PID/task/TID. */
  tid?: number | null;
}

export interface Sampler {
  /** Whether samples say which core each worker last ran on. */
  readonly coreSampling: boolean;
  sample(targets: SampleTarget[]): Promise<WorkerSample[]>;
}

const STATES: Record<string, SchedState> = {
  R: 'running',
  S: 'sleeping',
  I: 'sleeping',
  D: 'disk',
  T: 'stopped',
  t: 'stopped',
  Z: 'zombie',
  X: 'zombie',
};

/** /proc/…/schedstat: nanoseconds on a CPU, nanoseconds runnable on a run queue, timeslices. */
export function parseSchedstat(text: string): { cpuNs: number; waitNs: number } | null {
  const [cpu, wait] = text.trim().split(/\s+/).map(Number);
  return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpuNs: cpu, waitNs: wait } : null;
}

/** `se.nr_migrations` from /proc/…/sched: how often the scheduler moved it to another core. */
export function parseMigrations(sched: string): number | null {
  const match = /^se\.nr_migrations\s*:\s*(\d+)/m.exec(sched);
  return match ? Number(match[1]) : null;
}

/** VmRSS from /proc/PID/status, in bytes. */
export function parseRss(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

interface History {
  at: number;
  cpuNs: number;
  waitNs: number;
  state: SchedState;
  stateSince: number;
  core: number;
  /** Core changes seen between samples, where the scheduler's own count is not readable. */
  coreChanges: number;
}

const optional = (path: string) => readFile(path, 'utf8').catch(() => null);

/** Reads /proc; returns nothing for processes that are gone. */
export class ProcSampler implements Sampler {
  readonly coreSampling = true;
  private previous = new Map<string, History>();

  async sample(targets: SampleTarget[]): Promise<WorkerSample[]> {
    const samples = await Promise.all(targets.map((target) => this.sampleOne(target)));
    const live = new Set(targets.map(keyOf));
    for (const key of this.previous.keys()) if (!live.has(key)) this.previous.delete(key);
    return samples.filter((s): s is WorkerSample => s !== null);
  }

  private async sampleOne(target: SampleTarget): Promise<WorkerSample | null> {
    const { worker, pid, tid } = target;
    const dir = tid ? `/proc/${pid}/task/${tid}` : `/proc/${pid}`;
    try {
      const [statText, schedstatText, statusText, schedText] = await Promise.all([
        readFile(`${dir}/stat`, 'utf8'),
        readFile(`${dir}/schedstat`, 'utf8'),
        readFile(`/proc/${pid}/status`, 'utf8'),
        optional(`${dir}/sched`),
      ]);
      const parsed = parseProcStat(statText);
      const times = parseSchedstat(schedstatText);
      if (!parsed || !times) return null;
      const stat = { state: STATES[parsed.state] ?? 'other', core: parsed.core };
      const at = now();
      const key = keyOf(target);
      const before = this.previous.get(key);
      const interval = before ? Math.max(1e-3, at - before.at) : 0;
      const history: History = {
        at,
        ...times,
        state: stat.state,
        stateSince: before && before.state === stat.state ? before.stateSince : at,
        core: stat.core,
        coreChanges: (before?.coreChanges ?? 0) + (before && before.core !== stat.core ? 1 : 0),
      };
      this.previous.set(key, history);
      const share = (ns: number) => (before ? Math.max(0, (100 * ns) / 1e6 / interval) : 0);
      const migrations = schedText === null ? null : parseMigrations(schedText);
      const stuck = stat.state === 'stopped' || stat.state === 'disk' || stat.state === 'zombie';
      return {
        worker,
        pid,
        cpu: share(times.cpuNs - (before?.cpuNs ?? times.cpuNs)),
        waitingPct: before ? share(times.waitNs - before.waitNs) : null,
        rssBytes: parseRss(statusText) ?? 0,
        core: stat.core,
        state: stat.state,
        // A moment in the disk state is normal I/O; stuck there is not.
        stalledMs:
          stuck && at - history.stateSince >= (stat.state === 'disk' ? 1000 : 0) ? at - history.stateSince : null,
        migrations: migrations ?? history.coreChanges,
        migrationsFrom: migrations === null ? 'core-changes' : 'scheduler',
      };
    } catch {
      return null; // exited between listing and reading
    }
  }
}

const keyOf = (t: SampleTarget) => `${t.pid}/${t.tid ?? ''}`;

/** The sampler for this platform, or null where none works (the UI says so). */
export function platformSampler(): Sampler | null {
  return process.platform === 'linux' ? new ProcSampler() : null;
}
