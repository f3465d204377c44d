/**
 * The pool: Python's multiprocessing.Pool semantics over real worker processes,
 * with the failures Python hangs on handled. A thin facade: the supervisor
 * keeps the workers, each worker keeps what it holds, the dispatcher decides
 * who gets what, the run queue holds the rest; the pool turns what they report
 * into the run's counts and into frames.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { CancelRunning } from '../../shared/commands';
import type { Frame, PoolEvent, TaskCounts, TaskFailReason } from '../../shared/events';
import {
  effectiveChunkSize,
  runTitle,
  isClusterBackend,
  type Backend,
  type EngineBackend,
  type RunSpec,
} from '../../shared/run-spec';
import { WORKLOADS } from '../../shared/workloads';
import { calibrateSpin } from '../worker/workloads';
import { fill, LOOKAHEAD_MS } from './dispatcher';
import { FrameBuilder } from './frame-builder';
import type { Launcher } from './launcher';
import { RunQueue } from './run-queue';
import type { Sampler } from './sampler';
import { Supervisor } from './supervisor';
import { ThreadLauncher } from './thread-launcher';
import { realTimers, type Timers } from './timers';
import type { Report, WorkerExit, WorkerProcess } from './worker-process';

export interface PoolOptions {
  /** Starts worker processes (and the thread backends' host process). */
  launcher: Launcher;
  /** The built worker entry (out/main/worker.cjs); the thread host is built beside it. */
  workerEntry: string;
  poolSize?: number;
  /** The backend its first workers use (process unless told). */
  backend?: EngineBackend;
  sampler?: Sampler | null;
  sampleIntervalMs?: number;
  frameIntervalMs?: number;
  /** Record per-task start and end times (off only to measure what tracing costs). */
  trace?: boolean;
  /** Consecutive start-up failures tolerated before the pool gives up. */
  startupRetries?: number;
  /** A worker that has not said it is ready by then counts as a start-up failure. */
  readyTimeoutMs?: number;
  timers?: Timers;
  /** The host's frame stream, when the pool shares it with other sources (default: its own). */
  frames?: FrameBuilder;
}

export interface TaskFailure {
  task: number;
  reason: TaskFailReason;
  message: string;
}

export interface RunResult {
  runId: number;
  spec: RunSpec;
  chunksize: number;
  status: 'completed' | 'cancelled' | 'failed';
  error?: string;
  counts: TaskCounts;
  startedAt: number;
  finishedAt: number;
  /** Result of task i at index i; NaN where it returned nothing or did not succeed. */
  values: Float64Array;
  /** Task ids in the order they settled (successfully or not). */
  completionOrder: Int32Array;
  failures: TaskFailure[];
}

export class PoolError extends Error {
  constructor(
    readonly code: 'busy' | 'idle' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** A worker holding work that has shown no progress for this long (and this many task times) is stalled. */
const STALL_AFTER_MS = 1000;

/** One run: its queue, its counters and what it has produced. */
class Run {
  readonly chunksize: number;
  readonly queue: RunQueue;
  readonly counts: TaskCounts;
  readonly values: Float64Array;
  readonly completionOrder: Int32Array;
  readonly failures: TaskFailure[] = [];
  settledCount = 0;
  paused = false;
  cancelling: CancelRunning | null = null;
  /** Set when the run failed as a whole. */
  error: string | undefined;
  /** Estimated milliseconds per task, for the dispatcher's lookahead. */
  taskMs: number;
  readonly finished: Promise<RunResult>;
  resolve!: (result: RunResult) => void;

  constructor(
    readonly id: number,
    readonly spec: RunSpec,
    readonly startedAt: number,
  ) {
    this.chunksize = effectiveChunkSize(spec);
    this.queue = new RunQueue(spec.tasks);
    this.counts = { submitted: spec.tasks, queued: spec.tasks, running: 0, done: 0, failed: 0, cancelled: 0 };
    this.values = new Float64Array(spec.tasks).fill(NaN);
    this.completionOrder = new Int32Array(spec.tasks);
    this.taskMs = WORKLOADS[spec.workload].usesCost ? Math.max(spec.costMs, 0.001) : 0.001;
    this.finished = new Promise((resolve) => (this.resolve = resolve));
  }

  /** Tasks left the queue for a worker. */
  taken(count: number): void {
    this.counts.queued -= count;
    this.counts.running += count;
  }

  /** Tasks came back to the queue from a worker. */
  returned(first: number, count: number): void {
    this.queue.giveBack(first, count);
    this.counts.running -= count;
    this.counts.queued += count;
  }

  settle(task: number): void {
    this.completionOrder[this.settledCount++] = task;
    this.counts.running--;
  }
}

export class Pool {
  private readonly options: Required<Omit<PoolOptions, 'sampler' | 'backend' | 'poolSize' | 'frames'>> & {
    sampler: Sampler | null;
  };
  private readonly timers: Timers;
  private readonly frames: FrameBuilder;
  private readonly supervisor: Supervisor;
  private backend: EngineBackend;
  private run: Run | null = null;
  private sampleTimer: ReturnType<typeof setInterval> | null = null;
  private sampling = false;
  private itersPerMs: number | null = null;
  private threadLauncher: ThreadLauncher | null = null;
  private readyWaiters: (() => void)[] = [];
  private readonly exitWaiters = new Set<() => void>();
  private closing: Promise<void> | null = null;

  constructor(options: PoolOptions) {
    this.options = {
      sampler: null,
      sampleIntervalMs: 250,
      frameIntervalMs: 16,
      trace: true,
      startupRetries: 3,
      readyTimeoutMs: 10_000,
      timers: realTimers,
      ...options,
    };
    this.timers = this.options.timers;
    this.backend = options.backend ?? 'process';
    const size = this.backend === 'serial' ? 1 : (options.poolSize ?? availableParallelism());
    this.frames = options.frames ?? new FrameBuilder(this.options.frameIntervalMs);
    this.supervisor = new Supervisor(
      {
        workerEntry: this.options.workerEntry,
        readyTimeoutMs: this.options.readyTimeoutMs,
        startupRetries: this.options.startupRetries,
        timers: this.timers,
        newId: () => this.frames.newWorkerId(),
      },
      this.launcherFor(this.backend),
      size,
      {
        spawned: (w) => this.frames.event(this.spawnedEvent(w)),
        ready: (w) => this.onReady(w),
        report: (w, report, rows) => this.onReport(w, report, rows),
        returned: (w, ranges) => this.onReturned(w, ranges),
        timedOut: (w, task, since) => this.onTimedOut(w, task, since),
        output: (w, stream, text) =>
          this.frames.event({ type: 'output', worker: w.id, task: null, stream, text, at: this.timers.now() }),
        exited: (w, exit) => this.onExit(w, exit),
        broken: (reason) => this.onBroken(reason),
      },
    );
    if (this.options.sampler && this.options.sampleIntervalMs > 0) {
      this.sampleTimer = setInterval(() => void this.sample(), this.options.sampleIntervalMs);
      this.sampleTimer.unref();
    }
  }

  get size(): number {
    return this.supervisor.size;
  }

  get currentBackend(): EngineBackend {
    return this.backend;
  }

  get running(): boolean {
    return this.run !== null;
  }

  /** Live workers, for samplers and tests. */
  workerPids(): { worker: number; pid: number }[] {
    const pids: { worker: number; pid: number }[] = [];
    for (const w of this.supervisor.workers.values())
      if (w.alive && w.pid !== null) pids.push({ worker: w.id, pid: w.pid });
    return pids;
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.subscribe(listener, this.presentEvents());
  }

  /** The pool as it is now, told as the events that made it so (a late subscriber's catch-up). */
  presentEvents(): PoolEvent[] {
    const events: PoolEvent[] = [
      { type: 'pool-resized', at: this.timers.now(), poolSize: this.supervisor.size, backend: this.backend },
    ];
    for (const worker of this.supervisor.workers.values()) {
      if (!worker.alive) continue;
      events.push(this.spawnedEvent(worker));
      if (worker.readyAt !== null && worker.pid !== null)
        events.push({ type: 'worker-ready', worker: worker.id, pid: worker.pid, at: worker.readyAt });
    }
    const run = this.run;
    if (run) events.push(this.runStartedEvent(run));
    return events;
  }

  private spawnedEvent(worker: WorkerProcess): PoolEvent {
    const threads = this.backend === 'thread' || this.backend === 'gil';
    return {
      type: 'worker-spawned',
      worker: worker.id,
      pid: worker.pid,
      at: worker.spawnedAt,
      lane: threads ? { kind: 'thread', ...(worker.tid !== null ? { tid: worker.tid } : {}) } : { kind: 'process' },
    };
  }

  private runStartedEvent(run: Run): PoolEvent {
    const { spec } = run;
    return {
      type: 'run-started',
      runId: run.id,
      at: run.startedAt,
      run: {
        source: 'engine',
        title: runTitle(spec),
        spec,
        chunksize: run.chunksize,
        poolSize: spec.poolSize,
        backend: spec.backend,
      },
      tasks: spec.tasks,
    };
  }

  /** Resolves once `size` workers have said they are ready. */
  ready(): Promise<void> {
    if (this.closing) return Promise.reject(new PoolError('failed', 'the pool is closing'));
    if (this.supervisor.readyCount >= this.supervisor.size) return Promise.resolve();
    const broken = this.supervisor.broken;
    if (broken) return Promise.reject(new PoolError('failed', broken));
    return new Promise((resolve, reject) => {
      this.readyWaiters.push(() => {
        const reason = this.closing ? 'the pool is closing' : this.supervisor.broken;
        if (reason) reject(new PoolError('failed', reason));
        else resolve();
      });
    });
  }

  /** Sets size and backend; changing the backend replaces every worker. */
  configure(poolSize: number, backend: Backend): void {
    this.requireOpen();
    // The hub sends these to their bridge; reaching here is a host bug, said plainly.
    if (isClusterBackend(backend)) throw new PoolError('failed', `the built-in engine does not run ${backend}`);
    if (backend !== this.backend) {
      if (this.run) throw new PoolError('busy', `cannot switch to the ${backend} backend during a run`);
      this.backend = backend;
      this.supervisor.replaceAll(this.launcherFor(backend), 'closed');
    }
    this.resizeTo(backend === 'serial' ? 1 : poolSize);
  }

  /** Grows at once; shrinks by retiring workers after their current task (what they hold unstarted comes back). */
  resize(poolSize: number): void {
    this.requireOpen();
    if (this.backend === 'serial' && poolSize !== 1)
      throw new PoolError('failed', 'the serial backend always has one worker');
    this.resizeTo(poolSize);
  }

  private resizeTo(poolSize: number, cause: 'retired' | 'closed' = 'retired'): void {
    this.supervisor.resize(poolSize, cause);
    this.frames.event({ type: 'pool-resized', at: this.timers.now(), poolSize, backend: this.backend });
  }

  start(requested: RunSpec): { runId: number; finished: Promise<RunResult> } {
    this.requireOpen();
    if (this.run) throw new PoolError('busy', `run ${this.run.id} is still going; cancel it or wait`);
    // Serial is the baseline: one worker, whatever the slider says.
    const spec = requested.backend === 'serial' ? { ...requested, poolSize: 1 } : requested;
    if (spec.backend !== this.backend || spec.poolSize !== this.supervisor.size)
      this.configure(spec.poolSize, spec.backend);
    // A pool that gave up on starting workers gets a fresh chance with each run.
    if (this.supervisor.broken) this.supervisor.restart();
    this.itersPerMs ??= calibrateSpin();
    const run = new Run(this.frames.newRunId(), spec, this.timers.now());
    this.run = run;
    this.frames.track(run.id, run.counts);
    this.frames.event(this.runStartedEvent(run));
    for (const worker of this.supervisor.workers.values()) this.joinRun(worker);
    this.dispatch(this.supervisor.workers.values());
    return { runId: run.id, finished: run.finished };
  }

  pause(): void {
    const run = this.requireRun();
    run.paused = true;
    this.frames.event({ type: 'submission', runId: run.id, at: this.timers.now(), paused: true });
  }

  resume(): void {
    const run = this.requireRun();
    run.paused = false;
    this.frames.event({ type: 'submission', runId: run.id, at: this.timers.now(), paused: false });
    this.dispatch(this.supervisor.workers.values());
  }

  /**
   * Cancels the queued tasks. running = 'finish' lets what workers hold (each
   * one's current task and inbox) complete; 'kill' stops their workers now,
   * counts what they held as cancelled, and starts fresh workers in their place.
   */
  cancel(running: CancelRunning): void {
    const run = this.requireRun();
    run.cancelling = running;
    const at = this.timers.now();
    const ranges: [number, number, number][] = run.queue.drain().map(([first, count]) => [first, count, -1]);
    run.counts.queued = 0;
    if (running === 'kill') {
      for (const worker of this.supervisor.workers.values()) {
        if (worker.runId !== run.id || worker.pending === 0) continue;
        for (const [first, count] of worker.salvage('cancelled').requeue) {
          ranges.push([first, count, worker.id]);
          run.counts.running -= count;
        }
        this.supervisor.end(worker, 'cancelled', true);
      }
    }
    const cancelled = ranges.reduce((sum, [, count]) => sum + count, 0);
    run.counts.cancelled += cancelled;
    if (cancelled > 0) this.frames.event({ type: 'tasks-cancelled', runId: run.id, at, ranges });
    this.finishRunIfDone();
  }

  /** Cancels any run and replaces every worker with a fresh one. */
  reset(): void {
    this.requireOpen();
    if (this.run) this.cancel('kill');
    this.supervisor.replaceAll(this.launcherFor(this.backend), 'closed');
    this.frames.flush();
  }

  /**
   * Python's pool.close() and join(): every worker is asked to exit once it is
   * idle, and the pool stays empty until the next configure, resize or run.
   */
  closeWorkers(): void {
    this.requireOpen();
    if (this.run) throw new PoolError('busy', `run ${this.run.id} is still going; cancel it or wait`);
    this.resizeTo(0, 'closed');
  }

  /** Resolves once no worker is alive (after closeWorkers, say). */
  whenEmpty(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ([...this.supervisor.workers.values()].every((w) => w.state === 'exited')) {
          this.exitWaiters.delete(check);
          resolve();
        }
      };
      this.exitWaiters.add(check);
      check();
    });
  }

  /** Stops every worker; resolves when all are gone (killed if they do not stop in time). Safe to call twice. */
  close(graceMs = 1000): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.run) this.cancel('kill');
      if (this.sampleTimer) clearInterval(this.sampleTimer);
      const gone = this.whenEmpty();
      this.supervisor.closeAll(graceMs);
      await gone;
      this.frames.flush();
      this.frames.dispose();
    })();
    // Whoever waits for workers that will now never be ready hears why.
    for (const wake of this.readyWaiters.splice(0)) wake();
    return this.closing;
  }

  // ── workers ───────────────────────────────────────────────────────────────

  private launcherFor(backend: EngineBackend): Launcher {
    if (backend === 'process' || backend === 'serial') return this.options.launcher;
    this.threadLauncher ??= new ThreadLauncher(
      this.options.launcher,
      join(dirname(this.options.workerEntry), 'thread-host.cjs'),
    );
    return this.threadLauncher;
  }

  private onReady(worker: WorkerProcess): void {
    if (worker.pid !== null)
      this.frames.event({
        type: 'worker-ready',
        worker: worker.id,
        pid: worker.pid,
        at: worker.readyAt ?? this.timers.now(),
      });
    if (worker.state !== 'ready') return; // let go before it came up
    this.joinRun(worker);
    // It goes first: the chunk kept for it while it was starting is its own.
    this.dispatch([worker, ...[...this.supervisor.workers.values()].filter((w) => w !== worker)]);
    if (this.supervisor.readyCount >= this.supervisor.size) for (const wake of this.readyWaiters.splice(0)) wake();
  }

  /** Tells a ready worker about the current run. */
  private joinRun(worker: WorkerProcess): void {
    const run = this.run;
    if (!run || worker.state !== 'ready' || worker.runId === run.id || this.itersPerMs === null) return;
    worker.joinRun({ t: 'run', runId: run.id, spec: run.spec, itersPerMs: this.itersPerMs, trace: this.options.trace });
  }

  private onExit(worker: WorkerProcess, exit: WorkerExit): void {
    const run = this.run;
    const at = this.timers.now();
    if (run && worker.runId === run.id && worker.pending > 0) {
      const { lost, requeue } = worker.salvage(exit.cause);
      if (lost) {
        const how = exit.reason ?? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);
        const tail = exit.stderrTail ? `\n${exit.stderrTail}` : '';
        const verb = exit.cause === 'killed' ? 'was killed' : 'exited';
        this.failTask(
          run,
          worker,
          lost.task,
          lost.start ?? NaN,
          at,
          'crash',
          `worker ${worker.id} (pid ${exit.pid ?? 'unknown'}) ${verb} with ${how} while running task ${lost.task}${tail}`,
        );
      }
      for (const [first, count] of requeue) run.returned(first, count);
      if (requeue.length > 0)
        this.frames.event({ type: 'tasks-returned', runId: run.id, worker: worker.id, at, ranges: requeue });
    }
    this.frames.event({
      type: 'worker-exited',
      worker: worker.id,
      at,
      cause: exit.cause,
      code: exit.code,
      signal: exit.signal,
      stderrTail: exit.stderrTail,
      ...(exit.reason ? { reason: exit.reason } : {}),
    });
    for (const check of [...this.exitWaiters]) check();
    if (run) this.dispatch(this.supervisor.workers.values());
    this.finishRunIfDone();
  }

  private onBroken(reason: string): void {
    for (const wake of this.readyWaiters.splice(0)) wake();
    if (this.run) this.failRun(this.run, reason);
  }

  // ── dispatch ──────────────────────────────────────────────────────────────

  /** Tops up the given workers' holdings from the run's queue and sends what they got. */
  private dispatch(candidates: Iterable<WorkerProcess>): void {
    const run = this.run;
    if (!run || run.paused || run.cancelling || run.queue.empty) return;
    const targets: WorkerProcess[] = [];
    for (const worker of candidates) if (worker.canWork(run.id)) targets.push(worker);
    if (targets.length === 0) return;
    const at = this.timers.now();
    const reserved = this.supervisor.startingCount;
    fill(run, targets, at, reserved, (target, first, count) => {
      run.taken(count);
      this.frames.dispatched(target.id, first, count, at, run.chunksize);
    });
    for (const worker of targets) {
      worker.flush();
      // A long task gives no news until it ends: come back when it is about to, so the next is already there.
      const held = worker.heldMs(run.taskMs, at);
      if (worker.pending > 0 && held >= LOOKAHEAD_MS && held < 60_000)
        worker.wakeAt(at + held - LOOKAHEAD_MS, () => this.dispatch([worker]));
    }
  }

  private onReport(worker: WorkerProcess, report: Report, rows: number): void {
    for (const line of report.output) {
      this.frames.event({
        type: 'output',
        worker: worker.id,
        task: line.task,
        stream: line.stream,
        text: line.text,
        at: line.at,
      });
    }
    const run = this.run;
    if (!run || report.runId !== run.id) return;
    const settled = report.settled;
    const { task, start, end, cpu, coreWait, result, ok, errors } = settled;
    let errorIndex = 0;
    let busyMs = 0;
    // Runs of successes go to the frame in bulk; a failure is taken on its own, in its place.
    let from = 0;
    for (let k = 0; k < rows; k++) {
      const id = task[k];
      busyMs += end[k] - start[k];
      if (ok[k]) {
        run.values[id] = result[k];
        run.completionOrder[run.settledCount++] = id;
        continue;
      }
      this.frames.settledRows(worker.id, settled, from, k);
      from = k + 1;
      const message = errors[errorIndex++] ?? 'task failed';
      this.failTask(run, worker, id, start[k], end[k], 'error', message, cpu[k], coreWait[k]);
    }
    this.frames.settledRows(worker.id, settled, from, rows);
    const succeeded = rows - errorIndex;
    run.counts.done += succeeded;
    run.counts.running -= succeeded;
    const { waits } = report;
    for (let k = 0; k + 2 < waits.length; k += 3) this.frames.lockWait(worker.id, waits[k], waits[k + 1], waits[k + 2]);
    if (this.options.trace && rows > 0) run.taskMs = Math.max(0.0005, 0.5 * run.taskMs + 0.5 * (busyMs / rows));
    if (report.started && worker.headTask() === report.started.task)
      this.frames.started(worker.id, report.started.task, report.started.at);
    if (worker.spent) this.supervisor.end(worker, 'recycled', false);
    else this.dispatch([worker]);
    this.frames.touch();
    this.finishRunIfDone();
  }

  private onReturned(worker: WorkerProcess, ranges: [number, number][]): void {
    const run = this.run;
    if (!run || worker.runId !== run.id) return;
    if (ranges.length > 0) {
      for (const [first, count] of ranges) run.returned(first, count);
      this.frames.event({ type: 'tasks-returned', runId: run.id, worker: worker.id, at: this.timers.now(), ranges });
    }
    // Also with nothing given back: a worker taken back while it retired can work again.
    this.dispatch(this.supervisor.workers.values());
  }

  private onTimedOut(worker: WorkerProcess, task: number, since: number): void {
    const run = this.run;
    if (!run || worker.runId !== run.id) return;
    const limit = run.spec.timeoutMs;
    worker.dropHead();
    this.failTask(
      run,
      worker,
      task,
      since,
      this.timers.now(),
      'timeout',
      `task ${task} exceeded its ${limit} ms timeout; worker ${worker.id} was killed`,
    );
    this.supervisor.end(worker, 'timed-out', true);
    this.finishRunIfDone();
  }

  private failTask(
    run: Run,
    worker: WorkerProcess,
    task: number,
    start: number,
    end: number,
    reason: TaskFailReason,
    message: string,
    cpu = NaN,
    coreWait = NaN,
  ): void {
    run.settle(task);
    run.counts.failed++;
    run.failures.push({ task, reason, message });
    this.frames.event({ type: 'task-failed', runId: run.id, task, worker: worker.id, reason, message });
    this.frames.settled(worker.id, task, start, end, cpu, coreWait, NaN, false);
  }

  /** The run cannot go on: what is left of it is cancelled and the run reports why. */
  private failRun(run: Run, error: string): void {
    run.error = error;
    this.cancel('kill');
  }

  private finishRunIfDone(): void {
    const run = this.run;
    if (!run || run.counts.queued > 0 || run.counts.running > 0) return;
    const status = run.error ? 'failed' : run.cancelling ? 'cancelled' : 'completed';
    this.run = null;
    const finishedAt = this.timers.now();
    const counts = { ...run.counts };
    this.frames.event({
      type: 'run-finished',
      runId: run.id,
      at: finishedAt,
      status,
      counts,
      ...(run.error ? { error: run.error } : {}),
    });
    this.frames.flush();
    run.resolve({
      runId: run.id,
      spec: run.spec,
      chunksize: run.chunksize,
      status,
      error: run.error,
      counts,
      startedAt: run.startedAt,
      finishedAt,
      values: run.values,
      completionOrder: run.completionOrder.subarray(0, run.settledCount),
      failures: run.failures,
    });
  }

  private requireRun(): Run {
    if (!this.run) throw new PoolError('idle', 'no run is going');
    return this.run;
  }

  private requireOpen(): void {
    if (this.closing) throw new PoolError('failed', 'the pool is closing');
  }

  private async sample(): Promise<void> {
    // One at a time: on a saturated machine reading /proc can take longer than the interval, and
    // overlapping samples would measure over a few milliseconds instead of the interval.
    if (this.sampling) return;
    this.sampling = true;
    try {
      await this.sampleNow();
    } finally {
      this.sampling = false;
    }
  }

  private async sampleNow(): Promise<void> {
    const sampler = this.options.sampler;
    if (!sampler || !this.frames.active) return;
    const live = [...this.supervisor.workers.values()].filter((w) => w.alive && w.pid !== null);
    if (live.length === 0) return;
    const samples = await sampler.sample(live.map((w) => ({ worker: w.id, pid: w.pid as number, tid: w.tid })));
    const at = this.timers.now();
    const byId = new Map(live.map((w) => [w.id, w]));
    for (const sample of samples) {
      const worker = byId.get(sample.worker);
      // Stopped or stuck in the kernel, the scheduler says so; otherwise holding work without progress, on no CPU.
      if (sample.stalledMs === null && worker && worker.pending > 0 && sample.cpu < 1) {
        const quiet = at - worker.lastProgressAt;
        const expected = Math.max(STALL_AFTER_MS, 3 * (this.run?.taskMs ?? 0));
        if (quiet > expected) sample.stalledMs = quiet;
      }
    }
    if (samples.length === 0) return;
    // Threads share their process: count each process's CPU once for the machine's figure.
    const cpuByPid = new Map<number, number>();
    for (const sample of samples) cpuByPid.set(sample.pid, (cpuByPid.get(sample.pid) ?? 0) + sample.cpu);
    let workersCpu = 0;
    for (const cpu of cpuByPid.values()) workersCpu += cpu;
    const machine = sampler.machine ? await sampler.machine(workersCpu) : undefined;
    this.frames.event({ type: 'sample', at, workers: samples, ...(machine ? { machine } : {}) });
  }
}
