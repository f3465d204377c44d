/**
 * What the operating system says about each worker, a few times a second: CPU
 * and waiting-for-a-core shares from scheduler nanoseconds (not 100 Hz ticks),
 * memory, the core it last ran on, its scheduler state and for how long, and
 * how often it moved between cores. Linux reads /proc; elsewhere there is no
 * sampler and the UI says which figures are missing.
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type { MachineSample, SchedState, WorkerSample } from '../../shared/events';
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
  /** How busy the machine is beside the given workers' CPU (% of one core), where it can tell. */
  machine?(workersCpu: number): Promise<MachineSample>;
}

/** The busy clock ticks of one /proc/stat cpu line; null if it is not one. */
function busyTicks(line: string): number | null {
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return null;
  // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return total - ticks[3] - (ticks[4] ?? 0);
}

/**
 * /proc/stat: the machine's busy CPU time in clock ticks (its first line), its
 * CPUs (the cpuN lines) and each CPU's busy ticks by number.
 */
export function parseMachineStat(text: string): { busy: number; cpus: number; busyByCpu: number[] } | null {
  const lines = text.split('\n');
  const busy = lines[0].startsWith('cpu ') ? busyTicks(lines[0]) : null;
  if (busy === null) return null;
  const busyByCpu: number[] = [];
  for (const line of lines) {
    const cpu = /^cpu(\d+) /.exec(line);
    const ticks = cpu ? busyTicks(line) : null;
    if (cpu && ticks !== null) busyByCpu[Number(cpu[1])] = ticks;
  }
  return { busy, cpus: busyByCpu.length || 1, busyByCpu };
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

/** Linux clock ticks per second (USER_HZ), as /proc/stat counts them. */
const CLOCK_TICKS = 100;
/**
 * The machine's figure needs an interval of many ticks: over 20 ms, one tick
 * more or less on each core would read as ±50 %.
 */
const MACHINE_MIN_INTERVAL_MS = 150;

/** Reads /proc; returns nothing for processes that are gone. */
export class ProcSampler implements Sampler {
  readonly coreSampling = true;
  private previous = new Map<string, History>();
  private machineBefore: { busy: number; busyByCpu: number[]; at: number } | null = null;
  /** Whether the last sample had a worker seen for the first time: its CPU since the last sample is unknown. */
  private newcomers = false;

  async sample(targets: SampleTarget[]): Promise<WorkerSample[]> {
    this.newcomers = targets.some((target) => !this.previous.has(keyOf(target)));
    const samples = await Promise.all(targets.map((target) => this.sampleOne(target)));
    const live = new Set(targets.map(keyOf));
    for (const key of this.previous.keys()) if (!live.has(key)) this.previous.delete(key);
    return samples.filter((s): s is WorkerSample => s !== null);
  }

  async machine(workersCpu: number): Promise<MachineSample> {
    const load1 = loadavg()[0] ?? null;
    const stat = parseMachineStat((await optional('/proc/stat')) ?? '');
    const at = now();
    const before = this.machineBefore;
    // Too soon after the last reading, the baseline stays for the next one.
    if (!stat || (before && at - before.at < MACHINE_MIN_INTERVAL_MS)) return { load1, othersCpu: null };
    this.machineBefore = { busy: stat.busy, busyByCpu: stat.busyByCpu, at };
    if (!before) return { load1, othersCpu: null };
    // Busy ticks as % of the interval: whole ticks can add up to a little more than there was.
    const pct = (ticks: number, most: number) =>
      Math.min(most, Math.max(0, (100 * (ticks / CLOCK_TICKS) * 1000) / (at - before.at)));
    const coresBusy = stat.busyByCpu.map((busy, cpu) => pct(busy - (before.busyByCpu[cpu] ?? busy), 100));
    // The rest of the machine is what its busy time leaves beside the workers' CPU: unknown while a worker's is.
    if (this.newcomers) return { load1, othersCpu: null, coresBusy };
    const busyPct = pct(stat.busy - before.busy, 100 * stat.cpus);
    return { load1, othersCpu: Math.max(0, busyPct - workersCpu), coresBusy };
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
