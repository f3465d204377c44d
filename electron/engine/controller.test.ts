import { afterEach, describe, expect, it } from 'vitest';
import { makeRunSpec } from '../../shared/run-spec';
import { workerEntryPath } from '../host/build';
import { createCommandHandler } from './controller';
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
    const handle = createCommandHandler(pool, 'browser', true);
    await pool.ready();
    const before = pool.workerPids();
    for (const raw of [
      { type: 'resize', poolSize: 1e9 },
      { type: 'resize', poolSize: 3, x: 1 },
      { type: 'start' },
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
    const handle = createCommandHandler(pool, 'browser', true);
    expect(await handle({ type: 'pause' })).toMatchObject({ ok: false, code: 'idle' });
    const spec = makeRunSpec({ poolSize: 2, workload: 'cpu', costMs: 30, tasks: 4 }, 2);
    expect(await handle({ type: 'start', spec })).toEqual({ ok: true, value: { runId: 1 } });
    expect(await handle({ type: 'start', spec })).toMatchObject({ ok: false, code: 'busy' });
    expect(await handle({ type: 'info' })).toMatchObject({
      ok: true,
      value: { host: 'browser', poolSize: 2, backend: 'process' },
    });
  });
});
