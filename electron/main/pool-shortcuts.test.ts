import { describe, expect, it, vi } from 'vitest';
import type { Frame, PoolEvent } from '../../shared/protocol';
import { PoolShortcuts, type PoolControls } from './pool-shortcuts';

const fakePool = (size: number, running: boolean) => {
  const pool = { size, running, resize: vi.fn(), cancel: vi.fn(), pause: vi.fn(), resume: vi.fn() };
  pool.resize.mockImplementation((n: number) => (pool.size = n));
  return pool;
};
// Only `events` matters to the shortcuts.
const frame = (...events: PoolEvent[]): Frame => ({ events }) as Partial<Frame> as Frame;

describe('PoolShortcuts', () => {
  it('grows and shrinks the pool by one within its limits', () => {
    const pool = fakePool(2, false);
    const shortcuts = new PoolShortcuts(pool as PoolControls);
    shortcuts.grow();
    expect(pool.size).toBe(3);
    shortcuts.shrink();
    shortcuts.shrink();
    shortcuts.shrink();
    expect(pool.size).toBe(1);
    expect(pool.resize).toHaveBeenCalledTimes(3); // not below 1
    const full = fakePool(64, false);
    new PoolShortcuts(full as PoolControls).grow();
    expect(full.resize).not.toHaveBeenCalled();
  });

  it('cancels a running run, killing in-flight tasks, and does nothing when idle', () => {
    const idle = fakePool(2, false);
    expect(new PoolShortcuts(idle as PoolControls).cancel()).toBe(false);
    expect(idle.cancel).not.toHaveBeenCalled();
    const busy = fakePool(2, true);
    expect(new PoolShortcuts(busy as PoolControls).cancel()).toBe(true);
    expect(busy.cancel).toHaveBeenCalledWith('kill');
  });

  it('toggles submission, following the frame stream', () => {
    const pool = fakePool(2, true);
    const shortcuts = new PoolShortcuts(pool as PoolControls);
    expect(shortcuts.togglePause()).toBe(true);
    expect(pool.pause).toHaveBeenCalledTimes(1);
    shortcuts.observe(frame({ type: 'submission', runId: 1, at: 0, paused: true }));
    shortcuts.togglePause();
    expect(pool.resume).toHaveBeenCalledTimes(1);
    // A new run starts unpaused.
    shortcuts.observe(frame({ type: 'run-finished', runId: 1, at: 0, status: 'cancelled', counts: null as never }));
    shortcuts.togglePause();
    expect(pool.pause).toHaveBeenCalledTimes(2);
  });

  it('cannot start a run (the settings live in the renderer)', () => {
    const pool = fakePool(2, false);
    expect(new PoolShortcuts(pool as PoolControls).togglePause()).toBe(false);
    expect(pool.pause).not.toHaveBeenCalled();
    expect(pool.resume).not.toHaveBeenCalled();
  });
});
