import { availableParallelism } from 'node:os';
import { parseCommand, type CommandArgs, type CommandName, type CommandValue } from '../../shared/commands';
import { commandError, type CommandResult, type HostInfo, type PlatformMeasures } from '../../shared/results';
import { PythonError } from '../python/python-process';
import type { Hub } from './hub';
import { PoolError } from './pool';

export type CommandHandler = (raw: unknown) => Promise<CommandResult<unknown>>;

/** One handler per command of the table: the compiler refuses a missing or misnamed one. */
export type CommandHandlers = {
  [K in CommandName]: (...args: CommandArgs<K>) => Answer<CommandValue<K>>;
};
/** A command that answers nothing may return nothing, now or later. */
type Answer<T> = [T] extends [undefined] ? void | Promise<void> : T | Promise<T>;

/** What this platform lets the sampler and workers measure (Linux: everything). */
export function platformMeasures(): PlatformMeasures {
  const linux = process.platform === 'linux';
  return { cores: linux, threadCpu: linux, coreWait: linux };
}

/** A host's handlers: each command is one call on its hub or the hub's pool. */
export function hubHandlers(hub: Hub, host: HostInfo['host']): CommandHandlers {
  return {
    info: () => ({
      host,
      cores: availableParallelism(),
      platform: process.platform,
      measures: platformMeasures(),
      poolSize: hub.size,
      backend: hub.backend,
    }),
    configure: (poolSize, backend) => hub.configure(poolSize, backend),
    start: async (spec) => ({ runId: (await hub.start(spec)).runId }),
    pause: () => hub.pause(),
    resume: () => hub.resume(),
    cancel: (running) => hub.cancel(running),
    resize: (poolSize) => hub.resize(poolSize),
    reset: () => hub.reset(),
    close: () => hub.closeWorkers(),
    attachCluster: (engine, address) => hub.attachCluster(engine, address),
    runPython: (request) => hub.runPython(request),
    pythonSetup: () => hub.pythonSetup(),
    choosePythonScript: () => {
      throw new PoolError(
        'failed',
        'only the desktop app has a file dialog: type the script’s path on the host’s machine',
      );
    },
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
