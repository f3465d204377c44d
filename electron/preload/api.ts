/**
 * The preload's PoolscopeApi, built over an injected transport so it is tested
 * without Electron (index.ts passes ipcRenderer). Commands go through the
 * shared createApi; frames arrive on a MessagePort that main hands over once a
 * listener subscribes, and are relayed to listeners as plain payloads.
 */
import {
  commandError,
  createApi,
  MENU_ACTIONS,
  type CommandResult,
  type MenuAction,
  type PoolscopeApi,
} from '../../shared/api';
import type { WireCommand } from '../../shared/commands';
import type { Frame } from '../../shared/events';
import { decodeFrame } from '../../shared/frame-codec';

/** The part of a DOM MessagePort the relay uses (ports cannot cross the context bridge). */
export interface PortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

export interface PreloadTransport {
  /** Sends a command to main and resolves with its CommandResult. */
  invoke(command: WireCommand): Promise<unknown>;
  /** Tells main the page listens for frames; main answers with a port. */
  ready(): void;
  /** Subscribes once to the menu actions main sends. */
  onMenu(deliver: (action: unknown) => void): void;
}

export interface PreloadApi {
  /** What goes on window.poolscope: exactly PoolscopeApi. */
  api: PoolscopeApi;
  /** Takes the frame port from main, replacing any earlier one. */
  acceptPort(port: PortLike): void;
}

export function createPreloadApi(transport: PreloadTransport): PreloadApi {
  const listeners = new Set<(frame: Frame) => void>();
  let port: PortLike | null = null;
  let readySent = false;

  const send = (command: WireCommand) =>
    transport
      .invoke(command)
      // The handler answers errors as values; only the IPC itself can reject: the app's side is gone.
      .catch((error: unknown) =>
        commandError('disconnected', error instanceof Error ? error.message : String(error)),
      ) as Promise<CommandResult<unknown>>;

  const onFrame = (listener: (frame: Frame) => void): (() => void) => {
    listeners.add(listener);
    if (!readySent) {
      readySent = true;
      transport.ready();
    }
    return () => void listeners.delete(listener);
  };

  const menuListeners = new Set<(action: MenuAction) => void>();
  transport.onMenu((action) => {
    if (!MENU_ACTIONS.includes(action as MenuAction)) return;
    for (const listener of menuListeners) listener(action as MenuAction);
  });
  const onMenu = (listener: (action: MenuAction) => void): (() => void) => {
    menuListeners.add(listener);
    return () => void menuListeners.delete(listener);
  };

  /** Frames arrive encoded (shared/frame-codec); each one taken in is acknowledged, so main knows the page keeps up. */
  const relay = (event: { data: unknown }): void => {
    const data = event.data;
    if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) return;
    let frame: Frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      console.error('poolscope: a frame could not be decoded', error);
      return;
    }
    for (const listener of listeners) {
      try {
        listener(frame);
      } catch (error) {
        // One failing listener must not starve the others.
        console.error('poolscope: frame listener failed', error);
      }
    }
    port?.postMessage({ ack: frame.seq });
  };

  return {
    api: createApi(send, onFrame, onMenu),
    acceptPort(next) {
      port?.close();
      port = next;
      // Assigning onmessage starts the port.
      port.onmessage = relay;
    },
  };
}
