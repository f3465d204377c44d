import type { StateCreator } from 'zustand';
import type { HostInfo } from '../../../shared/api';
import { LIMITS, makeRunSpec, type RunSpec } from '../../../shared/run-spec';
import type { AppState } from './index';

/** What the next run will be: every control edits this. */
export interface ConfigSlice {
  spec: RunSpec;
  host: HostInfo | null;
  /** Why the host could not be reached, if it could not. */
  hostError: string | null;
  setSpec: (patch: Partial<RunSpec>) => void;
  setHost: (info: HostInfo) => void;
  setHostError: (message: string) => void;
}

const clampPool = (n: number) => Math.min(LIMITS.poolSize.max, Math.max(LIMITS.poolSize.min, n));

export const createConfigSlice: StateCreator<AppState, [], [], ConfigSlice> = (set) => ({
  // The real pool size arrives with the host's info; until then controls show a modest default.
  spec: makeRunSpec({}, 4),
  host: null,
  hostError: null,
  setSpec: (patch) => set((state) => ({ spec: { ...state.spec, ...patch } })),
  // The slider starts at the live pool's size, which the host sizes to its cores by default.
  setHost: (info) =>
    set((state) => ({
      host: info,
      hostError: null,
      spec: {
        ...state.spec,
        poolSize: clampPool(info.poolSize > 0 ? info.poolSize : info.cores),
        backend: info.backend,
      },
    })),
  setHostError: (message) => set({ hostError: message }),
});
