import { describe, expect, it } from 'vitest';
import { describeStartFailure, lastWords, spawnErrorReason } from './start-failure';

/** What Node prints for an uncaught EMFILE, as a worker's stderr tail holds it. */
const EMFILE_TAIL = `node:fs:573
  return binding.open(
                 ^

Error: EMFILE: too many open files, open '/dev/null'
    at Object.openSync (node:fs:573:18)
    at Object.<anonymous> (/app/out/main/worker.cjs:1:64)
    at node:internal/main/run_main_module:28:49 {
  errno: -24,
  code: 'EMFILE',
  syscall: 'open',
  path: '/dev/null'
}

Node.js v20.20.2`;

describe('describeStartFailure', () => {
  it("says what Node's -24 means, where the spawn itself failed", () => {
    expect(describeStartFailure({ code: -24, signal: null }, '')).toBe(
      'too many open files (EMFILE): raise the limit (ulimit -n) or use fewer workers',
    );
  });

  it('reads the errno from a spawn error reason', () => {
    expect(describeStartFailure({ code: -24, signal: null, reason: 'EMFILE: too many open files' }, '')).toBe(
      'too many open files (EMFILE): raise the limit (ulimit -n) or use fewer workers',
    );
    expect(describeStartFailure({ code: -12, signal: null, reason: 'spawn /usr/bin/node ENOMEM' }, '')).toMatch(
      /^not enough memory to start another process \(ENOMEM\)/,
    );
  });

  it("gives the worker's own error line, without Node's trailer", () => {
    const text = describeStartFailure({ code: 1, signal: null }, EMFILE_TAIL);
    expect(text).toBe(
      "too many open files (EMFILE): raise the limit (ulimit -n) or use fewer workers — Error: EMFILE: too many open files, open '/dev/null'",
    );
    expect(text).not.toMatch(/Node\.js v|\^|\}|\|/);
  });

  it.each([
    ['ENOMEM', -12, /^not enough memory/],
    ['EACCES', -13, /^permission denied/],
    ['ENOENT', -2, /^a file it needs was not found/],
    ['EAGAIN', -11, /^the system refused to start another process/],
  ])('puts %s in plain words', (name, code, words) => {
    const text = describeStartFailure({ code, signal: null }, '');
    expect(text).toMatch(words);
    expect(text).toContain(`(${name})`);
  });

  it("names Electron's reasons in words", () => {
    expect(describeStartFailure({ code: 1002, signal: null, reason: 'launch-failed' }, '')).toBe(
      'Electron could not launch the process',
    );
    expect(describeStartFailure({ code: null, signal: null, reason: 'not-launched' }, '')).toMatch(
      /^Electron never launched the process/,
    );
  });

  it('falls back to the exit code, the signal, or the unexplained end', () => {
    expect(describeStartFailure({ code: 3, signal: null }, '')).toBe('it exited with code 3');
    expect(describeStartFailure({ code: null, signal: 'SIGKILL' }, '')).toBe('it was stopped by SIGKILL');
    expect(describeStartFailure({ code: null, signal: null }, '')).toBe('it ended before it was ready');
  });

  it('keeps an error a worker printed that Node did not frame', () => {
    expect(describeStartFailure({ code: 1, signal: null }, 'poolscope worker: cannot calibrate\n\n')).toBe(
      'it exited with code 1 — poolscope worker: cannot calibrate',
    );
  });
});

describe('lastWords', () => {
  it('finds the error line among stack frames, properties and Node.js trailers', () => {
    expect(lastWords(EMFILE_TAIL)).toBe("Error: EMFILE: too many open files, open '/dev/null'");
    expect(lastWords('TypeError [ERR_X]: bad thing\n    at f (/a.js:1:1)\n\nNode.js v22.12.0')).toBe(
      'TypeError [ERR_X]: bad thing',
    );
  });

  it('is empty when nothing but framing is left', () => {
    expect(lastWords('}\n\nNode.js v20.20.2\n |  | ')).toBe('');
    expect(lastWords('} |  | Node.js v20.20.2')).toBe('');
  });
});

describe('spawnErrorReason', () => {
  it("names the errno and its message, not Node's `spawn /path EMFILE`", () => {
    const error = Object.assign(new Error('spawn /usr/bin/node EMFILE'), { errno: -24, code: 'EMFILE' });
    expect(spawnErrorReason(error)).toBe('EMFILE: too many open files');
  });

  it('keeps the message of an error without an errno', () => {
    expect(spawnErrorReason(new Error('bad options'))).toBe('bad options');
  });
});
