import type { StateCreator } from 'zustand';
import type { AppState } from './index';

export interface Toast {
  id: number;
  tone: 'error' | 'info';
  title: string;
  message: string;
}

/** How the user is looking at things: filters, pins, notices. */
export interface ViewSlice {
  /** Console filter: one worker's lines, or everyone's (null). */
  consoleWorker: number | null;
  /** Whether the timeline follows "now" (false once the user pans or zooms away). */
  timelineFollowing: boolean;
  toasts: Toast[];
  setConsoleWorker: (worker: number | null) => void;
  setTimelineFollowing: (following: boolean) => void;
  notify: (toast: Omit<Toast, 'id'>) => void;
  dismiss: (id: number) => void;
}

let nextToast = 1;
const MAX_TOASTS = 4;

export const createViewSlice: StateCreator<AppState, [], [], ViewSlice> = (set) => ({
  consoleWorker: null,
  timelineFollowing: true,
  toasts: [],
  setConsoleWorker: (consoleWorker) => set({ consoleWorker }),
  setTimelineFollowing: (timelineFollowing) => set({ timelineFollowing }),
  notify: (toast) => set((state) => ({ toasts: [...state.toasts, { ...toast, id: nextToast++ }].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
});
