/**
 * The preload: exposes PoolscopeApi as window.poolscope and nothing else — no
 * ipcRenderer, no generic invoke, no Electron event objects. Runs sandboxed, so
 * it is bundled into one CommonJS file whose only require is 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi, type PortLike } from './api';
import { CHANNELS } from './channels';

const { api, acceptPort } = createPreloadApi({
  invoke: (command) => ipcRenderer.invoke(CHANNELS.command, command),
  ready: () => ipcRenderer.send(CHANNELS.ready),
  onMenu: (deliver) => ipcRenderer.on(CHANNELS.menu, (_event, action: unknown) => deliver(action)),
});

ipcRenderer.on(CHANNELS.port, (event) => {
  const [port] = event.ports;
  // Typed as Node's MessagePort under the Node tsconfig; at runtime it is the DOM's.
  if (port) acceptPort(port as unknown as PortLike);
});

contextBridge.exposeInMainWorld('poolscope', api);
