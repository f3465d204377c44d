/**
 * `npm run serve`: the Poolscope UI in any browser, for machines without a
 * desktop window or an Electron binary. Serves on 127.0.0.1 only.
 */
import { parseArgs } from 'node:util';
import { LIMITS } from '../../shared/run-spec';
import { ensureBuilt } from './build';
import { startBrowserHost } from './server';

const USAGE = `Usage: npm run serve -- [--port N] [--pool N]

Serves the Poolscope UI on http://127.0.0.1 and prints its URL, with the access token.

  --port N   port to listen on (default: a free one)
  --pool N   worker processes in the pool, ${LIMITS.poolSize.min}-${LIMITS.poolSize.max} (default: logical cores)
  -h, --help show this help`;

function fail(message: string): never {
  process.stderr.write(`poolscope serve: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) fail(`--${flag} must be an integer from ${min} to ${max}`);
  return value;
}

function parseFlags(): { port?: number; poolSize?: number } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        pool: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    port: integer('port', values.port, 0, 65_535),
    poolSize: integer('pool', values.pool, LIMITS.poolSize.min, LIMITS.poolSize.max),
  };
}

async function main(): Promise<void> {
  const flags = parseFlags();
  ensureBuilt('app');
  const host = await startBrowserHost(flags);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal means "now": workers still exit with us, as they watch their IPC channel.
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`poolscope: ${signal}, stopping the workers…\n`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`poolscope: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`Poolscope is running at ${host.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`poolscope serve: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
