import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_RUN_SPEC } from '../../shared/run-spec';
import { createCommandHandler, hubHandlers } from '../engine/controller';
import type { Hub } from '../engine/hub';
import { PoolError } from '../engine/pool';
import { createCommandBridge, isTrustedSender, type FrameLike } from './bridge-core';
import { ownOrigins } from './urls';

const origins = ownOrigins('http://localhost:5173');
const mainFrame: FrameLike = { frameToken: 'main-token', url: 'app://poolscope/index.html', parent: null };

describe('isTrustedSender', () => {
  it('trusts our main frame on our page', () => {
    expect(isTrustedSender(mainFrame, mainFrame, origins)).toBe(true);
    const dev = { ...mainFrame, url: 'http://localhost:5173/' };
    expect(isTrustedSender(dev, dev, origins)).toBe(true);
  });

  it.each<[string, FrameLike | null]>([
    ['a frame that navigated away (Electron gives null)', null],
    ['another frame', { frameToken: 'other-token', url: 'app://poolscope/index.html', parent: null }],
    ['a subframe', { frameToken: 'main-token', url: 'app://poolscope/index.html', parent: mainFrame }],
    ['a foreign page', { frameToken: 'main-token', url: 'https://example.com/', parent: null }],
    ['a file:// page', { frameToken: 'main-token', url: 'file:///tmp/x.html', parent: null }],
    ['another dev port', { frameToken: 'main-token', url: 'http://localhost:5174/', parent: null }],
  ])('refuses %s', (_why, sender) => {
    expect(isTrustedSender(sender, mainFrame, origins)).toBe(false);
  });

  it('refuses everything once the window is gone', () => {
    expect(isTrustedSender(mainFrame, null, origins)).toBe(false);
  });
});

describe('createCommandBridge', () => {
  /** Only what the controller touches of the hub; no processes. */
  const fakePool = () => ({
    size: 2,
    backend: 'process',
    running: false,
    resize: vi.fn(),
    configure: vi.fn(),
    start: vi.fn(async () => ({ runId: 7, finished: Promise.resolve() })),
    pause: vi.fn(),
    resume: vi.fn(),
    cancel: vi.fn(),
    reset: vi.fn(),
  });
  const bridgeFor = (pool: ReturnType<typeof fakePool>) =>
    createCommandBridge(createCommandHandler(hubHandlers(pool as unknown as Hub, 'electron')), (frame) =>
      isTrustedSender(frame, mainFrame, origins),
    );
  const trusted = { senderFrame: mainFrame };

  it('passes valid commands from our window to the engine', async () => {
    const pool = fakePool();
    const bridge = bridgeFor(pool);
    expect(await bridge(trusted, { name: 'resize', args: [4] })).toEqual({ ok: true, value: undefined });
    expect(pool.resize).toHaveBeenCalledWith(4);
    const started = await bridge(trusted, { name: 'start', args: [{ ...DEFAULT_RUN_SPEC, poolSize: 2 }] });
    expect(started).toEqual({ ok: true, value: { runId: 7 } });
    expect(await bridge(trusted, { name: 'info', args: [] })).toMatchObject({
      ok: true,
      value: { host: 'electron', poolSize: 2 },
    });
  });

  it('answers an untrusted sender with an error value and touches nothing', async () => {
    const pool = fakePool();
    const bridge = bridgeFor(pool);
    const foreign = { senderFrame: { frameToken: 'main-token', url: 'https://example.com/', parent: null } };
    for (const event of [foreign, { senderFrame: null }]) {
      const result = await bridge(event, { name: 'resize', args: [4] });
      expect(result).toMatchObject({ ok: false, code: 'invalid', field: '' });
    }
    expect(pool.resize).not.toHaveBeenCalled();
  });

  it.each<[string, unknown, string]>([
    ['an unknown command', { name: 'exec', args: ['rm -rf /'] }, 'name'],
    ['an extra key', { name: 'resize', args: [4], shell: true }, 'shell'],
    ['an out-of-range value', { name: 'resize', args: [65] }, 'poolSize'],
    ['a wrong type', { name: 'resize', args: ['4'] }, 'poolSize'],
    ['a bad nested field', { name: 'start', args: [{ ...DEFAULT_RUN_SPEC, poolSize: 2, tasks: 0 }] }, 'spec.tasks'],
    ['not an object', 'resize', ''],
  ])('validates before any handler runs: %s', async (_why, raw, field) => {
    const pool = fakePool();
    const result = await bridgeFor(pool)(trusted, raw);
    expect(result).toMatchObject({ ok: false, code: 'invalid', field });
    for (const method of [pool.resize, pool.start, pool.configure]) expect(method).not.toHaveBeenCalled();
  });

  it('refuses oversized payloads before parsing', async () => {
    const result = await bridgeFor(fakePool())(trusted, { name: 'info', args: ['x'.repeat(20_000)] });
    expect(result).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('returns engine refusals as values', async () => {
    const pool = fakePool();
    pool.pause.mockImplementation(() => {
      throw new PoolError('idle', 'no run is going');
    });
    expect(await bridgeFor(pool)(trusted, { name: 'pause', args: [] })).toEqual({
      ok: false,
      code: 'idle',
      field: '',
      message: 'no run is going',
    });
  });
});
