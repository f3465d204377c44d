import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../../shared/protocol';
import { makeFrame } from '../../../shared/frames';
import { makeRunSpec } from '../../../shared/run-spec';
import { createWebSocketApi } from './websocket';

/** Just enough of the browser's WebSocket to drive the client by hand. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static last: FakeSocket;
  readyState = FakeSocket.CONNECTING;
  readonly sent: { id: number; command: unknown }[] = [];

  constructor(readonly url: string) {
    super();
    FakeSocket.last = this;
  }

  send(data: string): void {
    if (this.readyState !== FakeSocket.OPEN) throw new Error('InvalidStateError: still connecting');
    this.sent.push(JSON.parse(data));
  }

  open(): void {
    this.readyState = FakeSocket.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  receive(message: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
  }

  drop(): void {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(new Event('close'));
  }
}

const frame = (seq: number): Frame => makeFrame({ seq, at: seq, runId: null });

const closedAnswer = { ok: false, code: 'failed', field: '', message: 'connection to the Poolscope host closed' };

describe('createWebSocketApi', () => {
  beforeEach(() => void vi.stubGlobal('WebSocket', FakeSocket));
  afterEach(() => void vi.unstubAllGlobals());

  it('sends calls made before the socket opens, and pairs answers by id', async () => {
    const api = createWebSocketApi('ws://127.0.0.1:1/ws?token=t');
    const socket = FakeSocket.last;
    expect(socket.url).toBe('ws://127.0.0.1:1/ws?token=t');
    const info = api.info();
    const resize = api.resize(3);
    socket.open();
    expect(socket.sent).toEqual([
      { id: 1, command: { type: 'info' } },
      { id: 2, command: { type: 'resize', poolSize: 3 } },
    ]);
    // Answered out of order, as the host may.
    socket.receive({ id: 2, result: { ok: true } });
    socket.receive({ id: 1, result: { ok: true, value: { host: 'browser' } } });
    expect(await resize).toEqual({ ok: true });
    expect(await info).toEqual({ ok: true, value: { host: 'browser' } });
  });

  it('dispatches frames to every listener until it unsubscribes', () => {
    const api = createWebSocketApi('ws://h/ws');
    const socket = FakeSocket.last;
    socket.open();
    const a: number[] = [];
    const b: number[] = [];
    const offA = api.onFrame((f) => a.push(f.seq));
    api.onFrame((f) => b.push(f.seq));
    socket.receive({ frame: frame(1) });
    offA();
    socket.receive({ frame: frame(2) });
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('keeps delivering frames when one listener throws', () => {
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (error: unknown) => reported.push(error));
    const api = createWebSocketApi('ws://h/ws');
    const socket = FakeSocket.last;
    socket.open();
    const seen: number[] = [];
    api.onFrame(() => {
      throw new Error('broken view');
    });
    api.onFrame((f) => seen.push(f.seq));
    socket.receive({ frame: frame(7) });
    expect(seen).toEqual([7]);
    expect(reported).toHaveLength(1);
  });

  it('answers pending and later calls with a failure once the socket closes', async () => {
    const api = createWebSocketApi('ws://h/ws');
    const socket = FakeSocket.last;
    socket.open();
    const pending = api.start(makeRunSpec({}, 2));
    socket.drop();
    expect(await pending).toEqual(closedAnswer);
    expect(await api.pause()).toEqual(closedAnswer);
    expect(socket.sent).toHaveLength(1);
  });

  it('fails calls queued before a socket that never opened', async () => {
    const api = createWebSocketApi('ws://h/ws');
    const info = api.info();
    FakeSocket.last.drop();
    expect(await info).toEqual(closedAnswer);
  });
});
