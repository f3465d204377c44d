import { afterEach, describe, expect, it } from 'vitest';
import { workerEntryPath } from '../host/build';
import { forkLauncher } from './launcher';
import { Pool } from './pool';

const open: Pool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pool) => pool.close()));
});

describe('ThreadLauncher', () => {
  it('threads started while the previous host is still quitting are not taken down with it', async () => {
    const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, poolSize: 4, backend: 'thread' });
    open.push(pool);
    const failed: string[] = [];
    let live = 0;
    let joined = () => {};
    pool.onFrame((frame) => {
      for (const e of frame.events) {
        if (e.type === 'worker-spawned') live++;
        if (e.type !== 'worker-exited') continue;
        if (e.cause === 'startup-failed') failed.push(`W${e.worker}`);
        if (--live === 0) joined();
      }
    });
    await pool.ready();
    // close() then join: the last thread's exit tells its host to quit, and the next pool's
    // threads go into a new host the moment the join returns, as the compare view does.
    for (const backend of ['gil', 'thread', 'gil', 'thread'] as const) {
      const [before] = pool.workerPids();
      await new Promise<void>((resolve) => {
        joined = () => {
          joined = () => {};
          pool.configure(4, backend);
          resolve();
        };
        pool.closeWorkers();
      });
      await pool.ready();
      const threads = pool.workerPids();
      expect(threads).toHaveLength(4);
      expect(threads[0].pid).not.toBe(before.pid);
      // The old host's exit must not end the new threads.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pool.workerPids()).toEqual(threads);
    }
    expect(failed).toEqual([]);
  });
});
