import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '../../shared/events';
import { makeRunSpec } from '../../shared/run-spec';
import { TaskStore } from '../../shared/task-store';
import { pythonDir, workerEntryPath } from '../host/build';
import { createCommandHandler, hubHandlers } from './controller';
import { Hub } from './hub';
import { forkLauncher } from './launcher';
import { parseProcStat } from './proc-stat';

let hub: Hub | null = null;
afterEach(async () => {
  await hub?.close();
  hub = null;
});

const open = () => {
  hub = new Hub({ launcher: forkLauncher, workerEntry: workerEntryPath, pythonDir, poolSize: 2 });
  return { hub, handle: createCommandHandler(hubHandlers(hub, 'browser')) };
};

describe('createCommandHandler', () => {
  it('answers bad commands with an error value and changes nothing', async () => {
    const { hub, handle } = open();
    await hub.pool.ready();
    const before = hub.pool.workerPids();
    for (const raw of [
      { name: 'resize', args: [1e9] },
      { name: 'resize', args: [3], x: 1 },
      { name: 'start', args: [] },
      { name: 'runPython', args: [{ program: { kind: 'example', name: '../../etc/passwd' }, args: [] }] },
      { name: 'runPython', args: [{ program: { kind: 'shell', command: 'rm -rf /' }, args: [] }] },
      { name: 'attachCluster', args: ['dask', 'tcp://h:1; rm -rf /'] },
      { name: 'attachCluster', args: ['spark', 'tcp://h:7077'] },
      { name: 'attachCluster', args: ['ray', '--address=x'] },
      { name: 'configure', args: [2, 'kubernetes'] },
      { name: 'start', args: [{ ...makeRunSpec({}, 2), threadsPerWorker: 99 }] },
      42,
    ]) {
      const result = await handle(raw);
      expect(result.ok).toBe(false);
    }
    expect(hub.pool.size).toBe(2);
    expect(hub.running).toBe(false);
    expect(hub.pool.workerPids()).toEqual(before);
  });

  it('answers pool errors as values: busy, idle, unavailable backend', async () => {
    const { handle } = open();
    expect(await handle({ name: 'pause', args: [] })).toMatchObject({ ok: false, code: 'idle' });
    const spec = makeRunSpec({ poolSize: 2, workload: 'cpu', costMs: 30, tasks: 4 }, 2);
    expect(await handle({ name: 'start', args: [spec] })).toMatchObject({
      ok: true,
      value: { runId: expect.any(Number) },
    });
    expect(await handle({ name: 'start', args: [spec] })).toMatchObject({ ok: false, code: 'busy' });
    // The browser host has no file dialog: it says to type the path.
    expect(await handle({ name: 'choosePythonScript', args: [] })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/type the script’s path/),
    });
    expect(await handle({ name: 'info', args: [] })).toMatchObject({
      ok: true,
      value: { host: 'browser', poolSize: 2, backend: 'process' },
    });
  });

  it('runs a shipped Python example as a run on the same stream, and refuses one that does not exist', async () => {
    const { hub, handle } = open();
    const store = new TaskStore();
    const frames: Frame[] = [];
    hub.onFrame((frame) => {
      frames.push(frame);
      store.ingest(frame);
    });
    const setup = await handle({ name: 'pythonSetup', args: [] });
    expect(setup).toMatchObject({ ok: true, value: { interpreter: expect.any(String), error: null } });
    expect((setup as { value: { examples: { name: string }[] } }).value.examples.map((e) => e.name)).toContain(
      'q4_pool',
    );
    expect(
      await handle({ name: 'runPython', args: [{ program: { kind: 'example', name: 'no_such_thing' }, args: [] }] }),
    ).toMatchObject({ ok: false, code: 'failed', message: expect.stringContaining('no example') });
    const started = await handle({
      name: 'runPython',
      args: [{ program: { kind: 'example', name: 'q4_pool' }, args: [] }],
    });
    expect(started).toMatchObject({ ok: true });
    const deadline = Date.now() + 20_000;
    while (store.run?.finishedAt == null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(store.run?.run.source).toBe('python');
    expect(store.run?.status).toBe('completed');
    expect(store.counts).toMatchObject({ submitted: 5, done: 5 });
    expect(store.output.map((line) => line.text)).toContain('Results: [2, 4, 6, 8, 10]');
    const seqs = frames.map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
  });

  it('stops a running program with cancel: its whole process tree goes', async () => {
    const { hub, handle } = open();
    const store = new TaskStore();
    hub.onFrame((frame) => store.ingest(frame));
    const code = 'import time\nfrom multiprocessing import Pool\nwith Pool(2) as p:\n    p.map(time.sleep, [30] * 4)\n';
    expect(await handle({ name: 'runPython', args: [{ program: { kind: 'code', code }, args: [] }] })).toMatchObject({
      ok: true,
    });
    const deadline = Date.now() + 15_000;
    const poolWorkers = () => store.laneList().filter((l) => l.exitedAt === null && /PoolWorker/.test(l.name ?? ''));
    while (poolWorkers().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(poolWorkers()).toHaveLength(2);
    const pids = store.laneList().map((l) => l.pid!);
    // Only the program's own processes: the engine's workers had gone before it started.
    expect(store.laneList().every((l) => l.name !== null)).toBe(true);
    expect(await handle({ name: 'cancel', args: ['kill'] })).toMatchObject({ ok: true });
    while (store.run?.finishedAt == null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(store.run?.status).toBe('cancelled');
    // Gone, or a zombie waiting for init to reap it: nothing runs.
    const running = (pid: number) => {
      try {
        return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state !== 'Z';
      } catch {
        return false;
      }
    };
    const until = Date.now() + 1_000;
    while (pids.some(running) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(pids.filter(running)).toEqual([]);
    expect(hub.running).toBe(false);
  });
});
