/**
 * The teaching views' state: which view is open, the scenario being shown, the
 * latest compare and sweep with their settings, and the run history. Runners
 * (scenario-runner, compare-runner, sweep-runner) write it a few times per run;
 * per-task data stays in TaskStores, which this holds by reference only.
 */
import type { StateCreator } from 'zustand';
import type { Backend, WorkloadKind } from '../../../shared/run-spec';
import { ENGINE_BACKENDS } from '../../../shared/run-spec';
import type { ScenarioId } from '../../../shared/scenarios';
import type { TaskStore } from '../../../shared/task-store';
import type { AppState } from '../store';
import type { BackendMeasurement } from '../../../shared/jobs/compare';
import type { HistoryEntry } from '../../../shared/jobs/history';
import type { SweepRunPoint } from '../../../shared/jobs/sweep';
import type { MachineLoad } from '../machine-load';
import type { Marker } from './run-timeline';

export const TEACH_VIEWS = ['live', 'scenarios', 'compare', 'sweep', 'history'] as const;
export type TeachView = (typeof TEACH_VIEWS)[number];

export type JobStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface Progress {
  /** What is happening now, e.g. "thread: starting 2 workers". */
  label: string;
  done: number;
  total: number;
}

export interface StepState {
  /** The Python call this step stands for. */
  code: string;
  /** What it does, in words. */
  title: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  /** Measured duration. */
  ms: number | null;
  /** What was measured, e.g. "5 workers ready". */
  note: string;
}

/** Where the assignment's examples run: Poolscope's engine, step by step, or their Python programs in CPython. */
export type ScenarioRunOn = 'engine' | 'python';

export interface ScenarioState {
  id: ScenarioId;
  /** Where it runs: its steps follow from it. */
  runOn: ScenarioRunOn;
  status: JobStatus;
  steps: StepState[];
  /** What the program prints, in order: workers' lines as they arrived, then the parent's. */
  output: string[];
  error: string | null;
  /** The scenario's own record: every frame from its first step to its last. */
  store: TaskStore | null;
  markers: Marker[];
}

export type ComparePreset = 'cpu' | 'io';

export interface CompareSettings {
  preset: ComparePreset;
  /** Null: the host's core count. */
  poolSize: number | null;
  tasks: number;
  backends: Backend[];
}

/** One backend measured by the shared compare job. */
export type CompareRow = BackendMeasurement;

export interface CompareState {
  settings: CompareSettings;
  status: JobStatus;
  progress: Progress | null;
  rows: CompareRow[];
  /** What the rows measured: the preset, size and cores they ran with. */
  measured: { preset: ComparePreset; poolSize: number; cores: number; tasks: number; vsSerial: boolean } | null;
  /** How busy the rest of the machine was during each backend's run, by run id. */
  machine: Readonly<Record<number, MachineLoad>>;
  error: string | null;
}

export interface SweepSettings {
  /** What each pool size runs: the built-in workload below, or the Live view's Python program with its pools so sized. */
  target: 'workload' | 'python';
  workload: Extract<WorkloadKind, 'cpu' | 'io'>;
  costMs: number;
  tasks: number;
  backend: Exclude<Backend, 'serial'>;
  /** Null: twice the host's core count. */
  maxSize: number | null;
}

export type SweepPoint = SweepRunPoint;

export interface SweepState {
  settings: SweepSettings;
  status: JobStatus;
  progress: Progress | null;
  points: SweepPoint[];
  serialFraction: number | null;
  cores: number | null;
  /** How busy the rest of the machine was during each pool size's run, by run id. */
  machine: Readonly<Record<number, MachineLoad>>;
  error: string | null;
}

export interface TeachSlice {
  view: TeachView;
  /** Which teaching job holds the pool, if any: one at a time. */
  teachBusy: 'scenario' | 'compare' | 'sweep' | null;
  scenario: ScenarioState | null;
  scenarioRunOn: ScenarioRunOn;
  compare: CompareState;
  sweep: SweepState;
  /** Every run of the session, newest first. */
  history: HistoryEntry[];
  /** Runs picked to compare (at most two, in the order picked). */
  historyPick: number[];
  setView: (view: TeachView) => void;
  setTeachBusy: (busy: TeachSlice['teachBusy']) => void;
  setScenario: (scenario: ScenarioState | null) => void;
  setScenarioRunOn: (runOn: ScenarioRunOn) => void;
  patchScenario: (patch: Partial<ScenarioState>) => void;
  setCompareSettings: (patch: Partial<CompareSettings>) => void;
  patchCompare: (patch: Partial<Omit<CompareState, 'settings'>>) => void;
  setSweepSettings: (patch: Partial<SweepSettings>) => void;
  patchSweep: (patch: Partial<Omit<SweepState, 'settings'>>) => void;
  setHistory: (entries: HistoryEntry[]) => void;
  toggleHistoryPick: (runId: number) => void;
}

export const createTeachSlice: StateCreator<AppState, [], [], TeachSlice> = (set) => ({
  view: 'live',
  teachBusy: null,
  scenario: null,
  scenarioRunOn: 'engine',
  compare: {
    // The built-in backends; a local Dask or Ray cluster takes seconds to start, so it is chosen, not assumed.
    settings: { preset: 'cpu', poolSize: null, tasks: 40, backends: [...ENGINE_BACKENDS] },
    status: 'idle',
    progress: null,
    rows: [],
    measured: null,
    machine: {},
    error: null,
  },
  sweep: {
    settings: { target: 'workload', workload: 'cpu', costMs: 20, tasks: 48, backend: 'process', maxSize: null },
    status: 'idle',
    progress: null,
    points: [],
    serialFraction: null,
    cores: null,
    machine: {},
    error: null,
  },
  history: [],
  historyPick: [],
  setView: (view) => set({ view }),
  setTeachBusy: (teachBusy) => set({ teachBusy }),
  setScenario: (scenario) => set({ scenario }),
  setScenarioRunOn: (scenarioRunOn) => set({ scenarioRunOn }),
  patchScenario: (patch) => set((s) => (s.scenario ? { scenario: { ...s.scenario, ...patch } } : {})),
  setCompareSettings: (patch) =>
    set((s) => ({ compare: { ...s.compare, settings: { ...s.compare.settings, ...patch } } })),
  patchCompare: (patch) => set((s) => ({ compare: { ...s.compare, ...patch } })),
  setSweepSettings: (patch) => set((s) => ({ sweep: { ...s.sweep, settings: { ...s.sweep.settings, ...patch } } })),
  patchSweep: (patch) => set((s) => ({ sweep: { ...s.sweep, ...patch } })),
  setHistory: (history) =>
    set((s) => ({
      history,
      // A pick whose run left the history is dropped.
      historyPick: s.historyPick.filter((id) => history.some((e) => e.runId === id)),
    })),
  toggleHistoryPick: (runId) =>
    set((s) => ({
      historyPick: s.historyPick.includes(runId)
        ? s.historyPick.filter((id) => id !== runId)
        : [...s.historyPick, runId].slice(-2),
    })),
});
