import type { StateCreator } from 'zustand';
import type { AppState } from './index';

export interface Toast {
  id: number;
  tone: 'error' | 'info';
  title: string;
  message: string;
}

/** The forms whose boxes can hold something that is not a valid value, and whose action it blocks. */
export type FormName = 'live' | 'compare' | 'sweep';

/** Box name → what is wrong with what it shows, per form; a form with any entry cannot run. */
export type FormProblems = Record<FormName, Readonly<Record<string, string>>>;

/** The first problem of a form, said so that the box can be found: `Fix “Task count” to run: enter a whole number.` */
export function formProblem(problems: Readonly<Record<string, string>>): string | null {
  const [name, problem] = Object.entries(problems)[0] ?? [];
  if (name === undefined) return null;
  return `Fix “${name}” to run: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`;
}

/** How the user is looking at things: filters, pins, notices. */
export interface ViewSlice {
  /** Whether the timeline follows "now" (false once the user pans or zooms away). */
  timelineFollowing: boolean;
  toasts: Toast[];
  problems: FormProblems;
  /** Records (or, with null, clears) what is wrong with a box of a form. */
  setProblem: (form: FormName, box: string, problem: string | null) => void;
  setTimelineFollowing: (following: boolean) => void;
  notify: (toast: Omit<Toast, 'id'>) => void;
  dismiss: (id: number) => void;
}

let nextToast = 1;
const MAX_TOASTS = 4;

export const createViewSlice: StateCreator<AppState, [], [], ViewSlice> = (set) => ({
  timelineFollowing: true,
  toasts: [],
  problems: { live: {}, compare: {}, sweep: {} },
  setProblem: (form, box, problem) =>
    set((state) => {
      const current = state.problems[form];
      if ((current[box] ?? null) === problem) return {};
      const next = { ...current };
      if (problem === null) delete next[box];
      else next[box] = problem;
      return { problems: { ...state.problems, [form]: next } };
    }),
  setTimelineFollowing: (timelineFollowing) => set({ timelineFollowing }),
  notify: (toast) => set((state) => ({ toasts: [...state.toasts, { ...toast, id: nextToast++ }].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
});
