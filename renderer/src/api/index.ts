import type { PoolscopeApi } from '../../../shared/api';
import { createWebSocketApi } from './websocket';

let api: PoolscopeApi | undefined;

/**
 * The API for this page: the Electron preload's when running in the app,
 * otherwise the browser host's WebSocket (one connection, shared by all callers).
 * The host's token comes from the page URL; without one, the host's cookie is used.
 */
export function connectApi(): PoolscopeApi {
  if (window.poolscope) return window.poolscope;
  if (!api) {
    const token = new URLSearchParams(location.search).get('token');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    api = createWebSocketApi(`${scheme}://${location.host}/ws${query}`);
  }
  return api;
}
