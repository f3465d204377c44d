import { availableParallelism } from 'node:os';
import { parseCommand, type CommandArgs, type CommandName, type CommandValue } from '../../shared/commands';
import { commandError, type CommandResult, type HostInfo, type PlatformMeasures } from '../../shared/results';
import { Pool, PoolError } from './pool';

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

/** The engine's handlers: each command is one call on the pool. */
export function poolHandlers(pool: Pool, host: HostInfo['host']): CommandHandlers {
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
    pause: () => void pool.pause(),
    resume: () => void pool.resume(),
    cancel: (running) => void pool.cancel(running),
    resize: (poolSize) => void pool.resize(poolSize),
    reset: () => void pool.reset(),
    close: () => void pool.closeWorkers(),
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
      return commandError('failed', error instanceof Error ? error.message : String(error));
    }
  };
}
