/**
 * `npm run serve`: the Poolscope UI in any browser, for machines without a
 * desktop window or an Electron binary. Serves on 127.0.0.1 only.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LIMITS } from '../../shared/run-spec';
import { ensureBuilt } from './build';
import { endWithAncestors } from './lifeline';
import { startBrowserHost, type BrowserHost } from './server';

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

function parseFlags(args: string[]): { port?: number; poolSize?: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
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

/**
 * Starts the browser host from command-line flags, prints its URL and stops it
 * (every worker with it) on SIGINT, SIGTERM, or when the program that started it
 * ends. Resolves with the running host. `npm start` calls it where Electron is missing.
 */
export async function main(args: string[] = process.argv.slice(2)): Promise<BrowserHost> {
  const flags = parseFlags(args);
  ensureBuilt('app');
  const host = await startBrowserHost(flags);

  let stopping = false;
  const stop = (why: string) => {
    // A second signal means "now": workers still exit with us, as they watch their IPC channel.
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`poolscope: ${why}, stopping the workers…\n`);
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
  // `npm run serve` killed (even with SIGKILL): npm passes no signal on, so notice it is gone.
  endWithAncestors(() => stop('the program that started the host has ended'));

  process.stdout.write(`Poolscope is running at ${host.url}\n`);
  return host;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`poolscope serve: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
