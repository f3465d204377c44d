/**
 * How a utility process ended, assembled from three sources that arrive in any
 * order: the process's own `exit` event (whose code is 0 after our kill(), and
 * occasionally after a real crash), `app`'s `child-process-gone` (the reason:
 * killed, crashed, oom, launch-failed — but no pid, and never for clean exits),
 * and our own record of what we killed. Pure: no Electron, unit-tested.
 */
import type { ChildExit } from '../engine/launcher';

/** `child-process-gone`'s details, as far as the ledger needs them. */
export interface GoneDetails {
  reason: string;
  exitCode: number;
}

export interface ExitLedgerOptions {
  /** What kill() sends, reported as the signal of processes we killed (null on Windows). */
  killSignal: string | null;
  /** How long after `exit` to wait for `child-process-gone` before reporting without a reason. */
  goneWaitMs: number;
}

interface Entry {
  finish: (exit: ChildExit) => void;
  openStreams: number;
  killed: boolean;
  exitCode: number | null;
  exited: boolean;
  gone: GoneDetails | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Keyed by the process's service name, which the launcher keeps unique. */
export class ExitLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ExitLedgerOptions) {}

  /** A process was launched; `finish` is called exactly once, when its end is known. */
  track(name: string, streams: number, finish: (exit: ChildExit) => void): void {
    this.entries.set(name, {
      finish,
      openStreams: streams,
      killed: false,
      exitCode: null,
      exited: false,
      gone: null,
      timer: null,
    });
  }

  isTracked(name: string): boolean {
    return this.entries.has(name);
  }

  /** We called kill(): whatever exit code follows, this process was killed by us. */
  killed(name: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.killed = true;
  }

  /** The process's `exit` event. */
  exited(name: string, code: number): void {
    const entry = this.entries.get(name);
    if (!entry || entry.exited) return;
    entry.exited = true;
    entry.exitCode = code;
    this.settle(name, entry);
  }

  /** One of its stdout/stderr pipes closed (its last output has been read). */
  streamClosed(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || entry.openStreams === 0) return;
    entry.openStreams--;
    this.settle(name, entry);
  }

  /** `app`'s `child-process-gone` for a Utility process of this name. Unknown names are ignored. */
  gone(name: string, details: GoneDetails): void {
    const entry = this.entries.get(name);
    if (!entry || entry.gone) return;
    entry.gone = details;
    // A process that failed to launch may never emit `exit`.
    if (details.reason === 'launch-failed' && !entry.exited) {
      entry.exited = true;
      entry.exitCode = details.exitCode;
    }
    this.settle(name, entry);
  }

  private settle(name: string, entry: Entry): void {
    if (!entry.exited) return;
    // Only an unexplained non-zero exit is worth waiting for its reason.
    const explained = entry.killed || entry.gone !== null || entry.exitCode === 0;
    if (explained && entry.openStreams === 0) {
      this.finish(name, entry);
      return;
    }
    // Never wait for more than goneWaitMs: a stream that does not close or a gone event that never comes must not hang the pool.
    entry.timer ??= setTimeout(() => this.finish(name, entry), this.options.goneWaitMs);
  }

  private finish(name: string, entry: Entry): void {
    if (this.entries.get(name) !== entry) return;
    this.entries.delete(name);
    if (entry.timer) clearTimeout(entry.timer);
    entry.finish(ExitLedger.describe(entry, this.options.killSignal));
  }

  private static describe(entry: Entry, killSignal: string | null): ChildExit {
    if (entry.killed) return { code: null, signal: killSignal, reason: 'killed' };
    if (entry.gone) return { code: entry.exitCode ?? entry.gone.exitCode, signal: null, reason: entry.gone.reason };
    return { code: entry.exitCode, signal: null };
  }
}
