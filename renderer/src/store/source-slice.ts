import type { StateCreator } from 'zustand';
import type { PythonSetup } from '../../../shared/commands';
import type { AppState } from './index';

/** What the live Run button runs: the engine's own workloads, or a Python program. */
export type LiveSource = 'engine' | 'python';

/** Where the Python program comes from, as the panel's tabs offer it. */
export type ProgramFrom = 'example' | 'path' | 'code';

/** `as-written`: the program's own pool kind; otherwise what its process pools become. */
export type PoolKindChoice = 'as-written' | 'thread' | 'serial';

/** The Python panel's boxes, as typed: turned into a PythonRequest only when Run is pressed. */
export interface PythonForm {
  from: ProgramFrom;
  example: string;
  path: string;
  code: string;
  /** The argument line, split as a shell would (quotes group words). */
  args: string;
  /** The pool-size slider sets every pool's size; false leaves them as the script says. */
  useSlider: boolean;
  poolKind: PoolKindChoice;
}

/** A slow command to a local cluster, while it is pending, or what it answered when it failed. */
export interface ClusterNote {
  tone: 'pending' | 'error';
  text: string;
  /** performance.now() when it was sent: the pending note counts seconds from it. */
  since: number;
}

export interface SourceSlice {
  source: LiveSource;
  python: PythonForm;
  /** What the host can run in Python; null until asked. */
  pythonSetup: PythonSetup | null;
  clusterNote: ClusterNote | null;
  /** The run that follows someone else's cluster (Stop detaches from it). */
  attachedRunId: number | null;
  setSource: (source: LiveSource) => void;
  setPython: (patch: Partial<PythonForm>) => void;
  setPythonSetup: (setup: PythonSetup) => void;
  setClusterNote: (note: ClusterNote | null) => void;
  setAttachedRunId: (runId: number | null) => void;
}

export const DEFAULT_PYTHON_FORM: PythonForm = {
  from: 'example',
  example: 'q1_squares',
  path: '',
  code: '',
  args: '',
  useSlider: false,
  poolKind: 'as-written',
};

export const createSourceSlice: StateCreator<AppState, [], [], SourceSlice> = (set) => ({
  source: 'engine',
  python: DEFAULT_PYTHON_FORM,
  pythonSetup: null,
  clusterNote: null,
  attachedRunId: null,
  setSource: (source) => set({ source }),
  setPython: (patch) => set((state) => ({ python: { ...state.python, ...patch } })),
  setPythonSetup: (pythonSetup) => set({ pythonSetup }),
  setClusterNote: (clusterNote) => set({ clusterNote }),
  setAttachedRunId: (attachedRunId) => set({ attachedRunId }),
});
