/**
 * PoolscopeApi over the browser host's WebSocket: commands go out as
 * `{id, command}` and come back as `{id, result}`; frames arrive as binary
 * messages (shared/frame-codec) once the page says it listens (`{ready}`), and
 * each one taken in is acknowledged (`{ack: seq}`), which is how the host knows
 * this page keeps up.
 */
import { commandError, createApi, type CommandResult, type PoolscopeApi, type SendCommand } from '../../../shared/api';
import type { Frame } from '../../../shared/events';
import { decodeFrame } from '../../../shared/frame-codec';

/** What every call answers once the socket is gone: callers never hang on a dead host. */
const connectionClosed = () => commandError('disconnected', 'the connection to the Poolscope host closed');

/** Connects at once; calls made before the socket opens are sent when it does. */
export function createWebSocketApi(url: string): PoolscopeApi {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const pending = new Map<number, (result: CommandResult<unknown>) => void>();
  const unsent: string[] = [];
  // One entry per subscription, so subscribing the same function twice needs two unsubscribes.
  const listeners = new Set<{ listener: (frame: Frame) => void }>();
  let nextId = 1;
  let closed = false;
  let ready = false;

  const post = (message: string) => {
    if (closed) return;
    if (socket.readyState === WebSocket.OPEN) socket.send(message);
    else unsent.push(message);
  };

  socket.addEventListener('open', () => {
    for (const message of unsent.splice(0)) socket.send(message);
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (event.data instanceof ArrayBuffer) {
      let frame: Frame;
      try {
        frame = decodeFrame(event.data);
      } catch (error) {
        reportError(error);
        return;
      }
      for (const entry of [...listeners]) {
        try {
          entry.listener(frame);
        } catch (error) {
          // One broken listener must not starve the others.
          reportError(error);
        }
      }
      post(JSON.stringify({ ack: frame.seq }));
      return;
    }
    if (typeof event.data !== 'string') return;
    const message = JSON.parse(event.data) as { id?: number | null; result?: CommandResult<unknown> };
    if (typeof message.id === 'number' && message.result) {
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

  const send: SendCommand = (command) => {
    if (closed) return Promise.resolve(connectionClosed());
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      post(JSON.stringify({ id, command }));
    });
  };

  const onFrame = (listener: (frame: Frame) => void) => {
    const entry = { listener };
    listeners.add(entry);
    if (!ready) {
      ready = true;
      post(JSON.stringify({ ready: true }));
    }
    return () => void listeners.delete(entry);
  };
  // A browser tab has no application menu: nothing ever arrives here.
  const onMenu = () => () => {};
  return createApi(send, onFrame, onMenu);
}
