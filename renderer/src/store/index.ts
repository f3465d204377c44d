/**
 * The one app store (zustand slices pattern). Components select the narrowest
 * field they need, with useShallow for derived objects; high-frequency task data
 * never passes through here (see pump.ts).
 */
import { create } from 'zustand';
import { createConfigSlice, type ConfigSlice } from './config-slice';
import { createIoSlice, type IoSlice } from './io-slice';
import { createRunSlice, type RunSlice } from './run-slice';
import { createSourceSlice, type SourceSlice } from './source-slice';
import { createViewSlice, type ViewSlice } from './view-slice';
import { createTeachSlice, type TeachSlice } from '../teach/teach-slice';

export type AppState = ConfigSlice & SourceSlice & RunSlice & ViewSlice & TeachSlice & IoSlice;

export const useApp = create<AppState>()((...a) => ({
  ...createConfigSlice(...a),
  ...createSourceSlice(...a),
  ...createRunSlice(...a),
  ...createViewSlice(...a),
  ...createTeachSlice(...a),
  ...createIoSlice(...a),
}));

export type { RunSnapshot, WorkerRow, WorkerState } from './run-slice';
export type { FormName, Toast } from './view-slice';
export { formProblem } from './view-slice';
export type { ClusterNote, LiveSource, PoolKindChoice, ProgramFrom, PythonForm } from './source-slice';
