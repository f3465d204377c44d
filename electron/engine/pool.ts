/**
 * The pool: Python's multiprocessing.Pool semantics over real worker processes,
 * with the failures Python hangs on handled: a worker that dies fails only the
 * task it was running, the rest of its work is requeued, and it is replaced.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Backend, RunSpec } from '../../shared/run-spec';
import { effectiveChunkSize } from '../../shared/run-spec';
import type { CancelRunning, Frame, PoolEvent, TaskCounts, TaskFailReason } from '../../shared/protocol';
import { WORKLOADS } from '../../shared/workloads';
import type { FromWorker } from '../worker/messages';
import { calibrateSpin } from '../worker/workloads';
import { now } from './clock';
import { FrameBuilder } from './frame-builder';
import type { Launcher } from './launcher';
import type { Sampler } from './sampler';
import { ThreadLauncher } from './thread-launcher';
import { WorkerProcess, type WorkerExit } from './worker-process';

export interface PoolOptions {
  /** Starts worker processes (and the thread backends' host process). */
  launcher: Launcher;
  /** The built worker entry (out/main/worker.cjs); the thread host is built beside it. */
  workerEntry: string;
  poolSize?: number;
  /** The backend its first workers use (process unless told). */
  backend?: Backend;
  sampler?: Sampler | null;
  sampleIntervalMs?: number;
  frameIntervalMs?: number;
  /** Record per-task start and end times (off only to measure what tracing costs). */
  trace?: boolean;
  /** Consecutive start-up failures tolerated before the pool gives up. */
  startupRetries?: number;
  /** A worker that has not said it is ready by then counts as a start-up failure. */
  readyTimeoutMs?: number;
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

/** How much queued work each worker should hold, in milliseconds, to hide IPC latency. */
const INFLIGHT_TARGET_MS = 20;
const MAX_INFLIGHT_CHUNKS = 4096;
const MIN_INFLIGHT_CHUNKS = 2;

export class PoolError extends Error {
  constructor(
    readonly code: 'busy' | 'idle' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** One run: a lazy queue over task indices plus its counters. */
class Run {
  readonly chunksize: number;
  readonly counts: TaskCounts;
  readonly values: Float64Array;
  readonly completionOrder: Int32Array;
  readonly failures: TaskFailure[] = [];
  settledCount = 0;
  paused = false;
  cancelling: CancelRunning | null = null;
  /** Set when the run failed as a whole. */
  error: string | undefined;
  nextChunkId = 0;
  /** Estimated milliseconds per task, to size the in-flight window. */
  taskMs: number;
  readonly startedAt = now();
  /** Ranges put back after a worker died, served before the untouched tail. */
  private readonly requeued: [number, number][] = [];
  private cursor = 0;
  readonly finished: Promise<RunResult>;
  resolve!: (result: RunResult) => void;

  constructor(
    readonly id: number,
    readonly spec: RunSpec,
  ) {
    this.chunksize = effectiveChunkSize(spec);
    this.counts = { submitted: spec.tasks, queued: spec.tasks, running: 0, done: 0, failed: 0, cancelled: 0 };
    this.values = new Float64Array(spec.tasks).fill(NaN);
    this.completionOrder = new Int32Array(spec.tasks);
    this.taskMs = WORKLOADS[spec.workload].usesCost ? Math.max(spec.costMs, 0.001) : 0.001;
    this.finished = new Promise((resolve) => (this.resolve = resolve));
  }

  get hasQueued(): boolean {
    return this.counts.queued > 0;
  }

  /** Up to `size` contiguous queued tasks. */
  take(size: number): [first: number, count: number] {
    const head = this.requeued[0];
    let first: number;
    let count: number;
    if (head) {
      first = head[0];
      count = Math.min(size, head[1]);
      if (count === head[1]) this.requeued.shift();
      else head.splice(0, 2, first + count, head[1] - count);
    } else {
      first = this.cursor;
      count = Math.min(size, this.spec.tasks - this.cursor);
      this.cursor += count;
    }
    this.counts.queued -= count;
    this.counts.running += count;
    return [first, count];
  }

  requeue(first: number, count: number): void {
    if (count <= 0) return;
    this.requeued.push([first, count]);
    this.requeued.sort((a, b) => a[0] - b[0]);
    this.counts.running -= count;
    this.counts.queued += count;
  }

  /** Every queued task, as ranges, removed from the queue. */
  drainQueued(): [number, number][] {
    const ranges = this.requeued.splice(0);
    if (this.cursor < this.spec.tasks) ranges.push([this.cursor, this.spec.tasks - this.cursor]);
    this.cursor = this.spec.tasks;
    this.counts.queued = 0;
    return ranges;
  }

  settle(task: number): void {
    this.completionOrder[this.settledCount++] = task;
    this.counts.running--;
  }
}

export class Pool {
  private readonly options: Required<Omit<PoolOptions, 'sampler' | 'backend'>> & { sampler: Sampler | null };
  private readonly workers = new Map<number, WorkerProcess>();
  private readonly frames: FrameBuilder;
  private desiredSize: number;
  private backend: Backend;
  private nextWorkerId = 1;
  private nextRunId = 1;
  private run: Run | null = null;
  /** The most recent run, finished or not, for frame snapshots. */
  private lastRun: Run | null = null;
  private startupFailures = 0;
  private startupTimer: ReturnType<typeof setTimeout> | null = null;
  private brokenReason: string | null = null;
  private closing = false;
  private sampleTimer: ReturnType<typeof setInterval> | null = null;
  private itersPerMs: number | null = null;
  private threadLauncher: ThreadLauncher | null = null;
  private readyWaiters: (() => void)[] = [];
  private readonly exitWaiters = new Map<number, () => void>();

  constructor(options: PoolOptions) {
    this.options = {
      poolSize: availableParallelism(),
      sampler: null,
      sampleIntervalMs: 250,
      frameIntervalMs: 16,
      trace: true,
      startupRetries: 3,
      readyTimeoutMs: 10_000,
      ...options,
    };
    this.backend = options.backend ?? 'process';
    this.desiredSize = this.backend === 'serial' ? 1 : this.options.poolSize;
    this.frames = new FrameBuilder(
      () => ({ runId: this.lastRun?.id ?? null, counts: this.lastRun?.counts ?? null }),
      this.options.frameIntervalMs,
    );
    this.refill();
    if (this.options.sampler && this.options.sampleIntervalMs > 0) {
      this.sampleTimer = setInterval(() => void this.sample(), this.options.sampleIntervalMs);
      this.sampleTimer.unref();
    }
  }

  get size(): number {
    return this.desiredSize;
  }

  get currentBackend(): Backend {
    return this.backend;
  }

  get running(): boolean {
    return this.run !== null;
  }

  /** Live workers, for samplers and tests. */
  workerPids(): { worker: number; pid: number }[] {
    return [...this.workers.values()]
      .filter((w) => w.alive && w.pid !== undefined)
      .map((w) => ({ worker: w.id, pid: w.pid as number }));
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.subscribe(listener, this.presentEvents());
  }

  /** The pool as it is now, told as the events that made it so. */
  private presentEvents(): PoolEvent[] {
    const events: PoolEvent[] = [
      { type: 'pool-resized', at: now(), poolSize: this.desiredSize, backend: this.backend },
    ];
    for (const worker of this.workers.values()) {
      if (!worker.alive) continue;
      events.push({ type: 'worker-spawned', worker: worker.id, pid: worker.pid ?? null, at: worker.spawnedAt });
      if (worker.readyAt !== null && worker.pid !== undefined) {
        events.push({ type: 'worker-ready', worker: worker.id, pid: worker.pid, at: worker.readyAt });
      }
    }
    const run = this.run;
    if (run)
      events.push({ type: 'run-started', runId: run.id, at: run.startedAt, spec: run.spec, chunksize: run.chunksize });
    return events;
  }

  /** Resolves once `size` workers have said they are ready. */
  ready(): Promise<void> {
    if (this.readyCount() >= this.desiredSize) return Promise.resolve();
    if (this.brokenReason) return Promise.reject(new PoolError('failed', this.brokenReason));
    return new Promise((resolve, reject) => {
      this.readyWaiters.push(() =>
        this.brokenReason ? reject(new PoolError('failed', this.brokenReason)) : resolve(),
      );
    });
  }

  /** Sets size and backend; changing the backend replaces every worker. */
  configure(poolSize: number, backend: Backend): void {
    if (backend !== this.backend) {
      if (this.run) throw new PoolError('busy', `cannot switch to the ${backend} backend during a run`);
      this.backend = backend;
      for (const worker of this.workers.values()) this.endWorker(worker, 'closed');
    }
    this.resizeTo(backend === 'serial' ? 1 : poolSize);
  }

  /** Grows at once; shrinks by retiring workers once their dispatched work is done. */
  resize(poolSize: number): void {
    if (this.backend === 'serial' && poolSize !== 1)
      throw new PoolError('failed', 'the serial backend always has one worker');
    this.resizeTo(poolSize);
  }

  private resizeTo(poolSize: number): void {
    this.desiredSize = poolSize;
    this.frames.event({ type: 'pool-resized', at: now(), poolSize, backend: this.backend });
    const live = [...this.workers.values()].filter((w) => w.state === 'starting' || w.state === 'ready');
    const excess = live.length - poolSize;
    if (excess > 0) {
      // Retire the least busy first; the newest among equals.
      live.sort((a, b) => a.pendingTasks - b.pendingTasks || b.id - a.id);
      for (const worker of live.slice(0, excess)) this.retire(worker);
    }
    this.refill();
  }

  start(requested: RunSpec): { runId: number; finished: Promise<RunResult> } {
    if (this.run) throw new PoolError('busy', `run ${this.run.id} is still going; cancel it or wait`);
    // Serial is the baseline: one worker, whatever the slider says.
    const spec = requested.backend === 'serial' ? { ...requested, poolSize: 1 } : requested;
    if (spec.backend !== this.backend || spec.poolSize !== this.desiredSize)
      this.configure(spec.poolSize, spec.backend);
    // A pool that gave up on starting workers gets a fresh chance with each run.
    this.brokenReason = null;
    this.startupFailures = 0;
    this.itersPerMs ??= calibrateSpin();
    const run = new Run(this.nextRunId++, spec);
    this.run = run;
    this.lastRun = run;
    this.frames.event({ type: 'run-started', runId: run.id, at: run.startedAt, spec, chunksize: run.chunksize });
    this.refill();
    for (const worker of this.workers.values()) this.joinRun(worker, false);
    this.fillAll(this.workers.values());
    return { runId: run.id, finished: run.finished };
  }

  pause(): void {
    const run = this.requireRun();
    run.paused = true;
    this.frames.event({ type: 'submission', runId: run.id, at: now(), paused: true });
  }

  resume(): void {
    const run = this.requireRun();
    run.paused = false;
    this.frames.event({ type: 'submission', runId: run.id, at: now(), paused: false });
    this.fillAll(this.workers.values());
  }

  /**
   * Cancels the queued tasks. running = 'finish' lets dispatched tasks (including
   * each worker's prefetched inbox) complete; 'kill' stops their workers now, counts
   * their unfinished tasks as cancelled, and starts fresh workers in their place.
   */
  cancel(running: CancelRunning): void {
    const run = this.requireRun();
    run.cancelling = running;
    const ranges = run.drainQueued();
    if (running === 'kill') {
      for (const worker of this.workers.values()) {
        if (worker.runId !== run.id || worker.inflight.length === 0) continue;
        for (const chunk of worker.inflight.splice(0)) {
          const left = chunk.count - chunk.settled;
          if (left > 0) ranges.push([chunk.first + chunk.settled, left]);
          run.counts.running -= left;
        }
        this.endWorker(worker, 'cancelled');
      }
      this.refill();
    }
    const cancelled = ranges.reduce((sum, [, count]) => sum + count, 0);
    run.counts.cancelled += cancelled;
    if (cancelled > 0) this.frames.event({ type: 'tasks-cancelled', runId: run.id, at: now(), ranges });
    this.finishRunIfDone();
  }

  /** Cancels any run and replaces every worker with a fresh one. */
  reset(): void {
    if (this.run) this.cancel('kill');
    for (const worker of this.workers.values()) this.endWorker(worker, 'closed');
    this.brokenReason = null;
    this.startupFailures = 0;
    this.refill();
    this.frames.flush();
  }

  /**
   * Python's pool.close() and join(): every worker is asked to exit once it is
   * idle, and the pool stays empty until the next configure, resize or run.
   */
  closeWorkers(): void {
    if (this.run) throw new PoolError('busy', `run ${this.run.id} is still going; cancel it or wait`);
    this.desiredSize = 0;
    this.frames.event({ type: 'pool-resized', at: now(), poolSize: 0, backend: this.backend });
    for (const worker of this.workers.values()) worker.stop('closed');
  }

  /** Stops every worker; resolves when all are gone (killed if they do not stop in time). */
  async close(graceMs = 1000): Promise<void> {
    if (this.run) this.cancel('kill');
    this.closing = true;
    if (this.sampleTimer) clearInterval(this.sampleTimer);
    if (this.startupTimer) clearTimeout(this.startupTimer);
    const gone = [...this.workers.values()].map(
      (worker) =>
        new Promise<void>((resolve) =>
          worker.state === 'exited' ? resolve() : this.exitWaiters.set(worker.id, resolve),
        ),
    );
    for (const worker of this.workers.values()) worker.stop('closed', graceMs);
    await Promise.all(gone);
    this.frames.flush();
    this.frames.dispose();
  }

  // ── workers ───────────────────────────────────────────────────────────────

  private readyCount(): number {
    let ready = 0;
    for (const w of this.workers.values()) if (w.state === 'ready') ready++;
    return ready;
  }

  private liveCount(): number {
    let live = 0;
    for (const w of this.workers.values()) if (w.state === 'starting' || w.state === 'ready') live++;
    return live;
  }

  /** Starts workers until the pool is back to its size. */
  private refill(): void {
    if (this.closing || this.brokenReason || this.startupTimer) return;
    while (this.liveCount() < this.desiredSize) this.spawn();
  }

  private spawn(): void {
    const worker = new WorkerProcess(
      {
        id: this.nextWorkerId++,
        entry: this.options.workerEntry,
        launcher: this.launcherFor(this.backend),
        readyTimeoutMs: this.options.readyTimeoutMs,
      },
      {
        ready: (w, pid, at) => this.onReady(w, pid, at),
        report: (w, report) => this.onReport(w, report),
        output: (w, stream, text) =>
          this.frames.event({ type: 'output', worker: w.id, task: null, stream, text, at: now() }),
        exit: (w, exit) => this.onExit(w, exit),
      },
    );
    this.workers.set(worker.id, worker);
    // Electron's launcher learns the pid only after spawning; worker-ready carries it too.
    this.frames.event({ type: 'worker-spawned', worker: worker.id, pid: worker.pid ?? null, at: worker.spawnedAt });
  }

  private launcherFor(backend: Backend): Launcher {
    if (backend === 'process' || backend === 'serial') return this.options.launcher;
    this.threadLauncher ??= new ThreadLauncher(
      this.options.launcher,
      join(dirname(this.options.workerEntry), 'thread-host.cjs'),
    );
    return this.threadLauncher;
  }

  private onReady(worker: WorkerProcess, pid: number, at: number): void {
    this.startupFailures = 0;
    this.frames.event({ type: 'worker-ready', worker: worker.id, pid, at });
    if (this.closing) return;
    if (this.liveCount() > this.desiredSize) {
      this.retire(worker);
      return;
    }
    this.joinRun(worker);
    if (this.readyCount() >= this.desiredSize) for (const wake of this.readyWaiters.splice(0)) wake();
  }

  /** Tells a ready worker about the current run and gives it work. */
  private joinRun(worker: WorkerProcess, fill = true): void {
    const run = this.run;
    if (!run || worker.state !== 'ready' || worker.runId === run.id || this.itersPerMs === null) return;
    worker.runId = run.id;
    worker.send({ t: 'run', runId: run.id, spec: run.spec, itersPerMs: this.itersPerMs, trace: this.options.trace });
    if (fill) this.fill(worker);
  }

  private retire(worker: WorkerProcess): void {
    if (worker.pendingTasks === 0) worker.stop('retired');
    else worker.state = 'retiring';
  }

  private endWorker(worker: WorkerProcess, cause: 'cancelled' | 'closed' | 'timed-out'): void {
    if (worker.timeoutTimer) clearTimeout(worker.timeoutTimer);
    worker.kill(cause);
  }

  private onExit(worker: WorkerProcess, exit: WorkerExit): void {
    if (worker.timeoutTimer) clearTimeout(worker.timeoutTimer);
    this.workers.delete(worker.id);
    this.exitWaiters.get(worker.id)?.();
    this.exitWaiters.delete(worker.id);
    this.frames.event({
      type: 'worker-exited',
      worker: worker.id,
      at: now(),
      cause: exit.cause,
      code: exit.code,
      signal: exit.signal,
      stderrTail: exit.stderrTail,
    });
    const run = this.run;
    if (run && worker.runId === run.id && worker.inflight.length > 0) this.salvage(run, worker, exit);
    if (exit.cause === 'startup-failed') this.onStartupFailure(exit);
    else this.refill();
    this.finishRunIfDone();
  }

  /** A worker died holding work: fail the task it was running, requeue the rest. */
  private salvage(run: Run, worker: WorkerProcess, exit: WorkerExit): void {
    const [head, ...rest] = worker.inflight.splice(0);
    let requeueFrom = head.first + head.settled;
    if (exit.cause === 'crashed' && head.settled < head.count) {
      const task = requeueFrom++;
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      const tail = exit.stderrTail ? `\n${exit.stderrTail}` : '';
      const start = worker.current?.task === task ? worker.current.at : null;
      this.failTask(
        run,
        worker,
        task,
        start,
        'crash',
        `worker ${worker.id} (pid ${worker.pid}) exited with ${how} while running task ${task}${tail}`,
      );
    }
    run.requeue(requeueFrom, head.first + head.count - requeueFrom);
    for (const chunk of rest) run.requeue(chunk.first + chunk.settled, chunk.count - chunk.settled);
    this.frames.touch();
  }

  private onStartupFailure(exit: WorkerExit): void {
    this.startupFailures++;
    if (this.startupFailures > this.options.startupRetries) {
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      const tail = exit.stderrTail ? `: ${exit.stderrTail.split('\n').slice(-3).join(' | ')}` : '';
      this.brokenReason = `workers fail to start (${this.startupFailures} attempts, last with ${how})${tail}`;
      for (const wake of this.readyWaiters.splice(0)) wake();
      if (this.run) this.failRun(this.run, this.brokenReason);
      return;
    }
    // Back off a little before retrying, so a broken setup cannot become a respawn storm.
    const delay = 50 * 2 ** (this.startupFailures - 1);
    this.startupTimer = setTimeout(() => {
      this.startupTimer = null;
      this.refill();
    }, delay);
  }

  // ── dispatch ──────────────────────────────────────────────────────────────

  /** How many chunks a worker should hold so it never waits for the next message. */
  private windowFor(run: Run): number {
    const chunkMs = run.taskMs * run.chunksize;
    return Math.max(MIN_INFLIGHT_CHUNKS, Math.min(MAX_INFLIGHT_CHUNKS, Math.ceil(INFLIGHT_TARGET_MS / chunkMs)));
  }

  private fill(worker: WorkerProcess): void {
    this.fillAll([worker]);
  }

  /**
   * Tops up each worker's in-flight window, one chunk per worker per round, so a
   * short run is shared out fairly instead of landing on whoever asked first.
   */
  private fillAll(workers: Iterable<WorkerProcess>): void {
    const run = this.run;
    if (!run || run.paused || run.cancelling) return;
    const window = this.windowFor(run);
    const limit = run.spec.maxTasksPerWorker;
    const at = now();
    const lists = new Map<WorkerProcess, number[]>();
    for (const worker of workers) if (worker.state === 'ready' && worker.runId === run.id) lists.set(worker, []);
    let progress = true;
    while (progress && run.hasQueued) {
      progress = false;
      for (const [worker, list] of lists) {
        if (!run.hasQueued || worker.inflight.length >= window) continue;
        const size = limit > 0 ? Math.min(run.chunksize, limit - worker.assigned) : run.chunksize;
        if (size <= 0) continue;
        const [first, count] = run.take(size);
        worker.inflight.push({ id: run.nextChunkId++, first, count, settled: 0, dispatchedAt: at });
        worker.assigned += count;
        list.push(run.nextChunkId - 1, first, count);
        this.frames.dispatched(worker.id, first, count, at);
        progress = true;
      }
    }
    for (const [worker, list] of lists) if (list.length > 0) worker.send({ t: 'chunks', runId: run.id, list });
  }

  private onReport(worker: WorkerProcess, report: Extract<FromWorker, { t: 'report' }>): void {
    const run = this.run;
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
    if (!run || report.runId !== run.id || worker.runId !== run.id) return;
    const { task, start, end, result, ok, errors } = report.settled;
    let errorIndex = 0;
    let busyMs = 0;
    for (let k = 0; k < task.length; k++) {
      const chunk = worker.inflight[0];
      if (!chunk) break; // cancelled with 'kill' while the report was on its way
      const id = task[k];
      if (id !== chunk.first + chunk.settled) {
        this.frames.event({
          type: 'output',
          worker: worker.id,
          task: id,
          stream: 'stderr',
          text: `poolscope: out-of-order report for task ${id}`,
          at: now(),
        });
        continue;
      }
      if (++chunk.settled === chunk.count) worker.inflight.shift();
      if (worker.current?.task === id) {
        worker.current = null;
        if (worker.timeoutTimer) clearTimeout(worker.timeoutTimer);
      }
      busyMs += end[k] - start[k];
      if (ok[k]) {
        const value = result[k];
        run.values[id] = value;
        run.settle(id);
        run.counts.done++;
        this.frames.done(worker.id, id, start[k], end[k], Number.isNaN(value) ? null : value);
      } else {
        this.failTask(run, worker, id, start[k], 'error', errors[errorIndex++] ?? 'task failed', end[k]);
      }
    }
    const { waits } = report;
    for (let k = 0; k + 2 < waits.length; k += 3) this.frames.lockWait(worker.id, waits[k], waits[k + 1], waits[k + 2]);
    if (this.options.trace && task.length > 0)
      run.taskMs = Math.max(0.0005, 0.5 * run.taskMs + 0.5 * (busyMs / task.length));
    if (report.started && worker.inflight.length > 0) {
      worker.current = report.started;
      this.frames.started(worker.id, report.started.task, report.started.at);
      this.armTimeout(run, worker, report.started.task, report.started.at);
    }
    this.afterProgress(run, worker);
  }

  private afterProgress(run: Run, worker: WorkerProcess): void {
    const limit = run.spec.maxTasksPerWorker;
    if (worker.inflight.length === 0 && worker.state === 'retiring') worker.stop('retired');
    else if (worker.inflight.length === 0 && limit > 0 && worker.assigned >= limit) {
      worker.stop('recycled');
      this.refill();
    } else this.fill(worker);
    this.frames.touch();
    this.finishRunIfDone();
  }

  private armTimeout(run: Run, worker: WorkerProcess, task: number, startedAt: number): void {
    if (worker.timeoutTimer) clearTimeout(worker.timeoutTimer);
    const limit = run.spec.timeoutMs;
    if (limit <= 0) return;
    const check = () => {
      const head = worker.inflight[0];
      if (this.run !== run || !head || head.first + head.settled !== task) return;
      // Timers may fire a hair early on our clock: a task is never failed before its time.
      const left = startedAt + limit - now();
      if (left > 0) {
        worker.timeoutTimer = setTimeout(check, left);
        return;
      }
      if (++head.settled === head.count) worker.inflight.shift();
      this.failTask(
        run,
        worker,
        task,
        startedAt,
        'timeout',
        `task ${task} exceeded its ${limit} ms timeout; worker ${worker.id} was killed`,
      );
      this.endWorker(worker, 'timed-out');
      this.refill();
      this.finishRunIfDone();
    };
    worker.timeoutTimer = setTimeout(check, Math.max(0, startedAt + limit - now()));
  }

  private failTask(
    run: Run,
    worker: WorkerProcess,
    task: number,
    start: number | null,
    reason: TaskFailReason,
    message: string,
    at = now(),
  ): void {
    run.settle(task);
    run.counts.failed++;
    run.failures.push({ task, reason, message });
    this.frames.event({ type: 'task-failed', runId: run.id, task, worker: worker.id, start, at, reason, message });
  }

  /** The run cannot go on: what is left of it is cancelled and the run reports why. */
  private failRun(run: Run, error: string): void {
    run.error = error;
    this.cancel('kill');
  }

  private finishRunIfDone(): void {
    const run = this.run;
    if (!run || run.counts.queued > 0 || run.counts.running > 0) return;
    this.finishRun(run, run.error ? 'failed' : run.cancelling ? 'cancelled' : 'completed', run.error);
  }

  private finishRun(run: Run, status: RunResult['status'], error?: string): void {
    this.run = null;
    const finishedAt = now();
    const counts = { ...run.counts };
    this.frames.event({
      type: 'run-finished',
      runId: run.id,
      at: finishedAt,
      status,
      counts,
      ...(error ? { error } : {}),
    });
    this.frames.flush();
    run.resolve({
      runId: run.id,
      spec: run.spec,
      chunksize: run.chunksize,
      status,
      error,
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

  private async sample(): Promise<void> {
    const sampler = this.options.sampler;
    const targets = this.workerPids();
    if (!sampler || targets.length === 0 || !this.frames.active) return;
    const workers = await sampler.sample(targets);
    if (workers.length > 0) this.frames.event({ type: 'sample', at: now(), workers });
  }
}
