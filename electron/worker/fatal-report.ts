/**
 * A worker's last words over its port. Under Electron the stderr pipe is dropped
 * the moment the process exits, so a crash's stack trace written there is often
 * lost; the port is not. Self-contained: the worker entry installs it first.
 */
import { writeSync } from 'node:fs';

/** What a dying worker sends to the engine. */
export interface FatalMessage {
  t: 'fatal';
  message: string;
  stack: string;
}

/** EX_SOFTWARE (sysexits.h): an internal error, distinct from a task's own `process.exit(1)`. */
export const FATAL_EXIT_CODE = 70;
/** Time for the message to leave the process before it exits (IPC writes are asynchronous). */
const FLUSH_MS = 20;

/**
 * On an uncaught exception or unhandled rejection: sends `{t: 'fatal', message,
 * stack}` through `send`, writes the stack to the real stderr (fd 2, past any
 * capture of `process.stderr`), and exits with code 70 shortly after. Only the
 * first fatal error is reported; in a worker thread the exit ends only the thread.
 */
export function installFatalReport(send: (message: FatalMessage) => void): void {
  let dying = false;
  const die = (thrown: unknown): void => {
    if (dying) return;
    dying = true;
    process.exitCode = FATAL_EXIT_CODE;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    const stack = thrown instanceof Error ? (thrown.stack ?? message) : message;
    try {
      writeSync(2, `${stack}\n`);
    } catch {
      // No stderr: the port still carries it.
    }
    try {
      send({ t: 'fatal', message, stack });
    } catch {
      // The engine is gone: nobody to tell.
    }
    setTimeout(() => process.exit(FATAL_EXIT_CODE), FLUSH_MS);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}
