import { describe, expect, it } from 'vitest';
import { API_METHODS, COMMAND_NAMES, createApi } from './api';
import { COMMANDS, MAX_COMMAND_BYTES, parseCommand, type WireCommand } from './commands';
import { makeRunSpec } from './run-spec';

const goodSpec = makeRunSpec({}, 2);
const start = (patch: Record<string, unknown>) => ({ name: 'start', args: [{ ...goodSpec, ...patch }] });

describe('the command table', () => {
  it('lists every command once, and the API exposes exactly them plus the two subscriptions', () => {
    expect([...COMMAND_NAMES].sort()).toEqual(Object.keys(COMMANDS).sort());
    expect(API_METHODS).toEqual([...COMMAND_NAMES, 'onFrame', 'onMenu']);
  });

  it('builds a client whose every method sends its own name and arguments', async () => {
    const sent: WireCommand[] = [];
    const api = createApi(
      async (command) => {
        sent.push(command);
        return { ok: true, value: undefined };
      },
      () => () => {},
      () => () => {},
    );
    await api.configure(3, 'thread');
    await api.cancel('kill');
    await api.info();
    expect(sent).toEqual([
      { name: 'configure', args: [3, 'thread'] },
      { name: 'cancel', args: ['kill'] },
      { name: 'info', args: [] },
    ]);
  });
});

describe('parseCommand', () => {
  it('accepts every well-formed command', () => {
    for (const command of [
      { name: 'info', args: [] },
      { name: 'configure', args: [4, 'process'] },
      { name: 'start', args: [goodSpec] },
      { name: 'pause', args: [] },
      { name: 'resume', args: [] },
      { name: 'cancel', args: ['kill'] },
      { name: 'resize', args: [64] },
      { name: 'reset', args: [] },
      { name: 'close', args: [] },
    ]) {
      expect(parseCommand(command)).toEqual({ ok: true, command });
    }
  });

  it.each([
    ['a wrong type', start({ tasks: '10' }), 'spec.tasks'],
    ['NaN', start({ costMs: NaN }), 'spec.costMs'],
    ['Infinity', start({ tasks: Infinity }), 'spec.tasks'],
    ['a negative count', start({ tasks: -1 }), 'spec.tasks'],
    ['a count out of range', start({ tasks: 1_000_001 }), 'spec.tasks'],
    ['a fractional count', start({ tasks: 2.5 }), 'spec.tasks'],
    ['a pool out of range', { name: 'resize', args: [65] }, 'poolSize'],
    ['a zero pool', { name: 'resize', args: [0] }, 'poolSize'],
    ['an unknown backend', { name: 'configure', args: [2, 'gpu'] }, 'backend'],
    ['an unknown workload', start({ workload: 'rm -rf' }), 'spec.workload'],
    ['a bad chunksize', start({ chunksize: 'big' }), 'spec.chunksize'],
    ['an extra key', { name: 'pause', args: [], force: true }, 'force'],
    ['an extra argument', { name: 'pause', args: [true] }, 'args'],
    ['an extra key in the spec', start({ shell: '/bin/sh' }), 'spec.shell'],
    ['a __proto__ key', JSON.parse('{"name":"reset","args":[],"__proto__":{"polluted":1}}'), '__proto__'],
    ['a missing argument', { name: 'resize', args: [] }, 'args'],
    ['a missing spec field', start({ tasks: undefined }), 'spec.tasks'],
    ['an unknown command', { name: 'format-disk', args: [] }, 'name'],
    ['a command named after an Object method', { name: 'toString', args: [] }, 'name'],
    ['no command at all', null, ''],
    ['a bare string', 'start', ''],
  ])('refuses %s, naming the field', (_, raw, field) => {
    const result = parseCommand(raw);
    expect(result).toMatchObject({ ok: false, code: 'invalid', field });
    expect((result as { message: string }).message.length).toBeGreaterThan(0);
  });

  it('refuses an oversized payload before parsing it', () => {
    const result = parseCommand({ name: 'pause', args: ['x'.repeat(MAX_COMMAND_BYTES)] });
    expect(result).toMatchObject({ ok: false, code: 'too-large', field: '' });
  });

  it('refuses what cannot be serialised, without throwing', () => {
    const cyclic: Record<string, unknown> = { name: 'pause', args: [] };
    cyclic.self = cyclic;
    expect(parseCommand(cyclic)).toMatchObject({ ok: false, code: 'invalid' });
    expect(parseCommand({ name: 'resize', args: [10n] })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('leaves Object.prototype alone', () => {
    parseCommand(JSON.parse('{"name":"start","args":[{"__proto__":{"polluted":true}}]}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
