/**
 * The bridge's Electron plumbing against a stand-in for the few Electron objects
 * it touches, in the order Electron emits their events (webContents:
 * did-start-navigation, then will-navigate, which security.ts cancels; did-navigate
 * only once a new document has committed).
 */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeFrame, type Frame } from '../../shared/events';
import { decodeFrame } from '../../shared/frame-codec';
import { CHANNELS } from '../preload/channels';

/** MessagePortMain as far as the bridge uses it: it posts bytes and hears acks. */
class FakePort extends EventEmitter {
  readonly sent: Uint8Array[] = [];
  closed = false;
  postMessage(message: unknown): void {
    if (!this.closed) this.sent.push(message as Uint8Array);
  }
  start(): void {}
  close(): void {
    this.closed = true;
  }
}

const electron = vi.hoisted(() => ({
  ipcMain: null as unknown as import('node:events').EventEmitter & { handle: () => void; removeHandler: () => void },
  /** port1 of each MessageChannelMain made, in order: the ends the bridge keeps. */
  ports: [] as FakePort[],
}));

vi.mock('electron', () => ({
  get ipcMain() {
    return electron.ipcMain;
  },
  MessageChannelMain: class {
    readonly port1 = new FakePort();
    readonly port2 = new FakePort();
    constructor() {
      electron.ports.push(this.port1);
    }
  },
}));

const { setupBridge } = await import('./bridge');

const mainFrame = { frameToken: 'main', url: 'app://poolscope/index.html', parent: null };

function setup() {
  const contents = Object.assign(new EventEmitter(), {
    mainFrame,
    isDestroyed: () => false,
    postMessage: vi.fn(),
  });
  const window = Object.assign(new EventEmitter(), { webContents: contents, isDestroyed: () => false });
  const listeners = new Set<(frame: Frame) => void>();
  setupBridge({
    window: window as never,
    handler: async () => ({ ok: true, value: undefined }),
    // Like Pool.onFrame: a new subscriber first gets a catch-up frame (seq 0 here) describing the present.
    subscribe: (listener) => {
      listener(makeFrame({ seq: 0, at: 0, runId: null }));
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    origins: ['app://poolscope'],
  });
  const frame = (seq: number) => {
    for (const listener of listeners) listener(makeFrame({ seq, at: seq, runId: null }));
  };
  const ready = () => electron.ipcMain.emit(CHANNELS.ready, { senderFrame: mainFrame });
  const seqs = (port: FakePort) => port.sent.map((bytes) => decodeFrame(bytes).seq);
  return { contents, window, frame, ready, seqs };
}

beforeEach(() => {
  electron.ipcMain = Object.assign(new EventEmitter(), { handle: vi.fn(), removeHandler: vi.fn() });
  electron.ports.length = 0;
});

describe('setupBridge', () => {
  it('keeps the frame stream when a navigation starts and is then refused', () => {
    const { contents, frame, ready, seqs } = setup();
    ready();
    frame(1);
    // A link or location change in the page: Electron says it starts, then security.ts cancels it in will-navigate.
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'https://example.com/' });
    contents.emit('will-navigate', { url: 'https://example.com/', preventDefault: () => {} });
    frame(2);
    expect(electron.ports).toHaveLength(1);
    expect(electron.ports[0].closed).toBe(false);
    expect(seqs(electron.ports[0])).toEqual([0, 1, 2]);
  });

  it('starts a committed new document (a reload) from a fresh catch-up frame on a new port', () => {
    const { contents, frame, ready, seqs } = setup();
    ready();
    frame(1);
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: mainFrame.url });
    contents.emit('did-navigate', {}, mainFrame.url, 200, 'OK');
    frame(2);
    expect(electron.ports[0].closed).toBe(true);
    ready();
    frame(3);
    expect(seqs(electron.ports[0])).toEqual([0, 1]);
    // The new document's picture of the present comes from its own catch-up frame, not a replay.
    expect(seqs(electron.ports[1])).toEqual([0, 3]);
  });

  it('gives each ready a fresh port, closing the one before', () => {
    const { ready } = setup();
    ready();
    ready();
    expect(electron.ports.map((port) => port.closed)).toEqual([true, false]);
  });

  it('ignores ready from a frame that is not ours', () => {
    const { contents } = setup();
    electron.ipcMain.emit(CHANNELS.ready, { senderFrame: { ...mainFrame, frameToken: 'other' } });
    expect(contents.postMessage).not.toHaveBeenCalled();
  });
});
