/**
 * Keeps the pool at its size: spawns workers, retires the ones a shrink makes
 * too many, replaces the dead, and backs off when workers fail to start.
 * Resizes coalesce: the pool moves toward the latest size at most once per
 * COALESCE_MS, a worker being retired is kept again when the size comes back
 * up, and a starting worker is the last to go.
 */
import type { WorkerExitCause } from '../../shared/events';
import type { Launcher } from './launcher';
import { describeStartFailure } from './start-failure';
import type { Timers, TimerHandle } from './timers';
import { WorkerProcess, type Report, type WorkerExit } from './worker-process';

/** Resizes closer together than this are applied together, toward the latest size. */
export const COALESCE_MS = 25;

export interface SupervisorOptions {
  workerEntry: string;
  readyTimeoutMs: number;
  /** Consecutive start-up failures tolerated before the pool gives up. */
  startupRetries: number;
  timers: Timers;
  /** A new worker id (unique across every source of the host); default: 1, 2, 3… */
  newId?: () => number;
}

export interface SupervisorEvents {
  spawned(worker: WorkerProcess): void;
  ready(worker: WorkerProcess): void;
  report(worker: WorkerProcess, report: Report, rows: number): void;
  returned(worker: WorkerProcess, ranges: [number, number][]): void;
  timedOut(worker: WorkerProcess, task: number, since: number): void;
  output(worker: WorkerProcess, stream: 'stdout' | 'stderr', text: string): void;
  exited(worker: WorkerProcess, exit: WorkerExit): void;
  /** Workers keep failing to start: the pool has stopped trying until `restart`. */
  broken(reason: string): void;
}

export class Supervisor {
  readonly workers = new Map<number, WorkerProcess>();
  private desired: number;
  private nextId = 1;
  private launcher: Launcher;
  private lastReconcile = -Infinity;
  private reconcileTimer: TimerHandle | null = null;
  private startupFailures = 0;
  private backoffTimer: TimerHandle | null = null;
  private brokenReason: string | null = null;
  private closing = false;
  private shrinkCause: WorkerExitCause = 'retired';

  constructor(
    private readonly options: SupervisorOptions,
    launcher: Launcher,
    size: number,
    private readonly events: SupervisorEvents,
  ) {
    this.launcher = launcher;
    this.desired = size;
    this.reconcile();
  }

  get size(): number {
    return this.desired;
  }

  get broken(): string | null {
    return this.brokenReason;
  }

  /** Workers that count toward the size: alive and wanted. */
  get active(): WorkerProcess[] {
    return [...this.workers.values()].filter((w) => w.alive && !w.unwanted);
  }

  get readyCount(): number {
    let ready = 0;
    for (const w of this.workers.values()) if (w.state === 'ready' && !w.unwanted) ready++;
    return ready;
  }

  /** Wanted workers still starting: the dispatcher keeps work for them until they come up or fail. */
  get startingCount(): number {
    let starting = 0;
    for (const w of this.workers.values()) if (w.state === 'starting' && !w.unwanted) starting++;
    return starting;
  }

  /**
   * Moves toward `size`, soon: the call returns at once (spawning is never done
   * in it) and bursts of calls coalesce. `cause` is what workers let go exit with.
   */
  resize(size: number, cause: WorkerExitCause = 'retired'): void {
    this.desired = size;
    this.shrinkCause = cause;
    const { timers } = this.options;
    const wait = Math.max(0, this.lastReconcile + COALESCE_MS - timers.now());
    this.reconcileTimer ??= timers.setTimeout(() => {
      this.reconcileTimer = null;
      this.reconcile();
    }, wait);
  }

  /** Replaces every worker (a backend switch, a reset), starting afresh with `launcher`. */
  replaceAll(launcher: Launcher, cause: WorkerExitCause): void {
    this.launcher = launcher;
    for (const worker of this.workers.values()) worker.kill(cause);
    this.restart();
  }

  /** Forgets earlier start-up failures and tries again. */
  restart(): void {
    this.brokenReason = null;
    this.startupFailures = 0;
    if (this.backoffTimer) this.options.timers.clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    this.reconcile();
  }

  /** Ends every worker: asked to stop, killed after `graceMs`. Nothing is spawned from now on. */
  closeAll(graceMs: number): void {
    this.closing = true;
    const { timers } = this.options;
    if (this.reconcileTimer) timers.clearTimeout(this.reconcileTimer);
    if (this.backoffTimer) timers.clearTimeout(this.backoffTimer);
    for (const worker of this.workers.values()) worker.stop('closed', graceMs);
  }

  /** A worker that asked to be let go (recycled) or must be (cancelled, timed out). */
  end(worker: WorkerProcess, cause: WorkerExitCause, kill: boolean): void {
    if (kill) worker.kill(cause);
    else worker.stop(cause);
    this.reconcile();
  }

  /**
   * Brings the live, wanted workers to the desired size. Too few: take back
   * workers being retired, then spawn. Too many: let idle ones go at once,
   * retire busy ones (they finish their current task and give back the rest),
   * and kill starting ones only if that is still not enough.
   */
  reconcile(): void {
    this.lastReconcile = this.options.timers.now();
    if (this.reconcileTimer) {
      this.options.timers.clearTimeout(this.reconcileTimer);
      this.reconcileTimer = null;
    }
    if (this.closing) return;
    const live = [...this.workers.values()].filter((w) => w.alive);
    const wanted = live.filter((w) => !w.unwanted);
    let missing = this.desired - wanted.length;
    if (missing > 0) {
      // Workers already on their way out come back first: ready ones, then starting ones.
      const comeback = live.filter((w) => w.unwanted).sort((a, b) => rank(a) - rank(b));
      for (const worker of comeback.slice(0, missing)) worker.keep();
      missing -= Math.min(missing, comeback.length);
      if (!this.brokenReason && !this.backoffTimer) for (; missing > 0; missing--) this.spawn();
    } else if (missing < 0) {
      // Idle ready first, then busy ready (the least loaded), starting last.
      const victims = wanted.sort((a, b) => victimRank(a) - victimRank(b) || a.pending - b.pending || b.id - a.id);
      for (const worker of victims.slice(0, -missing)) this.letGo(worker);
    }
  }

  private letGo(worker: WorkerProcess): void {
    worker.unwanted = true;
    if (worker.state === 'starting') worker.kill(this.shrinkCause);
    else if (worker.pending === 0) worker.stop(this.shrinkCause);
    else worker.retire();
  }

  private spawn(): void {
    const worker = new WorkerProcess(
      {
        id: this.options.newId ? this.options.newId() : this.nextId++,
        entry: this.options.workerEntry,
        launcher: this.launcher,
        readyTimeoutMs: this.options.readyTimeoutMs,
        timers: this.options.timers,
      },
      {
        ready: (w) => {
          this.startupFailures = 0;
          if (w.unwanted) w.stop(this.shrinkCause);
          this.events.ready(w);
        },
        report: (w, report, rows) => this.events.report(w, report, rows),
        returned: (w, ranges) => {
          this.events.returned(w, ranges);
          if (w.unwanted && w.pending === 0) w.stop(this.shrinkCause);
        },
        timedOut: (w, task, since) => this.events.timedOut(w, task, since),
        output: (w, stream, text) => this.events.output(w, stream, text),
        exit: (w, exit) => this.onExit(w, exit),
      },
    );
    this.workers.set(worker.id, worker);
    this.events.spawned(worker);
  }

  private onExit(worker: WorkerProcess, exit: WorkerExit): void {
    this.workers.delete(worker.id);
    this.events.exited(worker, exit);
    if (exit.cause === 'startup-failed' && !worker.unwanted) this.onStartupFailure(exit);
    else this.reconcile();
  }

  private onStartupFailure(exit: WorkerExit): void {
    if (this.closing) return;
    this.startupFailures++;
    if (this.startupFailures > this.options.startupRetries) {
      const why = describeStartFailure(exit, exit.stderrTail);
      this.brokenReason = `workers fail to start (${this.startupFailures} attempts; the last: ${why})`;
      this.events.broken(this.brokenReason);
      return;
    }
    // Back off a little before retrying, so a broken setup cannot become a respawn storm.
    this.backoffTimer = this.options.timers.setTimeout(
      () => {
        this.backoffTimer = null;
        this.reconcile();
      },
      50 * 2 ** (this.startupFailures - 1),
    );
  }
}

/** Who comes back first when the pool grows again: a ready worker before one still starting. */
const rank = (w: WorkerProcess) => (w.state === 'ready' ? 0 : 1);
/** Who goes first when the pool shrinks. */
const victimRank = (w: WorkerProcess) => (w.state === 'ready' ? (w.pending === 0 ? 0 : 1) : 2);
