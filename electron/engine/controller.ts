import { availableParallelism } from 'node:os';
import { commandError, type CommandResult, type CommandValues, type HostInfo } from '../../shared/api';
import { parseCommand, type Command } from '../../shared/protocol';
import { Pool, PoolError } from './pool';

export type CommandHandler = (raw: unknown) => Promise<CommandResult<CommandValues[Command['type']]>>;

/**
 * Turns untrusted commands into pool calls. The Electron bridge and the browser
 * host both use this, so they validate and answer exactly alike: bad input is
 * answered `{ok:false, code, field, message}` and changes nothing.
 */
export function createCommandHandler(pool: Pool, host: HostInfo['host'], coreSampling: boolean): CommandHandler {
  return async (raw) => {
    const parsed = parseCommand(raw);
    if (!parsed.ok) return parsed;
    try {
      return { ok: true, value: execute(pool, parsed.command, host, coreSampling) };
    } catch (error) {
      if (error instanceof PoolError) return commandError(error.code, error.message);
      return commandError('failed', error instanceof Error ? error.message : String(error));
    }
  };
}

function execute(pool: Pool, command: Command, host: HostInfo['host'], coreSampling: boolean) {
  switch (command.type) {
    case 'info':
      return {
        host,
        cores: availableParallelism(),
        platform: process.platform,
        coreSampling,
        poolSize: pool.size,
        backend: pool.currentBackend,
      } satisfies HostInfo;
    case 'configure':
      return void pool.configure(command.poolSize, command.backend);
    case 'start':
      return { runId: pool.start(command.spec).runId };
    case 'pause':
      return void pool.pause();
    case 'resume':
      return void pool.resume();
    case 'cancel':
      return void pool.cancel(command.running);
    case 'resize':
      return void pool.resize(command.poolSize);
    case 'reset':
      return void pool.reset();
    case 'close':
      return void pool.closeWorkers();
  }
}
