import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeFrame } from '../../../shared/events';
import { encodeFrame } from '../../../shared/frame-codec';
import { makeRunSpec } from '../../../shared/run-spec';
import { createWebSocketApi } from './websocket';

/** Just enough of the browser's WebSocket to drive the client by hand. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static last: FakeSocket;
  readyState = FakeSocket.CONNECTING;
  readonly sent: Record<string, unknown>[] = [];
  binaryType = 'blob';

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

  /** A frame as the host sends it: binary. */
  receiveFrame(seq: number): void {
    const bytes = encodeFrame(makeFrame({ seq, at: seq, runId: null }));
    this.dispatchEvent(
      new MessageEvent('message', { data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }),
    );
  }

  drop(): void {
    this.readyState = FakeSocket.CLOSED;
    this.dispatchEvent(new Event('close'));
  }
}

const closedAnswer = {
  ok: false,
  code: 'disconnected',
  field: '',
  message: 'the connection to the Poolscope host closed',
};

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
      { id: 1, command: { name: 'info', args: [] } },
      { id: 2, command: { name: 'resize', args: [3] } },
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
    socket.receiveFrame(1);
    offA();
    socket.receiveFrame(2);
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
    // It said it listens once, then acknowledged each frame it took in.
    expect(socket.sent).toEqual([{ ready: true }, { ack: 1 }, { ack: 2 }]);
    expect(socket.binaryType).toBe('arraybuffer');
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
    socket.receiveFrame(7);
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
