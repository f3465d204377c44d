import { availableParallelism } from 'node:os';
import { parseCommand, type CommandArgs, type CommandName, type CommandValue } from '../../shared/commands';
import { commandError, type CommandResult, type HostInfo, type PlatformMeasures } from '../../shared/results';
import { PythonError } from '../python/python-process';
import type { Hub } from './hub';
import { PoolError } from './pool';

export type CommandHandler = (raw: unknown) => Promise<CommandResult<unknown>>;

/** One handler per command of the table: the compiler refuses a missing or misnamed one. */
export type CommandHandlers = {
  [K in CommandName]: (...args: CommandArgs<K>) => CommandValue<K> | Promise<CommandValue<K>>;
};

/** What this platform lets the sampler and workers measure (Linux: everything). */
export function platformMeasures(): PlatformMeasures {
  const linux = process.platform === 'linux';
  return { cores: linux, threadCpu: linux, coreWait: linux };
}

/** A host's handlers: each command is one call on its hub or the hub's pool. */
export function hubHandlers(hub: Hub, host: HostInfo['host']): CommandHandlers {
  const { pool } = hub;
  return {
    info: () => ({
      host,
      cores: availableParallelism(),
      platform: process.platform,
      measures: platformMeasures(),
      poolSize: pool.size,
      backend: pool.currentBackend,
    }),
    configure: (poolSize, backend) => void pool.configure(poolSize, backend),
    start: (spec) => ({ runId: pool.start(spec).runId }),
    pause: () => void requireEngine(hub).pause(),
    resume: () => void requireEngine(hub).resume(),
    cancel: (running) => void hub.cancel(running),
    resize: (poolSize) => void pool.resize(poolSize),
    reset: () => void pool.reset(),
    close: () => void pool.closeWorkers(),
    runPython: (request) => hub.runPython(request),
    pythonSetup: () => hub.pythonSetup(),
  };
}

/**
 * Turns untrusted commands into handler calls. The Electron bridge and the
 * browser host both use this, so they validate and answer exactly alike: bad
 * input is answered `{ok:false, code, field, message}` and changes nothing.
 */
export function createCommandHandler(handlers: CommandHandlers): CommandHandler {
  return async (raw) => {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return parsed;
    const { name, args } = parsed.command;
    try {
      const handler = handlers[name] as (...args: unknown[]) => unknown;
      return { ok: true, value: await handler(...args) };
    } catch (error) {
      if (error instanceof PoolError) return commandError(error.code, error.message);
      if (error instanceof PythonError) return commandError('failed', error.message);
      return commandError('failed', error instanceof Error ? error.message : String(error));
    }
  };
}

/** Pausing and resuming submission are the engine's: a Python program submits its own tasks. */
function requireEngine(hub: Hub) {
  if (hub.running && !hub.pool.running)
    throw new PoolError('failed', 'a Python program submits its own tasks: it can be stopped, not paused');
  return hub.pool;
}
