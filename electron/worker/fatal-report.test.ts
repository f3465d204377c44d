/**
 * installFatalReport in real processes: a Node child with an IPC channel, as
 * child_process.fork gives the worker, dies of an uncaught error.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../host/build';
import { FATAL_EXIT_CODE, type FatalMessage } from './fatal-report';

interface Death {
  messages: FatalMessage[];
  code: number | null;
  stderr: string;
}

/** Runs `body` after installing the report with process.send, and collects what the parent sees. */
function runChild(body: string): Promise<Death> {
  const source = `import { installFatalReport } from './electron/worker/fatal-report.ts';
installFatalReport((message) => process.send(message));
${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const messages: FatalMessage[] = [];
  let stderr = '';
  child.on('message', (message) => messages.push(message as FatalMessage));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ messages, code, stderr })));
}

describe('installFatalReport', () => {
  it('reports an uncaught exception over the port, then exits with code 70', async () => {
    const death = await runChild(`setTimeout(() => { throw new Error('boom'); }, 10);`);
    expect(death.code).toBe(FATAL_EXIT_CODE);
    expect(death.messages).toEqual([
      { t: 'fatal', message: 'boom', stack: expect.stringMatching(/^Error: boom\n\s+at /) },
    ]);
    // The trace reaches the real stderr too, for a host that reads it.
    expect(death.stderr).toContain('Error: boom');
  });

  it('reports an unhandled rejection, also of something that is not an Error', async () => {
    const death = await runChild(`Promise.reject('no reason');`);
    expect(death.code).toBe(FATAL_EXIT_CODE);
    expect(death.messages).toEqual([{ t: 'fatal', message: 'no reason', stack: 'no reason' }]);
  });

  it('reports only the first of several fatal errors', async () => {
    const death = await runChild(
      `setTimeout(() => { throw new Error('one'); }); setTimeout(() => { throw new Error('two'); });`,
    );
    expect(death.messages.map((m) => m.message)).toEqual(['one']);
    expect(death.code).toBe(FATAL_EXIT_CODE);
  });
});
