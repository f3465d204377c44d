import { afterEach, describe, expect, it } from 'vitest';
import type { PoolscopeApi } from '../../../shared/api';
import { commandError, type CommandResult } from '../../../shared/results';
import { useApp } from '../store';
import { DEFAULT_PYTHON_FORM } from '../store/source-slice';
import { clusterCommand, poolCommands } from './pool-commands';

const FIX = 'Dask is not installed in /usr/bin/python3: .venv/bin/pip install -r python/requirements-cluster.txt';

afterEach(() => {
  useApp.setState({ clusterNote: null, toasts: [], source: 'engine', python: DEFAULT_PYTHON_FORM });
});

describe('clusterCommand', () => {
  it('says what is happening while the command is pending, then clears the note', async () => {
    let answer!: (result: CommandResult<undefined>) => void;
    const done = clusterCommand('Starting a local Dask cluster…', 'Could not start the cluster', () => {
      return new Promise<CommandResult<undefined>>((resolve) => (answer = resolve));
    });
    expect(useApp.getState().clusterNote).toMatchObject({ tone: 'pending', text: 'Starting a local Dask cluster…' });
    answer({ ok: true, value: undefined });
    expect(await done).toBe(true);
    expect(useApp.getState().clusterNote).toBeNull();
  });

  it('keeps the host’s answer on screen when it fails: it says how to install what is missing', async () => {
    const ok = await clusterCommand('Starting a local Dask cluster…', 'Could not start the cluster', async () =>
      commandError('failed', FIX),
    );
    expect(ok).toBe(false);
    expect(useApp.getState().clusterNote).toMatchObject({
      tone: 'error',
      text: `Could not start the cluster: ${FIX}`,
    });
    expect(useApp.getState().toasts.at(-1)).toMatchObject({ tone: 'error', message: FIX });
  });
});

describe('poolCommands.run', () => {
  it('runs the Python panel’s program, sized by the slider only when asked', async () => {
    const sent: unknown[] = [];
    const api = {
      runPython: async (request: unknown) => {
        sent.push(request);
        return { ok: true, value: { runId: 1 } };
      },
    } as unknown as PoolscopeApi;
    useApp.setState({ source: 'python', python: { ...DEFAULT_PYTHON_FORM, example: 'q6_processes', args: 'a "b c"' } });
    poolCommands(api).run();
    useApp.setState({ python: { ...useApp.getState().python, useSlider: true, poolKind: 'thread' } });
    poolCommands(api).run();
    await Promise.resolve();
    const poolSize = useApp.getState().spec.poolSize;
    expect(sent).toEqual([
      { program: { kind: 'example', name: 'q6_processes' }, args: ['a', 'b c'] },
      {
        program: { kind: 'example', name: 'q6_processes' },
        args: ['a', 'b c'],
        processes: poolSize,
        poolKind: 'thread',
      },
    ]);
  });
});
