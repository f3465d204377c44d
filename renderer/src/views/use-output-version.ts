import { useSyncExternalStore } from 'react';
import type { TaskStore } from '../../../shared/task-store';

/** React hears of a store's changes at most this often: panels show coarse numbers, canvases the rest. */
const POLL_MS = 100;

/** Workers and the pids known for them: the console's filter lists both. */
function lanesWithPids(store: TaskStore): string {
  let pids = 0;
  for (const lane of store.lanes.values()) if (lane.pid !== null) pids++;
  return `${store.lanes.size}/${pids}`;
}

const everyPoll = (onChange: () => void) => {
  const timer = setInterval(onChange, POLL_MS);
  return () => clearInterval(timer);
};

/**
 * A key that moves only when a store's output lines, its workers or its run
 * change — what a console shows — so a console does not re-render for every
 * task that settles.
 */
export function useOutputVersion(store: TaskStore | null): string {
  return useSyncExternalStore(everyPoll, () =>
    store ? `${store.run?.runId ?? ''}:${store.output.length}:${store.outputDropped}:${lanesWithPids(store)}` : '',
  );
}

/** The store a pump draws now: the live one is a new store for each run. */
export function useShownStore(pump: { readonly store: TaskStore }): TaskStore {
  return useSyncExternalStore(everyPoll, () => pump.store);
}
