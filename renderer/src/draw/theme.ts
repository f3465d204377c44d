/**
 * Canvas colours come from the same CSS variables as the DOM, so a theme change
 * (the OS switching to dark) restyles canvases and controls alike.
 */
export interface Theme {
  dark: boolean;
  bg: string;
  surface: string;
  surface2: string;
  border: string;
  grid: string;
  text: string;
  text2: string;
  text3: string;
  accent: string;
  warnText: string;
  /** Okabe–Ito task states: distinguishable with every common colour-vision deficiency. */
  done: string;
  running: string;
  failed: string;
  timeout: string;
  crash: string;
  queued: string;
  startup: string;
  /** GIL backend: a thread waiting for the lock. */
  wait: string;
  /** A runnable task waiting for a core (oversubscription). */
  coreWait: string;
  /** A cluster task's phases beside its compute (Dask): moving data in, unpickling it, spilling to disk. */
  transfer: string;
  deserialize: string;
  disk: string;
  workers: string[];
  font: string;
  mono: string;
}

const WORKER_VARS = 8;

export function readTheme(root: HTMLElement = document.documentElement): Theme {
  const css = getComputedStyle(root);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    dark: v('--scheme') === 'dark',
    bg: v('--bg'),
    surface: v('--surface'),
    surface2: v('--surface-2'),
    border: v('--border'),
    grid: v('--grid'),
    text: v('--text'),
    text2: v('--text-2'),
    text3: v('--text-3'),
    accent: v('--accent'),
    warnText: v('--warn-text'),
    done: v('--c-done'),
    running: v('--c-running'),
    failed: v('--c-failed'),
    timeout: v('--c-timeout'),
    crash: v('--c-crash'),
    queued: v('--c-queued'),
    startup: v('--c-startup'),
    wait: v('--c-wait'),
    coreWait: v('--c-corewait'),
    transfer: v('--c-transfer'),
    deserialize: v('--c-deserialize'),
    disk: v('--c-disk'),
    workers: Array.from({ length: WORKER_VARS }, (_, i) => v(`--w${i}`)),
    font: v('--font-ui'),
    mono: v('--font-mono'),
  };
}

/** A worker's identity colour (console, cores, lane labels), by its number in the run: W1 is always the same colour. */
export function workerColor(theme: Theme, number: number): string {
  return theme.workers[(((number - 1) % theme.workers.length) + theme.workers.length) % theme.workers.length];
}

/** The CSS variable name of a worker's colour, for DOM elements. */
export function workerColorVar(number: number): string {
  return `var(--w${(((number - 1) % WORKER_VARS) + WORKER_VARS) % WORKER_VARS})`;
}

let current: Theme | null = null;
const listeners = new Set<() => void>();

/** The live theme; re-read when the OS colour scheme changes. */
export function theme(): Theme {
  if (!current) {
    current = readTheme();
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      current = readTheme();
      for (const listener of listeners) listener();
    });
  }
  return current;
}

export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
