import type { StateCreator } from 'zustand';
import type { Replay } from '../io/replay';
import type { AppState } from './index';
import { EMPTY_RUN, type RunSnapshot } from './run-slice';

/**
 * Export, import and replay. While a trace replays, `run` holds the replay's
 * snapshot (so every panel shows it) and the live pool's keeps arriving in
 * `liveRun`, which is put back when the user returns to the live view.
 */
export interface IoSlice {
  /** The trace being replayed, or null when the views show the live pool. */
  replay: Replay | null;
  /** The live pool's latest snapshot, replaying or not. */
  liveRun: RunSnapshot;
  /** Name of the file being read and parsed, while it is. */
  importing: string | null;
  /** The header's Export / Import menu, opened from code when a picker needs a click first. */
  fileMenuOpen: boolean;
  publishLive: (snapshot: RunSnapshot) => void;
  enterReplay: (replay: Replay) => void;
  leaveReplay: () => void;
  setImporting: (file: string | null) => void;
  setFileMenuOpen: (open: boolean) => void;
}

export const createIoSlice: StateCreator<AppState, [], [], IoSlice> = (set, get) => ({
  replay: null,
  liveRun: EMPTY_RUN,
  importing: null,
  fileMenuOpen: false,
  publishLive: (snapshot) =>
    set((state) => (state.replay ? { liveRun: snapshot } : { liveRun: snapshot, run: snapshot })),
  enterReplay: (replay) => {
    get().replay?.dispose();
    // Blank until the replay's pump publishes its first snapshot (within 100 ms).
    set({ replay, run: EMPTY_RUN });
  },
  leaveReplay: () => {
    const { replay, liveRun } = get();
    if (!replay) return;
    replay.dispose();
    set({ replay: null, run: liveRun });
  },
  setImporting: (importing) => set({ importing }),
  setFileMenuOpen: (fileMenuOpen) => set({ fileMenuOpen }),
});
