import { useSyncExternalStore } from 'react';
import type { TaskStore } from '../../../shared/task-store';

/** React hears of a store's changes at most this often: panels show coarse numbers, canvases the rest. */
const POLL_MS = 100;

const everyPoll = (onChange: () => void) => {
  const timer = setInterval(onChange, POLL_MS);
  return () => clearInterval(timer);
};

/**
 * The version of a TaskStore that is not the pump's (a scenario's, say), read
 * ten times a second: the component re-renders only when it moved.
 */
export function useStoreVersion(store: TaskStore | null): number {
  return useSyncExternalStore(everyPoll, () => store?.version ?? -1);
}
