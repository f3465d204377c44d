/**
 * The engine behind a PoolscopeApi in this very process, for the command line:
 * commands go through the same validating handlers as the Electron bridge and
 * the browser host, frames come straight from the pool. So the CLI's jobs
 * (compare, sweep) are the teaching views' jobs, run the same way.
 */
import { createApi, type PoolscopeApi } from '../../shared/api';
import type { Backend } from '../../shared/run-spec';
import { createCommandHandler, hubHandlers } from '../engine/controller';
import { Hub } from '../engine/hub';
import { forkLauncher } from '../engine/launcher';
import { platformSampler } from '../engine/sampler';
import { pythonDir, workerEntryPath } from './build';

export interface LocalHost {
  hub: Hub;
  api: PoolscopeApi;
}

export function openLocalHost(poolSize: number, backend: Backend, sample = false): LocalHost {
  const hub = new Hub({
    launcher: forkLauncher,
    workerEntry: workerEntryPath,
    pythonDir,
    poolSize,
    backend,
    sampler: sample ? platformSampler() : null,
  });
  const handle = createCommandHandler(hubHandlers(hub, 'cli'));
  const api = createApi(
    (command) => handle(command),
    (listener) => hub.onFrame(listener),
    () => () => {},
  );
  return { hub, api };
}
