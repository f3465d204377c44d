import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildExit } from '../engine/launcher';
import { ExitLedger } from './exit-ledger';

const WAIT = 200;

describe('ExitLedger', () => {
  let ledger: ExitLedger;
  let exits: ChildExit[];
  const track = (name = 'poolscope-worker-1') => ledger.track(name, (exit) => exits.push(exit));

  beforeEach(() => {
    vi.useFakeTimers();
    ledger = new ExitLedger({ killSignal: 'SIGTERM', goneWaitMs: WAIT });
    exits = [];
  });
  afterEach(() => vi.useRealTimers());

  it('reports our own kill as killed, although Electron says exit code 0', () => {
    track();
    ledger.killed('poolscope-worker-1');
    ledger.exited('poolscope-worker-1', 0);
    expect(exits).toEqual([{ code: null, signal: 'SIGTERM', reason: 'killed' }]);
  });

  it('reports a clean exit at once', () => {
    track();
    ledger.exited('poolscope-worker-1', 0);
    expect(exits).toEqual([{ code: 0, signal: null }]);
  });

  it('waits briefly for child-process-gone after an unexplained exit, then takes its reason', () => {
    track();
    ledger.exited('poolscope-worker-1', 139);
    expect(exits).toEqual([]);
    vi.advanceTimersByTime(WAIT / 2);
    ledger.gone('poolscope-worker-1', { reason: 'crashed', exitCode: 11 });
    expect(exits).toEqual([{ code: 139, signal: null, reason: 'crashed' }]);
  });

  it('takes the reason when child-process-gone comes first', () => {
    track();
    ledger.gone('poolscope-worker-1', { reason: 'oom', exitCode: 9 });
    expect(exits).toEqual([]);
    ledger.exited('poolscope-worker-1', 9);
    expect(exits).toEqual([{ code: 9, signal: null, reason: 'oom' }]);
  });

  it('reports without a reason when child-process-gone never comes', () => {
    track();
    ledger.exited('poolscope-worker-1', 1);
    vi.advanceTimersByTime(WAIT - 1);
    expect(exits).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(exits).toEqual([{ code: 1, signal: null }]);
  });

  it('ends a process that failed to launch even without an exit event', () => {
    track();
    ledger.gone('poolscope-worker-1', { reason: 'launch-failed', exitCode: 1002 });
    expect(exits).toEqual([{ code: 1002, signal: null, reason: 'launch-failed' }]);
  });

  it('reports a clean exit and a kill without waiting for anything', () => {
    track('poolscope-worker-1');
    track('poolscope-worker-2');
    ledger.exited('poolscope-worker-1', 0);
    ledger.killed('poolscope-worker-2');
    ledger.exited('poolscope-worker-2', 0);
    expect(exits).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("takes the words of the process's error event as the reason, without waiting for child-process-gone", () => {
    track();
    ledger.failed('poolscope-worker-1', 'V8 fatal error: Allocation failed - JavaScript heap out of memory');
    ledger.exited('poolscope-worker-1', 11);
    expect(exits).toEqual([
      { code: 11, signal: null, reason: 'V8 fatal error: Allocation failed - JavaScript heap out of memory' },
    ]);
  });

  it('prefers the error words to the bare reason of child-process-gone', () => {
    track();
    ledger.gone('poolscope-worker-1', { reason: 'crashed', exitCode: 11 });
    ledger.failed('poolscope-worker-1', 'V8 fatal error: x');
    ledger.exited('poolscope-worker-1', 11);
    expect(exits).toEqual([{ code: 11, signal: null, reason: 'V8 fatal error: x' }]);
  });

  it('ends a process abandoned before it spawned as not launched', () => {
    track();
    ledger.killed('poolscope-worker-1');
    ledger.abandoned('poolscope-worker-1');
    expect(exits).toEqual([{ code: null, signal: null, reason: 'not-launched' }]);
    ledger.exited('poolscope-worker-1', 0);
    expect(exits).toHaveLength(1);
  });

  it('reports each process exactly once and keeps processes apart', () => {
    track('poolscope-worker-1');
    track('poolscope-worker-2');
    ledger.killed('poolscope-worker-2');
    ledger.exited('poolscope-worker-1', 0);
    ledger.exited('poolscope-worker-1', 0);
    ledger.gone('poolscope-worker-1', { reason: 'crashed', exitCode: 11 });
    vi.advanceTimersByTime(WAIT * 2);
    expect(exits).toEqual([{ code: 0, signal: null }]);
    ledger.exited('poolscope-worker-2', 0);
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: null, signal: 'SIGTERM', reason: 'killed' },
    ]);
    expect(ledger.isTracked('poolscope-worker-1')).toBe(false);
  });

  it('ignores events for processes it does not know', () => {
    ledger.gone('Network Service', { reason: 'crashed', exitCode: 11 });
    ledger.exited('nobody', 1);
    ledger.killed('nobody');
    expect(exits).toEqual([]);
  });

  it('reports a null signal for kills on Windows', () => {
    const windows = new ExitLedger({ killSignal: null, goneWaitMs: WAIT });
    windows.track('w', (exit) => exits.push(exit));
    windows.killed('w');
    windows.exited('w', 1);
    expect(exits).toEqual([{ code: null, signal: null, reason: 'killed' }]);
  });
});
