import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_BYTES, parseCommand } from './protocol';
import { makeRunSpec } from './run-spec';

const goodSpec = makeRunSpec({}, 2);
const start = (patch: Record<string, unknown>) => ({ type: 'start', spec: { ...goodSpec, ...patch } });

describe('parseCommand', () => {
  it('accepts every well-formed command', () => {
    for (const command of [
      { type: 'info' },
      { type: 'configure', poolSize: 4, backend: 'process' },
      { type: 'start', spec: goodSpec },
      { type: 'pause' },
      { type: 'resume' },
      { type: 'cancel', running: 'kill' },
      { type: 'resize', poolSize: 64 },
      { type: 'reset' },
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
    ['a pool out of range', { type: 'resize', poolSize: 65 }, 'poolSize'],
    ['a zero pool', { type: 'resize', poolSize: 0 }, 'poolSize'],
    ['an unknown workload', start({ workload: 'rm -rf' }), 'spec.workload'],
    ['a bad chunksize', start({ chunksize: 'big' }), 'spec.chunksize'],
    ['an extra key', { type: 'pause', force: true }, 'force'],
    ['an extra key in the spec', start({ shell: '/bin/sh' }), 'spec.shell'],
    ['a __proto__ key', JSON.parse('{"type":"reset","__proto__":{"polluted":1}}'), '__proto__'],
    ['a missing field', { type: 'resize' }, 'poolSize'],
    ['a missing spec field', { type: 'start', spec: { ...goodSpec, tasks: undefined } }, 'spec.tasks'],
    ['an unknown command', { type: 'format-disk' }, 'type'],
    ['no command at all', null, ''],
    ['a bare string', 'start', ''],
  ])('refuses %s, naming the field', (_, raw, field) => {
    const result = parseCommand(raw);
    expect(result).toMatchObject({ ok: false, code: 'invalid', field });
    expect((result as { message: string }).message.length).toBeGreaterThan(0);
  });

  it('refuses an oversized payload before parsing it', () => {
    const result = parseCommand({ type: 'pause', pad: 'x'.repeat(MAX_COMMAND_BYTES) });
    expect(result).toMatchObject({ ok: false, code: 'too-large', field: '' });
  });

  it('refuses what cannot be serialised, without throwing', () => {
    const cyclic: Record<string, unknown> = { type: 'pause' };
    cyclic.self = cyclic;
    expect(parseCommand(cyclic)).toMatchObject({ ok: false, code: 'invalid' });
    expect(parseCommand({ type: 'resize', poolSize: 10n })).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('leaves Object.prototype alone', () => {
    parseCommand(JSON.parse('{"type":"start","spec":{"__proto__":{"polluted":true}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
