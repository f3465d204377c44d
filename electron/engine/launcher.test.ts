/**
 * forkLauncher against real processes: a spawn that fails says why in the exit's
 * reason, not only Node's bare exit code (-24).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../host/build';
import { forkLauncher, type ChildExit } from './launcher';

/** Runs in a child process: uses up its file descriptors, then launches a worker. */
const EXHAUST_AND_LAUNCH = `
import { closeSync, openSync } from 'node:fs';
import { forkLauncher } from './electron/engine/launcher.ts';
const open = [];
try { for (;;) open.push(openSync('/dev/null', 'r')); } catch {}
// A few free descriptors: not enough for the child's three pipes.
for (let i = 0; i < 4; i++) closeSync(open.pop());
forkLauncher.launch({ entry: process.execPath, name: 'w', env: {} }).onExit((exit) => {
  for (const fd of open) closeSync(fd);
  process.stdout.write(JSON.stringify(exit));
});
`;

describe('forkLauncher', () => {
  it.skipIf(process.platform === 'win32')('reports a spawn that ran out of file descriptors as EMFILE', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', EXHAUST_AND_LAUNCH], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ code: -24, signal: null, reason: 'EMFILE: too many open files' });
  });

  it('turns a spawn Node refuses outright into an exit with its reason, instead of throwing into the engine', async () => {
    const handle = forkLauncher.launch({ entry: 'bad\0path', name: 'w', env: {} });
    const exit = await new Promise<ChildExit>((resolve) => handle.onExit(resolve));
    expect(exit).toMatchObject({ code: null, signal: null, reason: expect.stringContaining('null bytes') });
    expect(handle.pid).toBeUndefined();
  });
});
