import { describe, expect, it, vi } from 'vitest';
import { API_METHODS } from '../../shared/api';
import type { WireCommand } from '../../shared/commands';
import { makeFrame, type Frame } from '../../shared/events';
import { decodeFrame, encodeFrame } from '../../shared/frame-codec';
import { DEFAULT_RUN_SPEC } from '../../shared/run-spec';
import { createPreloadApi, type PortLike } from './api';

const transport = (
  invoke: (command: WireCommand) => Promise<unknown> = async () => ({ ok: true, value: undefined }),
) => {
  let deliverMenu: (action: unknown) => void = () => {};
  return {
    invoke: vi.fn(invoke),
    ready: vi.fn(),
    onMenu: (deliver: (action: unknown) => void) => void (deliverMenu = deliver),
    /** What main would send on the menu channel. */
    menu: (action: unknown) => deliverMenu(action),
  };
};

class FakePort implements PortLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closed = false;
  /** What the preload sent back: its acks. */
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  close(): void {
    this.closed = true;
  }
  deliver(data: unknown): void {
    this.onmessage?.({ data });
  }
}

/** A frame as main sends it: encoded bytes. */
const bytes = (seq: number) => encodeFrame(makeFrame({ seq, at: seq, runId: null }));
const seqs = (frames: unknown[]) => frames.map((f) => (f as Frame).seq);

describe('createPreloadApi', () => {
  it('exposes exactly the shared contract and nothing else', () => {
    const { api } = createPreloadApi(transport());
    expect(Object.keys(api).sort()).toEqual([...API_METHODS].sort());
    for (const key of API_METHODS) expect(typeof api[key]).toBe('function');
  });

  it('sends each method as its command', async () => {
    const t = transport();
    const { api } = createPreloadApi(t);
    const spec = { ...DEFAULT_RUN_SPEC, poolSize: 2 };
    await api.info();
    await api.configure(3, 'process');
    await api.start(spec);
    await api.pause();
    await api.resume();
    await api.cancel('finish');
    await api.resize(5);
    await api.reset();
    expect(t.invoke.mock.calls.map(([command]) => command)).toEqual([
      { name: 'info', args: [] },
      { name: 'configure', args: [3, 'process'] },
      { name: 'start', args: [spec] },
      { name: 'pause', args: [] },
      { name: 'resume', args: [] },
      { name: 'cancel', args: ['finish'] },
      { name: 'resize', args: [5] },
      { name: 'reset', args: [] },
    ]);
  });

  it('passes results through and turns an IPC failure into an error value', async () => {
    const ok = createPreloadApi(transport(async () => ({ ok: true, value: { runId: 3 } })));
    expect(await ok.api.start({ ...DEFAULT_RUN_SPEC, poolSize: 1 })).toEqual({ ok: true, value: { runId: 3 } });
    const broken = createPreloadApi(
      transport(() => Promise.reject(new Error("No handler registered for 'poolscope:command'"))),
    );
    expect(await broken.api.pause()).toEqual({
      ok: false,
      code: 'disconnected',
      field: '',
      message: "No handler registered for 'poolscope:command'",
    });
  });

  it('says it is ready once, when the first frame listener subscribes', () => {
    const t = transport();
    const { api } = createPreloadApi(t);
    expect(t.ready).not.toHaveBeenCalled();
    api.onFrame(() => {});
    api.onFrame(() => {});
    expect(t.ready).toHaveBeenCalledTimes(1);
  });

  it('relays frames from the port to listeners, payload only, until they unsubscribe', () => {
    const { api, acceptPort } = createPreloadApi(transport());
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = api.onFrame((f) => a.push(f));
    api.onFrame((f) => b.push(f));
    const port = new FakePort();
    acceptPort(port);
    port.deliver(bytes(1));
    offA();
    offA(); // idempotent
    port.deliver(bytes(2));
    port.deliver('not a frame');
    expect(seqs(a)).toEqual([1]);
    expect(seqs(b)).toEqual([1, 2]);
    // Each frame taken in is acknowledged, so main knows the page keeps up.
    expect(port.posted).toEqual([{ ack: 1 }, { ack: 2 }]);
    expect(decodeFrame(bytes(3)).seq).toBe(3);
  });

  it('replaces and closes an earlier port', () => {
    const { api, acceptPort } = createPreloadApi(transport());
    const got: unknown[] = [];
    api.onFrame((f) => got.push(f));
    const first = new FakePort();
    const second = new FakePort();
    acceptPort(first);
    acceptPort(second);
    expect(first.closed).toBe(true);
    second.deliver(bytes(5));
    expect(seqs(got)).toEqual([5]);
  });

  it('keeps relaying when one listener throws', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { api, acceptPort } = createPreloadApi(transport());
      const got: unknown[] = [];
      api.onFrame(() => {
        throw new Error('listener bug');
      });
      api.onFrame((f) => got.push(f));
      const port = new FakePort();
      acceptPort(port);
      port.deliver(bytes(1));
      expect(seqs(got)).toEqual([1]);
      expect(error).toHaveBeenCalledTimes(1);
    } finally {
      error.mockRestore();
    }
  });

  it('passes menu actions from main to listeners, drops unknown ones, and unsubscribes', () => {
    const t = transport();
    const { api } = createPreloadApi(t);
    const seen: string[] = [];
    const off = api.onMenu((action) => seen.push(action));
    t.menu('export-trace');
    t.menu('rm -rf');
    t.menu({ action: 'run' });
    off();
    t.menu('run');
    expect(seen).toEqual(['export-trace']);
  });
});
