/**
 * Wires the engine to the window: commands through one checked `ipcMain.handle`,
 * frames over a MessageChannelMain port handed to the renderer once it says it
 * is ready. The rules live in bridge-core.ts; this is only the Electron plumbing.
 */
import { ipcMain, MessageChannelMain, type BrowserWindow, type MessagePortMain } from 'electron';
import type { Frame } from '../../shared/protocol';
import type { CommandHandler } from '../engine/controller';
import { CHANNELS } from '../preload/channels';
import { createCommandBridge, isTrustedSender, Outbox, type FrameLike } from './bridge-core';

/** About 10 s of frames at the engine's 60 per second: a reload fits, a renderer that never listens does not grow memory. */
const FRAME_BACKLOG = 600;

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

  const outbox = new Outbox<Frame>(FRAME_BACKLOG);
  const unsubscribe = subscribe((frame) => outbox.push(frame));
  let port: MessagePortMain | null = null;

  const disconnect = (): void => {
    outbox.close();
    port?.close();
    port = null;
  };

  // Each ready (first load, reload) gets a fresh channel; the old one is closed.
  const onReady = (event: Electron.IpcMainEvent): void => {
    if (!isTrusted(event.senderFrame)) return;
    disconnect();
    // postMessage to a destroyed window throws.
    if (contents.isDestroyed()) return;
    const channel = new MessageChannelMain();
    contents.postMessage(CHANNELS.port, null, [channel.port2]);
    port = channel.port1;
    const open = port;
    outbox.open((frame) => open.postMessage(frame));
  };
  ipcMain.on(CHANNELS.ready, onReady);

  // Only a committed new document (a reload, too) has lost its port; frames are held until it is ready.
  // Not did-start-navigation: it comes before will-navigate, which security.ts cancels, and the page stays.
  contents.on('did-navigate', disconnect);
  contents.on('render-process-gone', disconnect);

  window.once('closed', () => {
    disconnect();
    unsubscribe();
    ipcMain.removeHandler(CHANNELS.command);
    ipcMain.off(CHANNELS.ready, onReady);
  });
}
