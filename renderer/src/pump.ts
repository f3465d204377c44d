/**
 * The event pump, outside React: frames go straight into the columnar TaskStore
 * (and the flight tracker), the draw loop is told, and React gets a coarse
 * snapshot of the run at most ten times a second. The live pump draws the
 * session's store of the newest run, which the history has already fed; a
 * replay's pump feeds a store of its own.
 */
import type { PoolscopeApi } from '../../shared/api';
import type { Session } from '../../shared/jobs/session';
import type { Frame, MachineSample, TaskFailReason } from '../../shared/events';
import { computeStats, type RunStats } from '../../shared/stats';
import { TaskStore, type Lane } from '../../shared/task-store';
import type { DrawLoop } from './draw/loop';
import { FlightTracker } from './draw/flights';
import { shareOfSample } from './draw/pool/model';
import { LiveSeries } from './live-series';
import { MachineLoadMeter } from './machine-load';
import { EMPTY_RUN, type RunSnapshot, type WorkerRow, type WorkerState } from './store/run-slice';

const PUBLISH_INTERVAL_MS = 100;
/**
 * How far "now" may run ahead of the last frame. Frames come at least with every
 * sample (~250 ms) while workers live; a page that falls behind a burst of big
 * frames must not draw time that has not been reported yet.
 */
const MAX_EXTRAPOLATION_MS = 300;
/** No frame for this long and the pump asks whether the host is still there. */
const SILENCE_MS = 3000;

export class Pump {
  readonly flights = new FlightTracker();
  readonly series = new LiveSeries();
  /** How busy the rest of the machine was during the current run. */
  readonly machine = new MachineLoadMeter();
  private machineRun: number | null = null;
  /** Failure kinds seen this run, found incrementally (a run may fail a million tasks). */
  private failureKinds = { error: false, timeout: false, crash: false };
  private failuresSeen = 0;
  /** Phase kinds seen this run, as bits of PHASE_KINDS, found incrementally too. */
  private phaseKinds = 0;
  private phasesSeen = 0;
  /** The machine at the latest sample: what other programs used and how busy each core was (the cores view says so). */
  latestMachine: MachineSample | null = null;
  private lastFrameLocal = 0;
  private clock = 0;
  private lastPublish = 0;
  private publishTimer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private previous: RunSnapshot = EMPTY_RUN;
  private seriesRun: number | null = null;
  /** Logical cores of the host, for CPU percentages (set once the host answered). */
  cores = 1;

  constructor(
    private readonly loop: DrawLoop,
    private readonly publish: (snapshot: RunSnapshot) => void,
    /** The store drawn: the pump's own unless given (the live one is the session's). */
    private readonly storeOf: () => TaskStore = ownStore(),
  ) {}

  get store(): TaskStore {
    return this.storeOf();
  }

  /**
   * Follows the session's frames, which its history has taken into the store
   * this pump draws; returns the unsubscribe. Frames come at least with every
   * sample, so a long silence is checked with a command: a host that has gone
   * (or dropped this page) is reported instead of a frozen view.
   */
  connect(
    session: Pick<Session, 'onFrame'>,
    api: Pick<PoolscopeApi, 'info'>,
    onLost: (message: string) => void,
  ): () => void {
    const off = session.onFrame((frame) => this.observe(frame));
    const watchdog = setInterval(() => {
      if (performance.now() - this.lastFrameLocal < SILENCE_MS) return;
      void api.info().then((result) => {
        if (!result.ok && result.code === 'disconnected') {
          clearInterval(watchdog);
          onLost(result.message);
        }
      });
    }, SILENCE_MS);
    return () => {
      off();
      clearInterval(watchdog);
      this.dispose();
    };
  }

  /** Stops publishing: nothing shows this pump's store any more. */
  dispose(): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = null;
  }

  /** Takes a frame into the pump's own store, then as `observe`. */
  ingest(frame: Frame): void {
    this.store.ingest(frame);
    this.observe(frame);
  }

  /** A frame the store has taken in: flights, this run's tallies, the draw loop and React hear of it. */
  observe(frame: Frame): void {
    const time = performance.now();
    const store = this.store;
    this.flights.observe(frame, store, time);
    const run = store.run;
    if ((run?.runId ?? null) !== this.machineRun) {
      this.machineRun = run?.runId ?? null;
      this.machine.reset();
      this.failureKinds = { error: false, timeout: false, crash: false };
      this.failuresSeen = 0;
      this.phaseKinds = 0;
      this.phasesSeen = 0;
    }
    const failures = store.failures;
    if (failures.length < this.failuresSeen) this.failuresSeen = 0;
    for (; this.failuresSeen < failures.length; this.failuresSeen++) {
      const reason = failures[this.failuresSeen].reason as TaskFailReason;
      if (reason in this.failureKinds && !this.failureKinds[reason])
        this.failureKinds = { ...this.failureKinds, [reason]: true };
    }
    const phases = store.phases;
    if (phases.length < this.phasesSeen) this.phasesSeen = 0;
    for (; this.phasesSeen < phases.length; this.phasesSeen++) this.phaseKinds |= 1 << phases.kind[this.phasesSeen];
    if (run && run.finishedAt === null) this.machine.observe(frame);
    for (const event of frame.events) if (event.type === 'sample' && event.machine) this.latestMachine = event.machine;
    this.lastFrameLocal = time;
    this.loop.invalidate();
    this.schedulePublish();
  }

  /**
   * The host's clock now: the last frame's time plus the local time elapsed
   * since it arrived (the two clocks are never compared directly).
   */
  hostClock(): number {
    if (!this.store.lastFrameAt) return 0;
    const ahead = Math.min(MAX_EXTRAPOLATION_MS, performance.now() - this.lastFrameLocal);
    // Never backwards: a late frame may carry an earlier time than was extrapolated.
    this.clock = Math.max(this.clock, this.store.lastFrameAt + Math.max(0, ahead));
    return this.clock;
  }

  /** "Now" as far as the run is concerned: its end, once it has finished. */
  hostNow(): number {
    return this.store.run?.finishedAt ?? this.hostClock();
  }

  private schedulePublish(): void {
    if (this.publishTimer) return;
    const wait = Math.max(0, this.lastPublish + PUBLISH_INTERVAL_MS - performance.now());
    this.publishTimer = setTimeout(() => {
      this.publishTimer = null;
      this.publishNow();
    }, wait);
  }

  private publishNow(): void {
    this.lastPublish = performance.now();
    const store = this.store;
    const run = store.run;
    const now = this.hostNow();
    const stats = computeStats(store, now, this.cores);
    const lanes = store.laneList();
    const workers = reuseIfEqual(
      this.previous.workers,
      lanes.map((lane) => workerRow(lane, stats)),
    );
    if (run) this.sample(run.runId, (now - run.startedAt) / 1000, lanes);
    const snapshot: RunSnapshot = {
      runId: run?.runId ?? null,
      status: run?.status ?? 'idle',
      paused: run?.paused ?? false,
      error: run?.error ?? null,
      title: run?.run.title ?? null,
      source: run?.run.source ?? null,
      workload: run?.run.spec?.workload ?? null,
      backend: run?.run.backend ?? null,
      mode: run?.run.spec?.mode ?? null,
      chunksize: run?.run.chunksize ?? null,
      poolSize: store.poolSize,
      stats,
      workers,
      outputLines: store.output.length,
      missedFrames: store.missedFrames,
      machine: this.machine.read(),
      failureKinds: this.failureKinds,
      phaseKinds: this.phaseKinds,
      seq: ++this.seq,
    };
    this.previous = snapshot;
    this.publish(snapshot);
    // The clock keeps moving during a run even when no frame comes.
    if (run?.status === 'running') this.schedulePublish();
  }

  private sample(runId: number, t: number, lanes: Lane[]): void {
    if (runId !== this.seriesRun) {
      this.seriesRun = runId;
      this.series.reset();
    }
    const live = lanes.filter((l) => l.exitedAt === null && l.readyAt !== null);
    const busy = live.filter((l) => l.held > 0).length;
    const sampled = live.filter((l) => l.sample !== null);
    const cores = Math.max(1, this.cores);
    // A share of the machine: the scheduler's lazy accounting can put a little more in one short sample than fits.
    const cpu = sampled.length
      ? Math.min(100, sampled.reduce((sum, l) => sum + (l.sample?.cpu ?? 0), 0) / cores)
      : null;
    const counts = this.store.counts;
    this.series.add(t, counts ? counts.done + counts.failed : 0, live.length ? (100 * busy) / live.length : 0, cpu);
  }
}

function ownStore(): () => TaskStore {
  const store = new TaskStore();
  return () => store;
}

function workerState(lane: Lane): WorkerState {
  if (lane.exitedAt !== null) return 'exited';
  if (lane.readyAt === null) return 'starting';
  if (lane.sample?.stalledMs != null) return lane.sample.state === 'stopped' ? 'stopped' : 'stalled';
  return lane.held > 0 || lane.current >= 0 ? 'busy' : 'ready';
}

function workerRow(lane: Lane, stats: RunStats | null): WorkerRow {
  const measured = stats?.workers.find((w) => w.worker === lane.worker);
  return {
    worker: lane.worker,
    number: lane.number,
    name: lane.name,
    kind: lane.kind,
    pid: lane.pid,
    state: workerState(lane),
    stalledMs: lane.sample?.stalledMs ?? null,
    tasksDone: lane.tasksDone,
    utilisation: measured?.utilisation ?? 0,
    cpu: lane.sample?.cpu ?? null,
    waitingPct: shareOfSample(lane.sample?.waitingPct),
    core: lane.sample?.core ?? null,
    migrations: lane.sample?.migrations ?? null,
    migrationsFrom: lane.sample?.migrationsFrom ?? null,
    exitCause: lane.exitCause,
  };
}

/** Keeps the previous array (and so React's memo) when nothing in it changed. */
function reuseIfEqual(previous: WorkerRow[], next: WorkerRow[]): WorkerRow[] {
  if (previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) {
    const a = previous[i];
    const b = next[i];
    for (const key of Object.keys(b) as (keyof WorkerRow)[]) if (a[key] !== b[key]) return next;
  }
  return previous;
}
