import type { StateCreator } from 'zustand';
import type { LaneKind, RunSource, WorkerExitCause } from '../../../shared/events';
import type { Backend, MapMode, WorkloadKind } from '../../../shared/run-spec';
import type { RunStats } from '../../../shared/stats';
import type { RunInfo } from '../../../shared/task-store';
import { NO_LOAD, type MachineLoad } from '../machine-load';
import type { AppState } from './index';

export type WorkerState = 'starting' | 'ready' | 'busy' | 'stalled' | 'stopped' | 'exited';

/** One worker (a process, or a thread) as the side panels show it. */
export interface WorkerRow {
  worker: number;
  /** Per run, small: "W3". */
  number: number;
  /** The runtime's own name (Python's ForkPoolWorker-3), where it has one. */
  name: string | null;
  kind: LaneKind;
  pid: number | null;
  state: WorkerState;
  /** For stalled or stopped workers: for how long. */
  stalledMs: number | null;
  tasksDone: number;
  /** Busy share of its time in the pool this run, 0…1. */
  utilisation: number;
  /** CPU % of one core at the last sample, null before one. */
  cpu: number | null;
  /** % of the last interval it was runnable but waiting for a core; null where unknown. */
  waitingPct: number | null;
  core: number | null;
  /** Moves between cores since it started, and how they were counted; null where not measured. */
  migrations: number | null;
  migrationsFrom: 'scheduler' | 'core-changes' | null;
  exitCause: WorkerExitCause | null;
}

/**
 * Coarse numbers about the run, published by the pump at most ten times a
 * second: what React renders. Per-task data stays in the TaskStore.
 */
export interface RunSnapshot {
  runId: number | null;
  status: RunInfo['status'] | 'idle';
  paused: boolean;
  error: string | null;
  /** The run's title (`cpu × 40`, `python q1_squares.py`) and what produced it. */
  title: string | null;
  source: RunSource | null;
  workload: WorkloadKind | null;
  backend: Backend | null;
  mode: MapMode | null;
  chunksize: number | null;
  poolSize: number;
  stats: RunStats | null;
  workers: WorkerRow[];
  outputLines: number;
  missedFrames: number;
  /** How busy the rest of the machine was during the run. */
  machine: MachineLoad;
  /** Which kinds of failure the run has had, so the legend names only what is drawn. */
  failureKinds: { error: boolean; timeout: boolean; crash: boolean };
  /** Which phase kinds (bit k: PHASE_KINDS[k]) the run's tasks have had, so the legend names only what is drawn. */
  phaseKinds: number;
  /** Bumps on every publish; charts redraw when it moves. */
  seq: number;
}

export interface RunSlice {
  run: RunSnapshot;
  publishRun: (snapshot: RunSnapshot) => void;
}

export const EMPTY_RUN: RunSnapshot = {
  runId: null,
  status: 'idle',
  paused: false,
  error: null,
  title: null,
  source: null,
  workload: null,
  backend: null,
  mode: null,
  chunksize: null,
  poolSize: 0,
  stats: null,
  workers: [],
  outputLines: 0,
  missedFrames: 0,
  machine: NO_LOAD,
  failureKinds: { error: false, timeout: false, crash: false },
  phaseKinds: 0,
  seq: 0,
};

export const createRunSlice: StateCreator<AppState, [], [], RunSlice> = (set) => ({
  run: EMPTY_RUN,
  publishRun: (snapshot) => set({ run: snapshot }),
});
