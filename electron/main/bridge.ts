/**
 * Wires the engine to the window: commands through one checked `ipcMain.handle`,
 * frames over a MessageChannelMain port handed to the renderer once it says it
 * is ready. The rules live in bridge-core.ts; this is only the Electron plumbing.
 */
import { ipcMain, MessageChannelMain, type BrowserWindow, type MessagePortMain } from 'electron';
import type { Frame } from '../../shared/events';
import type { CommandHandler } from '../engine/controller';
import { FrameChannel } from '../engine/frame-channel';
import { CHANNELS } from '../preload/channels';
import { createCommandBridge, isTrustedSender, type FrameLike } from './bridge-core';

export interface BridgeOptions {
  window: BrowserWindow;
  handler: CommandHandler;
  /** The engine's frame stream (Pool.onFrame). */
  subscribe: (listener: (frame: Frame) => void) => () => void;
  /** Origins our page may be served from (urls.ts ownOrigins). */
  origins: readonly string[];
}

/** Sets up the bridge for one window; it tears itself down when the window closes. */
export function setupBridge({ window, handler, subscribe, origins }: BridgeOptions): void {
  const contents = window.webContents;
  const isTrusted = (frame: FrameLike | null): boolean =>
    !window.isDestroyed() && isTrustedSender(frame, contents.mainFrame, origins);

  ipcMain.handle(CHANNELS.command, createCommandBridge(handler, isTrusted));

  // Paced by the page's acks; a new document's ready subscribes afresh, from a catch-up frame.
  const channel = new FrameChannel({ subscribe });
  let port: MessagePortMain | null = null;

  const disconnect = (): void => {
    channel.close();
    port?.close();
    port = null;
  };

  // Each ready (first load, reload) gets a fresh channel; the old one is closed.
  const onReady = (event: Electron.IpcMainEvent): void => {
    if (!isTrusted(event.senderFrame)) return;
    disconnect();
    // postMessage to a destroyed window throws.
    if (contents.isDestroyed()) return;
    const pair = new MessageChannelMain();
    contents.postMessage(CHANNELS.port, null, [pair.port2]);
    port = pair.port1;
    const open = port;
    open.on('message', (event) => {
      const ack = (event.data as { ack?: unknown } | null)?.ack;
      if (Number.isSafeInteger(ack)) channel.ack(ack as number);
    });
    open.start();
    // MessagePortMain carries the bytes as a structured clone: one copy, no per-task objects.
    channel.open({ send: (bytes) => open.postMessage(bytes) });
  };
  ipcMain.on(CHANNELS.ready, onReady);

  // Only a committed new document (a reload, too) has lost its port; frames are held until it is ready.
  // Not did-start-navigation: it comes before will-navigate, which security.ts cancels, and the page stays.
  contents.on('did-navigate', disconnect);
  contents.on('render-process-gone', disconnect);

  window.once('closed', () => {
    disconnect();
    ipcMain.removeHandler(CHANNELS.command);
    ipcMain.off(CHANNELS.ready, onReady);
  });
}
