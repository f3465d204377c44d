/**
 * A traced Python program seen through the host's frames, as every view sees
 * it: real python3 processes, real records, one TaskStore fed by the frames.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventOf, Frame, PoolEvent } from '../../shared/events';
import { MAX_OUTPUT_LINES, TaskState, TaskStore } from '../../shared/task-store';
import { FrameBuilder } from '../engine/frame-builder';
import { pythonDir } from '../host/build';
import { PythonError } from './python-process';
import { PythonRun, type PythonRunOptions } from './python-run';

const example = (name: string) => join(pythonDir, 'examples', `${name}.py`);
const running: PythonRun[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((run) => run.stop(200)));
});

async function trace(name: string, options: Partial<PythonRunOptions> = {}) {
  const frames = new FrameBuilder();
  const store = new TaskStore();
  const seen: Frame[] = [];
  frames.subscribe((frame) => {
    seen.push(frame);
    store.ingest(frame);
  }, []);
  const run = await PythonRun.start(frames, { script: example(name), stdio: 'pipe', ...options });
  running.push(run);
  const events = <T extends PoolEvent['type']>(type: T) =>
    seen.flatMap((f) => f.events).filter((e): e is EventOf<T> => e.type === type);
  return { run, store, events, result: await run.finished };
}

const lines = (store: TaskStore, stream: 'stdout' | 'stderr' = 'stdout') =>
  store.output.filter((o) => o.stream === stream).map((o) => o.text);
/** Lanes that ran tasks, as [kind, name] pairs. */
const doers = (store: TaskStore) =>
  store
    .laneList()
    .filter((lane) => lane.tasksDone + lane.tasksFailed > 0)
    .map((lane) => [lane.kind, lane.name]);

describe('a traced Python program, as frames', () => {
  it('Q1: ten tasks on pool workers, the results and the parent’s line, the run completed', async () => {
    const { store, result } = await trace('q1_squares');
    expect(result.status).toBe('completed');
    expect(store.run?.run).toMatchObject({ source: 'python', title: 'python q1_squares.py' });
    expect(store.counts).toMatchObject({ submitted: 10, done: 10, queued: 0, running: 0 });
    expect(Array.from(store.result.subarray(0, 10))).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    expect(lines(store)).toEqual([
      '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]',
      'All squares calculated with multiprocessing',
    ]);
    expect(doers(store).every(([kind, name]) => kind === 'process' && /PoolWorker-\d/.test(name ?? ''))).toBe(true);
    expect([...store.calls.values()].map((c) => c.label)).toEqual(['Pool 1.map(square)']);
    // CPU time is the task thread's own, measured by the tracer.
    for (let t = 0; t < 10; t++) expect(store.cpu[t]).toBeGreaterThanOrEqual(0);
    expect(store.marks.map((m) => m.label)).toEqual(expect.arrayContaining(['close()', 'join()']));
  });

  it('Q3 and Q6: each Process is a lane running one task; the parent’s last line comes after', async () => {
    const q3 = await trace('q3_process');
    expect(lines(q3.store)).toEqual(['Child process is running.', 'Main process is done.']);
    expect(q3.store.counts).toMatchObject({ submitted: 1, done: 1 });
    const q6 = await trace('q6_processes');
    const out = lines(q6.store);
    expect(out.slice(0, 4).sort()).toEqual([1, 2, 3, 4].map((n) => `Process ${n}: The square of ${n} is ${n * n}.`));
    expect(out[4]).toBe('All processes have finished.');
    expect(doers(q6.store)).toHaveLength(4);
    expect([...q6.store.calls.values()].every((c) => c.method === 'Process')).toBe(true);
  });

  it('thread pools and executors run on thread lanes; two maps are two calls', async () => {
    const threads = await trace('api_thread_pool');
    expect(doers(threads.store).every(([kind]) => kind === 'thread')).toBe(true);
    const executor = await trace('api_thread_executor');
    expect(doers(executor.store).every(([kind]) => kind === 'thread')).toBe(true);
    const maps = await trace('two_maps');
    expect([...maps.store.calls.values()].map((c) => c.method)).toEqual(['map', 'map']);
    expect(new Set([...Array(maps.store.size).keys()].map((t) => maps.store.call[t])).size).toBe(2);
  });

  it('sets the size of every pool the program creates, and can run its process pools as threads', async () => {
    const three = await trace('api_pool_map', { overrides: { processes: 3 } });
    expect(three.store.marks.find((m) => /worker/.test(m.label))?.label).toMatch(/3 workers/);
    const asThreads = await trace('api_pool_map', { overrides: { poolKind: 'thread' } });
    expect(doers(asThreads.store).every(([kind]) => kind === 'thread')).toBe(true);
    expect(asThreads.store.counts).toMatchObject({ done: 12 });
  });

  it('under spawn as under fork', async () => {
    const spawned = await trace('api_pool_map', { args: ['spawn'] });
    expect(spawned.store.counts).toMatchObject({ submitted: 12, done: 12 });
    expect(doers(spawned.store).every(([, name]) => /SpawnPoolWorker/.test(name ?? ''))).toBe(true);
  });

  it('a task that raises is failed with its error; the program’s own failure fails the run, saying why', async () => {
    const { store, result } = await trace('failing_task');
    expect(store.failures[0]).toMatchObject({ reason: 'error', message: expect.stringContaining('ZeroDivisionError') });
    expect(store.state[store.failures[0].task]).toBe(TaskState.failed);
    expect(result.status).toBe('failed');
    expect(store.run?.error).toMatch(/exited with code 1[\s\S]*ZeroDivisionError/);
  });

  it('a program that leaves while its pool runs: what never finished is cancelled, the counts add up', async () => {
    const { store } = await trace('exits_while_running');
    const c = store.counts!;
    expect(c.submitted).toBe(c.done + c.failed + c.cancelled + c.queued + c.running);
    expect(c.queued + c.running).toBe(0);
    expect(c.cancelled + c.failed).toBeGreaterThan(0);
    expect(lines(store)).toContain('leaving with work still running');
  });

  it('a pool worker killed from outside is shown killed, with the task it was running', async () => {
    const frames = new FrameBuilder();
    const store = new TaskStore();
    frames.subscribe((frame) => store.ingest(frame), []);
    const run = await PythonRun.start(frames, { script: example('hanging'), stdio: 'pipe' });
    running.push(run);
    const deadline = Date.now() + 15_000;
    const busy = () => store.laneList().find((lane) => lane.current >= 0 && /PoolWorker/.test(lane.name ?? ''));
    while (!busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const victim = busy()!;
    const task = victim.current;
    process.kill(victim.pid!, 'SIGKILL');
    while (store.lanes.get(victim.worker)?.exitedAt == null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(store.lanes.get(victim.worker)).toMatchObject({ exitCause: 'killed', exitSignal: 'SIGKILL' });
    expect(store.state[task]).toBe(TaskState.failed);
    expect(store.failures.find((f) => f.task === task)?.message).toMatch(/killed with SIGKILL/);
    await run.stop(200);
  });

  it('passes at most a bounded rate of output lines for a program that prints megabytes, and says what it left out', async () => {
    const { store, result } = await trace('loud');
    expect(result.status).toBe('completed');
    expect(store.output.length).toBeLessThanOrEqual(MAX_OUTPUT_LINES);
    // However fast the program prints, a 100 ms stretch carries a bounded number of lines to the page.
    const perWindow = new Map<number, number>();
    for (const line of store.output)
      perWindow.set(Math.floor(line.at / 100), (perWindow.get(Math.floor(line.at / 100)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(2 * 2_001);
    const said = store.output.filter((o) => /more lines of output in \d+ ms were not shown/.test(o.text));
    const dropped = said.reduce((n, o) => n + Number(/([\d,]+) more/.exec(o.text)![1].replace(/,/g, '')), 0);
    // Every line is either shown or counted in a note.
    expect(store.output.length - said.length + dropped).toBeGreaterThanOrEqual(2_000);
  });

  it('says plainly when the script is missing, and reports a syntax error as the run’s failure', async () => {
    await expect(PythonRun.start(new FrameBuilder(), { script: '/no/such/script.py', stdio: 'pipe' })).rejects.toThrow(
      PythonError,
    );
    const frames = new FrameBuilder();
    const store = new TaskStore();
    frames.subscribe((frame) => store.ingest(frame), []);
    const broken = join(pythonDir, '..', '.scratch', 'broken.py');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(pythonDir, '..', '.scratch'), { recursive: true });
    writeFileSync(broken, 'def oops(:\n    pass\n');
    const run = await PythonRun.start(frames, { script: broken, stdio: 'pipe' });
    const result = await run.finished;
    expect(result.status).toBe('failed');
    expect(store.run?.error).toMatch(/SyntaxError/);
  });
});
