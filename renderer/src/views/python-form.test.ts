import { describe, expect, it } from 'vitest';
import { DEFAULT_PYTHON_FORM } from '../store/source-slice';
import { clusterAddressProblem, pythonRequestFor, splitArgs } from './python-form';

describe('splitArgs', () => {
  it('splits on spaces and groups quoted words, as a shell does', () => {
    expect(splitArgs('  a "b c"  \'d "e"\' f\\ g ""')).toEqual({ ok: true, args: ['a', 'b c', 'd "e"', 'f g', ''] });
    expect(splitArgs('')).toEqual({ ok: true, args: [] });
  });

  it('refuses an unclosed quote', () => {
    expect(splitArgs('a "b')).toEqual({ ok: false, problem: 'Close the double quote.' });
  });
});

describe('pythonRequestFor', () => {
  it('makes an example request with the slider size and pool kind only when chosen', () => {
    expect(pythonRequestFor({ ...DEFAULT_PYTHON_FORM, example: 'q6_processes' }, 3)).toEqual({
      ok: true,
      request: { program: { kind: 'example', name: 'q6_processes' }, args: [] },
    });
    expect(pythonRequestFor({ ...DEFAULT_PYTHON_FORM, useSlider: true, poolKind: 'thread', args: '--n 4' }, 3)).toEqual(
      {
        ok: true,
        request: {
          program: { kind: 'example', name: 'q1_squares' },
          args: ['--n', '4'],
          processes: 3,
          poolKind: 'thread',
        },
      },
    );
  });

  it('names the box that is wrong', () => {
    expect(pythonRequestFor({ ...DEFAULT_PYTHON_FORM, from: 'path', path: '  ' }, 2)).toEqual({
      ok: false,
      problems: { 'Script path': 'Type the path of a Python script.' },
    });
    expect(pythonRequestFor({ ...DEFAULT_PYTHON_FORM, from: 'code', args: "'x" }, 2)).toEqual({
      ok: false,
      problems: { Arguments: 'Close the single quote.', Code: 'Paste or type some Python code.' },
    });
  });
});

describe('clusterAddressProblem', () => {
  it('accepts what the attach command accepts', () => {
    expect(clusterAddressProblem('tcp://127.0.0.1:8786')).toBeNull();
    expect(clusterAddressProblem('auto')).toBeNull();
    expect(clusterAddressProblem('localhost:6379')).toBeNull();
    expect(clusterAddressProblem('tcp://a b')).toMatch(/host:port/);
    expect(clusterAddressProblem('')).toMatch(/address/);
  });
});
