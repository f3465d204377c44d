/**
 * PoolscopeApi over the browser host's WebSocket: commands go out as
 * `{id, command}` and come back as `{id, result}`; frames arrive as `{frame}`.
 */
import {
  commandError,
  createApi,
  type CommandResult,
  type CommandValues,
  type PoolscopeApi,
} from '../../../shared/api';
import type { Command, Frame } from '../../../shared/protocol';

/** What every call answers once the socket is gone: callers never hang on a dead host. */
const connectionClosed = () => commandError('failed', 'connection to the Poolscope host closed');

/** Connects at once; calls made before the socket opens are sent when it does. */
export function createWebSocketApi(url: string): PoolscopeApi {
  const socket = new WebSocket(url);
  const pending = new Map<number, (result: CommandResult<unknown>) => void>();
  const unsent: string[] = [];
  // One entry per subscription, so subscribing the same function twice needs two unsubscribes.
  const listeners = new Set<{ listener: (frame: Frame) => void }>();
  let nextId = 1;
  let closed = false;

  socket.addEventListener('open', () => {
    for (const message of unsent.splice(0)) socket.send(message);
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data) as { frame?: Frame; id?: number | null; result?: CommandResult<unknown> };
    if (message.frame) {
      for (const entry of [...listeners]) {
        try {
          entry.listener(message.frame);
        } catch (error) {
          // One broken listener must not starve the others.
          reportError(error);
        }
      }
    } else if (typeof message.id === 'number' && message.result) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    }
  });
  // 'error' is always followed by 'close', so close is the one place to settle.
  socket.addEventListener('close', () => {
    closed = true;
    unsent.length = 0;
    for (const resolve of pending.values()) resolve(connectionClosed());
    pending.clear();
  });

  function request(command: Command): Promise<CommandResult<unknown>> {
    if (closed) return Promise.resolve(connectionClosed());
    const id = nextId++;
    const message = JSON.stringify({ id, command });
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (socket.readyState === WebSocket.OPEN) socket.send(message);
      else unsent.push(message);
    });
  }

  // The host answers each command with that command's value type (CommandValues).
  const send = <C extends Command>(command: C) => request(command) as Promise<CommandResult<CommandValues[C['type']]>>;

  const onFrame = (listener: (frame: Frame) => void) => {
    const entry = { listener };
    listeners.add(entry);
    return () => void listeners.delete(entry);
  };
  // A browser tab has no application menu: nothing ever arrives here.
  const onMenu = () => () => {};
  return createApi(send, onFrame, onMenu);
}
