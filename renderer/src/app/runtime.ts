/**
 * What the views share outside React: the API, the one draw loop and the event
 * pump with its TaskStore. Created once at start-up and handed down by context.
 */
import { createContext, useContext } from 'react';
import type { PoolscopeApi } from '../../../shared/api';
import type { DrawLoop } from '../draw/loop';
import type { Pump } from '../pump';

export interface Runtime {
  api: PoolscopeApi;
  loop: DrawLoop;
  pump: Pump;
}

export const RuntimeContext = createContext<Runtime | null>(null);

export function useRuntime(): Runtime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error('useRuntime outside RuntimeContext');
  return runtime;
}
