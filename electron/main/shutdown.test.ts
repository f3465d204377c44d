import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeWithin } from './shutdown';

describe('closeWithin', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves when the pool closes in time, without force', async () => {
    const forceKill = vi.fn();
    const close = vi.fn(() => new Promise<void>((resolve) => setTimeout(resolve, 700)));
    const outcome = closeWithin(close, forceKill, { graceMs: 500, deadlineMs: 1500 });
    await vi.advanceTimersByTimeAsync(700);
    expect(await outcome).toBe('closed');
    expect(close).toHaveBeenCalledWith(500);
    expect(forceKill).not.toHaveBeenCalled();
  });

  it('force-kills at the deadline when closing hangs', async () => {
    const forceKill = vi.fn();
    const outcome = closeWithin(() => new Promise<void>(() => {}), forceKill, { graceMs: 500, deadlineMs: 1500 });
    await vi.advanceTimersByTimeAsync(1499);
    expect(forceKill).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('forced');
    expect(forceKill).toHaveBeenCalledTimes(1);
  });

  it('force-kills when closing fails', async () => {
    const forceKill = vi.fn();
    expect(await closeWithin(() => Promise.reject(new Error('boom')), forceKill, { graceMs: 1, deadlineMs: 10 })).toBe(
      'forced',
    );
    expect(forceKill).toHaveBeenCalledTimes(1);
  });
});
