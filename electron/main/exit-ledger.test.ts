import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChildExit } from '../engine/launcher';
import { ExitLedger } from './exit-ledger';

const WAIT = 200;

describe('ExitLedger', () => {
  let ledger: ExitLedger;
  let exits: ChildExit[];
  const track = (name = 'poolscope-worker-1', streams = 0) => ledger.track(name, streams, (exit) => exits.push(exit));

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

  it('waits for stdout and stderr to close, so the crash trace is complete', () => {
    track('poolscope-worker-1', 2);
    ledger.killed('poolscope-worker-1');
    ledger.exited('poolscope-worker-1', 0);
    ledger.streamClosed('poolscope-worker-1');
    expect(exits).toEqual([]);
    ledger.streamClosed('poolscope-worker-1');
    expect(exits).toHaveLength(1);
  });

  it('does not wait forever for a stream that never closes', () => {
    track('poolscope-worker-1', 1);
    ledger.exited('poolscope-worker-1', 0);
    vi.advanceTimersByTime(WAIT);
    expect(exits).toEqual([{ code: 0, signal: null }]);
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
    windows.track('w', 0, (exit) => exits.push(exit));
    windows.killed('w');
    windows.exited('w', 1);
    expect(exits).toEqual([{ code: null, signal: null, reason: 'killed' }]);
  });
});
