/**
 * The CPU time of the calling thread and the time it waited for a core. On
 * Linux both come from /proc/thread-self/schedstat (nanoseconds on CPU, then
 * nanoseconds runnable on a run queue), read with one pread on a kept-open
 * descriptor (~3 µs). Elsewhere only the process's CPU time is known, which is
 * the thread's in a one-thread worker process and meaningless in a thread host.
 */
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';

export interface CpuClock {
  /** CPU time is this thread's own, not the process's. */
  readonly perThread: boolean;
  /** Waiting for a core is measured. */
  readonly measuresWait: boolean;
  /** Fills out[0] with CPU ms and out[1] with waiting ms (NaN where not measured), both since some fixed origin. */
  read(out: Float64Array): void;
}

/** The two leading integers of a schedstat line, parsed from bytes without making a string. */
export function parseSchedstat(bytes: Uint8Array, length: number, out: Float64Array): boolean {
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < length && field < 2; i++) {
    const c = bytes[i];
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (digits > 0) {
      out[field++] = value / 1e6;
      value = 0;
      digits = 0;
    }
  }
  if (field < 2 && digits > 0) out[field++] = value / 1e6;
  return field === 2;
}

class SchedstatClock implements CpuClock {
  readonly perThread = true;
  readonly measuresWait = true;
  private readonly buffer = new Uint8Array(96);

  constructor(private readonly fd: number) {}

  read(out: Float64Array): void {
    const n = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    if (!parseSchedstat(this.buffer, n, out)) out.fill(NaN);
  }
}

class ProcessCpuClock implements CpuClock {
  readonly perThread = false;
  readonly measuresWait = false;

  read(out: Float64Array): void {
    const { user, system } = process.cpuUsage();
    out[0] = (user + system) / 1000;
    out[1] = NaN;
  }
}

/**
 * The best clock for this thread, or null where none tells this thread's CPU
 * time (a thread of a thread host off Linux).
 */
export function openCpuClock(isThread: boolean): CpuClock | null {
  if (process.platform === 'linux') {
    try {
      // Opened from the thread that will read it: thread-self resolves to the opener.
      const fd = openSync('/proc/thread-self/schedstat', 'r');
      const clock = new SchedstatClock(fd);
      const probe = new Float64Array(2);
      clock.read(probe);
      if (Number.isFinite(probe[0])) return clock;
      closeSync(fd);
    } catch {
      // Kernels without schedstats (CONFIG_SCHED_INFO off): fall through.
    }
  }
  return isThread ? null : new ProcessCpuClock();
}

/** This thread's kernel id, where the platform tells (Linux), for sampling it. */
export function threadId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    // "PID/task/TID", resolved for the calling thread.
    const link = readlinkSync('/proc/thread-self');
    const tid = Number(link.split('/').pop());
    return Number.isSafeInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}
