/**
 * The browser host: the same engine as the Electron app, serving the built
 * renderer over HTTP and streaming frames over a WebSocket, on 127.0.0.1 only.
 *
 * Every request needs the host's random token (query `?token=` or the cookie set
 * when the page was opened with it); WebSocket upgrades must also come from the
 * page's own origin, so no other site in the user's browser can drive the pool.
 * Commands go through the engine's one validating handler, exactly as in the app.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { commandError } from '../../shared/results';
import { LIMITS } from '../../shared/run-spec';
import { createCommandHandler, hubHandlers, type CommandHandler } from '../engine/controller';
import { FrameChannel } from '../engine/frame-channel';
import { forkLauncher } from '../engine/launcher';
import { Hub } from '../engine/hub';
import { platformSampler } from '../engine/sampler';
import { pythonDir, rendererDir, workerEntryPath } from './build';

export interface BrowserHostOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only: the host is never reachable from another machine. */
  host?: '127.0.0.1';
  /** Defaults to 32 random bytes in hex; a given one must be 32 or more of [A-Za-z0-9_-]. */
  token?: string;
  /** Defaults to the number of logical cores. */
  poolSize?: number;
  /** A client that has taken in no frame for this long while frames wait is dropped (default 30 s). */
  stallTimeoutMs?: number;
  /** Bytes of frames a client may hold unacknowledged before more wait, and may have waiting before they are dropped for a resync. */
  maxInFlightBytes?: number;
  maxHeldBytes?: number;
}

export interface BrowserHost {
  /** The page URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The host's sources: its pool (pids, readiness, for tests and the command line) and Python runs. */
  readonly hub: Hub;
  readonly pool: Hub['pool'];
  /** Stops every worker, drops every client and closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Larger messages close the socket (1009): commands are a few hundred bytes, pasted Python code up to its limit. */
const MAX_PAYLOAD_BYTES = LIMITS.pythonCode.max + 64 * 1024;
/** RFC 6455 "Try Again Later": the host is fine, this client could not keep up. */
const CLOSE_TOO_SLOW = 1013;
const CLOSE_GOING_AWAY = 1001;
/** URL- and cookie-safe without escaping, and long enough not to be guessed. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,}$/;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Starts the host; resolves once it listens. */
export async function startBrowserHost(options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('hex');
  if (!TOKEN_PATTERN.test(token)) throw new Error('the token must be 32 or more characters of [A-Za-z0-9_-]');
  const address = options.host ?? '127.0.0.1';
  const staticRoot = await realpath(rendererDir).catch(() => {
    throw new Error(`the renderer is not built (${rendererDir} is missing): call ensureBuilt() first`);
  });

  const server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, address, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const access = new AccessCheck(token, port);
  const headers = securityHeaders(port);

  const sampler = platformSampler();
  // An explicit undefined would override the pool's own default (the core count).
  const size = options.poolSize === undefined ? {} : { poolSize: options.poolSize };
  const hub = new Hub({ launcher: forkLauncher, workerEntry: workerEntryPath, pythonDir, ...size, sampler });
  const { pool } = hub;
  const handle = createCommandHandler(hubHandlers(hub, 'browser'));
  /** Each client with its own frame channel, so each gets the engine's catch-up frame and its own pace. */
  const clients = new Map<WebSocket, FrameChannel>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });

  server.on('request', (req, res) => {
    void serveStatic(req, res, staticRoot, access, headers).catch(() => {
      if (!res.headersSent) send(res, 500, headers, 'internal error');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = access.refuseUpgrade(req);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const channel = new FrameChannel({
        subscribe: (listener) => hub.onFrame(listener),
        stallTimeoutMs: options.stallTimeoutMs,
        maxInFlightBytes: options.maxInFlightBytes,
        maxHeldBytes: options.maxHeldBytes,
        onStall: (why) => drop(ws, why),
      });
      clients.set(ws, channel);
      ws.on('message', (data, isBinary) => void receive(ws, channel, handle, data, isBinary));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        // With no subscribers left, the engine skips building frames.
        channel.close();
        clients.delete(ws);
      });
    });
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const [ws, channel] of clients) {
        channel.close();
        ws.close(CLOSE_GOING_AWAY, 'Poolscope host is shutting down');
      }
      const serverClosed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await hub.close();
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      await serverClosed;
    })());

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, hub, pool, close };
}

/**
 * One client message: `{ready: true}` (the page listens: frames start, from a
 * catch-up frame), `{ack: seq}` (it has taken in frames up to seq), or
 * `{id, command}`, answered `{id, result}`.
 */
async function receive(
  ws: WebSocket,
  channel: FrameChannel,
  handle: CommandHandler,
  data: RawData,
  isBinary: boolean,
): Promise<void> {
  let message: unknown;
  try {
    if (isBinary) throw new Error('binary messages are not accepted');
    message = JSON.parse(data.toString());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return reply(ws, null, commandError('invalid', `message is not JSON: ${reason}`));
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return reply(ws, null, commandError('invalid', 'message must be an object {id, command}'));
  }
  const record = message as Record<string, unknown>;
  if (Object.keys(record).length === 1 && Number.isSafeInteger(record.ack)) return channel.ack(record.ack as number);
  if (Object.keys(record).length === 1 && record.ready === true) {
    // Frames go out as binary messages, encoded once for every client.
    return channel.open({ send: (bytes) => ws.readyState === ws.OPEN && ws.send(bytes, { binary: true }) });
  }
  const { id, command, ...extra } = record;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return reply(ws, null, commandError('invalid', 'id: expected a non-negative integer', 'id'));
  }
  const extraKey = Object.keys(extra)[0];
  if (extraKey !== undefined) {
    return reply(ws, id, commandError('invalid', `unexpected key "${extraKey}" beside id and command`, extraKey));
  }
  reply(ws, id, await handle(command));
}

function reply(ws: WebSocket, id: number | null, result: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
}

/** Token and origin checks, shared by HTTP requests and WebSocket upgrades. */
class AccessCheck {
  private readonly expected: Buffer;
  /** Per port: cookies are not isolated by port, so two hosts must not share a name. */
  readonly cookieName: string;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(
    readonly token: string,
    port: number,
  ) {
    this.expected = Buffer.from(token);
    this.cookieName = `poolscope_token_${port}`;
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  /**
   * 401 without a token, 403 with a wrong one. A token in the query wins over
   * the cookie, so a wrong one is refused even in a browser that has the cookie.
   * The Host check stops DNS-rebinding pages from reaching us under another name.
   */
  check(req: IncomingMessage, url: URL): { status: number; reason: string } | null {
    if (!this.hosts.has(req.headers.host ?? '')) return { status: 400, reason: 'Bad Request' };
    const candidate = url.searchParams.get('token') || readCookie(req.headers.cookie, this.cookieName);
    if (!candidate) return { status: 401, reason: 'Unauthorized' };
    if (!this.matches(candidate)) return { status: 403, reason: 'Forbidden' };
    return null;
  }

  refuseUpgrade(req: IncomingMessage): { status: number; reason: string } | null {
    const url = parseUrl(req.url);
    if (!url || url.pathname !== '/ws') return { status: 404, reason: 'Not Found' };
    const refusal = this.check(req, url);
    if (refusal) return refusal;
    if (!this.origins.has(req.headers.origin ?? '')) return { status: 403, reason: 'Forbidden' };
    return null;
  }

  private matches(candidate: string): boolean {
    const given = Buffer.from(candidate);
    // timingSafeEqual needs equal lengths; the token's length is not a secret.
    return given.length === this.expected.length && timingSafeEqual(given, this.expected);
  }
}

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  access: AccessCheck,
  headers: Record<string, string>,
): Promise<void> {
  const url = parseUrl(req.url);
  if (!url) return send(res, 400, headers, 'bad request');
  const refusal = access.check(req, url);
  if (refusal) return send(res, refusal.status, headers, refusal.reason.toLowerCase());
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, { ...headers, Allow: 'GET, HEAD' }, 'method not allowed');

  const file = await resolveStatic(root, url.pathname);
  if (!file) return send(res, 404, headers, 'not found');
  const body = await readFile(file);
  const extra: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
  };
  if (url.searchParams.has('token')) {
    // Assets referenced by index.html carry no query string: the cookie lets them in.
    extra['Set-Cookie'] = `${access.cookieName}=${access.token}; HttpOnly; SameSite=Strict; Path=/`;
  }
  send(res, 200, { ...headers, ...extra }, req.method === 'HEAD' ? null : body, body.length);
}

/** A file inside root, or null: no traversal, no symlinks out, no directories. */
async function resolveStatic(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.slice(1);
  try {
    const file = await realpath(resolve(root, relative));
    if (!file.startsWith(root + sep) || !(await stat(file)).isFile()) return null;
    return file;
  } catch {
    return null;
  }
}

function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Sent with every response. Inline styles are allowed because the UI's
 * component libraries inject <style> elements; scripts are never inline.
 */
function securityHeaders(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer | null,
  length = typeof body === 'string' ? Buffer.byteLength(body) : (body?.length ?? 0),
): void {
  const type = typeof body === 'string' ? { 'Content-Type': 'text/plain; charset=utf-8' } : {};
  res.writeHead(status, { ...type, ...headers, 'Content-Length': String(length) });
  res.end(body ?? undefined);
}

/** Closes a client that cannot keep up; the close frame may sit behind its backlog, so do not wait long. */
function drop(ws: WebSocket, why: string): void {
  ws.close(CLOSE_TOO_SLOW, `client too slow: ${why}`.slice(0, 120));
  setTimeout(() => ws.terminate(), 1000).unref();
}
