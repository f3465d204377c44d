import { afterEach, describe, expect, it } from 'vitest';
import { makeRunSpec } from '../../shared/run-spec';
import { workerEntryPath } from '../host/build';
import { createCommandHandler, poolHandlers } from './controller';
import { forkLauncher } from './launcher';
import { Pool } from './pool';

let pool: Pool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('createCommandHandler', () => {
  it('answers bad commands with an error value and changes nothing', async () => {
    pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2 });
    const handle = createCommandHandler(poolHandlers(pool, 'browser'));
    await pool.ready();
    const before = pool.workerPids();
    for (const raw of [
      { name: 'resize', args: [1e9] },
      { name: 'resize', args: [3], x: 1 },
      { name: 'start', args: [] },
      42,
    ]) {
      const result = await handle(raw);
      expect(result.ok).toBe(false);
    }
    expect(pool.size).toBe(2);
    expect(pool.running).toBe(false);
    expect(pool.workerPids()).toEqual(before);
  });

  it('answers pool errors as values: busy, idle, unavailable backend', async () => {
    pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 2 });
    const handle = createCommandHandler(poolHandlers(pool, 'browser'));
    expect(await handle({ name: 'pause', args: [] })).toMatchObject({ ok: false, code: 'idle' });
    const spec = makeRunSpec({ poolSize: 2, workload: 'cpu', costMs: 30, tasks: 4 }, 2);
    expect(await handle({ name: 'start', args: [spec] })).toEqual({ ok: true, value: { runId: 1 } });
    expect(await handle({ name: 'start', args: [spec] })).toMatchObject({ ok: false, code: 'busy' });
    expect(await handle({ name: 'info', args: [] })).toMatchObject({
      ok: true,
      value: { host: 'browser', poolSize: 2, backend: 'process' },
    });
  });
});
