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

describe('poolCommands.configure', () => {
  it('replaces a resize still waiting for the slider to settle: the new backend gets one command', async () => {
    const sent: unknown[][] = [];
    const api = {
      resize: async (...args: unknown[]) => (sent.push(['resize', ...args]), { ok: true, value: undefined }),
      // A cluster that takes its time to start.
      configure: (...args: unknown[]) => (sent.push(['configure', ...args]), new Promise(() => {})),
    } as unknown as PoolscopeApi;
    const commands = poolCommands(api);
    const before = useApp.getState().spec.backend;
    commands.setPoolSize(2);
    // As the Backend choice does: the spec names the new backend, then the pool switches.
    useApp.getState().setSpec({ backend: 'dask' });
    commands.configure(2, 'dask');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sent).toEqual([['configure', 2, 'dask']]);
    // While it starts, that is what the controls say.
    expect(useApp.getState().clusterNote).toMatchObject({ tone: 'pending', text: 'Starting a local Dask cluster…' });
    useApp.getState().setSpec({ backend: before });
  });
});
