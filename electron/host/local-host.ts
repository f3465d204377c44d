/**
 * The engine behind a PoolscopeApi in this very process, for the command line:
 * commands go through the same validating handlers as the Electron bridge and
 * the browser host, frames come straight from the pool. So the CLI's jobs
 * (compare, sweep) are the teaching views' jobs, run the same way.
 */
import { createApi, type PoolscopeApi } from '../../shared/api';
import type { Backend } from '../../shared/run-spec';
import { createCommandHandler, poolHandlers } from '../engine/controller';
import { forkLauncher } from '../engine/launcher';
import { Pool } from '../engine/pool';
import { platformSampler } from '../engine/sampler';
import { workerEntryPath } from './build';

export interface LocalHost {
  pool: Pool;
  api: PoolscopeApi;
}

export function openLocalHost(poolSize: number, backend: Backend, sample = false): LocalHost {
  const pool = new Pool({
    launcher: forkLauncher,
    workerEntry: workerEntryPath,
    poolSize,
    backend,
    sampler: sample ? platformSampler() : null,
  });
  const handle = createCommandHandler(poolHandlers(pool, 'cli'));
  const api = createApi(
    (command) => handle(command),
    (listener) => pool.onFrame(listener),
    () => () => {},
  );
  return { pool, api };
}
