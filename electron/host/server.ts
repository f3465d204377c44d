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
import { commandError } from '../../shared/api';
import { frameEntries, mergeFrames } from '../../shared/frames';
import type { Frame } from '../../shared/protocol';
import { createCommandHandler, type CommandHandler } from '../engine/controller';
import { forkLauncher } from '../engine/launcher';
import { Pool } from '../engine/pool';
import { platformSampler } from '../engine/sampler';
import { rendererDir, workerEntryPath } from './build';

export interface BrowserHostOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only: the host is never reachable from another machine. */
  host?: '127.0.0.1';
  /** Defaults to 32 random bytes in hex; a given one must be 32 or more of [A-Za-z0-9_-]. */
  token?: string;
  /** Defaults to the number of logical cores. */
  poolSize?: number;
  /** A client that has read nothing for this long while frames wait is dropped (default 30 s). */
  stallTimeoutMs?: number;
}

export interface BrowserHost {
  /** The page URL, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The host's pool, for tests and the command line (pids, readiness). */
  readonly pool: Pool;
  /** Stops every worker, drops every client and closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Larger messages close the socket (1009); real commands are a few hundred bytes. */
const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * Past this much unsent data a client is behind: its frames are merged into one
 * (frames are append-only deltas, so nothing is lost) and sent when it catches up.
 * A million-task run makes tens of MiB of frames in under a second; a page reads
 * them a little later, not never.
 */
const BEHIND_BYTES = 1024 * 1024;
/** How often a client that is behind is checked for having caught up. */
const CATCH_UP_CHECK_MS = 25;
/** A merged backlog this large means the client has given up reading: drop it. */
const MAX_BACKLOG_ENTRIES = 20_000_000;
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
  const pool = new Pool({ launcher: forkLauncher, workerEntry: workerEntryPath, ...size, sampler });
  const handle = createCommandHandler(pool, 'browser', sampler?.coreSampling ?? false);
  /** Each client with its own frame subscription, so each gets the engine's catch-up frame. */
  const clients = new Map<WebSocket, () => void>();
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
      const sender = new FrameSender(ws, options.stallTimeoutMs ?? 30_000, (frame) => serialise(frame));
      const unsubscribe = pool.onFrame((frame) => sender.send(frame));
      clients.set(ws, () => {
        unsubscribe();
        sender.dispose();
      });
      ws.on('message', (data, isBinary) => void answer(ws, handle, data, isBinary));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        // With no subscribers left, the engine skips building frames.
        clients.get(ws)?.();
        clients.delete(ws);
      });
    });
  });

  // Every subscriber gets the same Frame object: serialise it once, not once per client.
  let lastFrame: Frame | null = null;
  let lastMessage = '';
  function serialise(frame: Frame): string {
    if (frame !== lastFrame) {
      lastFrame = frame;
      lastMessage = JSON.stringify({ frame });
    }
    return lastMessage;
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const [ws, unsubscribe] of clients) {
        unsubscribe();
        ws.close(CLOSE_GOING_AWAY, 'Poolscope host is shutting down');
      }
      const serverClosed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await pool.close();
      for (const ws of clients.keys()) ws.terminate();
      wss.close();
      await serverClosed;
    })());

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, pool, close };
}

/** Answers one client message: `{id, command}` in, `{id, result}` out. */
async function answer(ws: WebSocket, handle: CommandHandler, data: RawData, isBinary: boolean): Promise<void> {
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
  const { id, command, ...extra } = message as Record<string, unknown>;
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

/**
 * Sends one client its frames. While the client is behind, frames are merged
 * and go out as one when it has caught up; a client that stops reading for
 * `stallTimeoutMs`, or whose backlog grows past all reason, is dropped.
 */
class FrameSender {
  private backlog: Frame | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private behindSince = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly stallTimeoutMs: number,
    private readonly serialise: (frame: Frame) => string,
  ) {}

  send(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.backlog === null && this.ws.bufferedAmount <= BEHIND_BYTES) {
      this.ws.send(this.serialise(frame));
      return;
    }
    this.backlog = this.backlog ? mergeFrames(this.backlog, frame) : frame;
    if (frameEntries(this.backlog) > MAX_BACKLOG_ENTRIES) this.drop('its backlog of frames grew past all reason');
    else this.timer ??= setInterval(() => this.catchUp(), CATCH_UP_CHECK_MS);
    if (this.behindSince === 0) this.behindSince = Date.now();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.backlog = null;
  }

  private catchUp(): void {
    if (this.ws.readyState !== this.ws.OPEN) return this.dispose();
    if (this.ws.bufferedAmount > BEHIND_BYTES) {
      if (Date.now() - this.behindSince > this.stallTimeoutMs)
        this.drop(`it read nothing for ${this.stallTimeoutMs} ms`);
      return;
    }
    const backlog = this.backlog;
    this.dispose();
    this.behindSince = 0;
    if (backlog) this.ws.send(JSON.stringify({ frame: backlog }));
  }

  private drop(why: string): void {
    this.dispose();
    this.ws.close(CLOSE_TOO_SLOW, `client too slow: ${why}`);
    // The close frame queues behind the backlog; do not wait for a client that cannot read.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }
}
