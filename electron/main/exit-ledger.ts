/**
 * How a utility process ended, assembled from sources that arrive in any order:
 * the process's own `exit` event (whose code is 0 after our kill(), and
 * occasionally after a real crash), `app`'s `child-process-gone` (the reason:
 * killed, crashed, oom, launch-failed — but no pid, and never for clean exits),
 * its `error` event (a V8 fatal error, in words), and our own record of what we
 * killed. Pure: no Electron, unit-tested.
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
  /**
   * How long after an unexplained non-zero `exit` to wait for `child-process-gone`
   * (usually right behind it) before reporting without a reason. Nothing else waits.
   */
  goneWaitMs: number;
}

interface Entry {
  finish: (exit: ChildExit) => void;
  killed: boolean;
  /** We gave up on a process that never spawned. */
  abandoned: boolean;
  exitCode: number | null;
  exited: boolean;
  gone: GoneDetails | null;
  /** Words for what went wrong, from the process's `error` event. */
  error: string | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Keyed by the process's service name, which the launcher keeps unique. */
export class ExitLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ExitLedgerOptions) {}

  /** A process was launched; `finish` is called exactly once, when its end is known. */
  track(name: string, finish: (exit: ChildExit) => void): void {
    this.entries.set(name, {
      finish,
      killed: false,
      abandoned: false,
      exitCode: null,
      exited: false,
      gone: null,
      error: null,
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

  /** The process's `error` event: what went wrong, in words. Its `exit` still follows. */
  failed(name: string, error: string): void {
    const entry = this.entries.get(name);
    if (entry) entry.error ??= error;
  }

  /**
   * The process's `exit` event. The launcher reports it once the process's
   * output has been handed on: for Electron, `exit` is the end of both pipes.
   */
  exited(name: string, code: number): void {
    const entry = this.entries.get(name);
    if (!entry || entry.exited) return;
    entry.exited = true;
    entry.exitCode = code;
    this.settle(name, entry);
  }

  /** We asked for a kill before the process spawned, and it never did: it is over as far as we are concerned. */
  abandoned(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || entry.exited) return;
    entry.exited = true;
    entry.abandoned = true;
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
    const explained = entry.killed || entry.gone !== null || entry.error !== null || entry.exitCode === 0;
    if (explained) this.finish(name, entry);
    else entry.timer ??= setTimeout(() => this.finish(name, entry), this.options.goneWaitMs);
  }

  private finish(name: string, entry: Entry): void {
    if (this.entries.get(name) !== entry) return;
    this.entries.delete(name);
    if (entry.timer) clearTimeout(entry.timer);
    entry.finish(ExitLedger.describe(entry, this.options.killSignal));
  }

  private static describe(entry: Entry, killSignal: string | null): ChildExit {
    if (entry.abandoned) return { code: null, signal: null, reason: entry.error ?? 'not-launched' };
    if (entry.killed) return { code: null, signal: killSignal, reason: 'killed' };
    const code = entry.exitCode ?? entry.gone?.exitCode ?? null;
    const reason = entry.error ?? entry.gone?.reason;
    return reason === undefined ? { code, signal: null } : { code, signal: null, reason };
  }
}
