/**
 * Where traced Python processes report (python/PROTOCOL.md): a socket in a
 * private folder, one connection per process, JSON lines of records.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHello, validateRecord, type HelloRecord, type TraceRecord } from './records';

/** The folder that holds the tracer's `sitecustomize.py`. */
export const pythonBootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../python/boot');

/** A line (one batch of records) longer than this ends its connection. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** One traced process's connection, once its hello has been accepted. */
export interface TraceConnection {
  /** Numbered by the server in order of arrival. */
  readonly id: number;
  readonly pid: number;
  readonly hello: HelloRecord;
}

export type TraceWarningKind = 'bad-token' | 'invalid-record' | 'invalid-line' | 'line-too-long' | 'socket-error';

export interface TraceWarning {
  readonly kind: TraceWarningKind;
  readonly message: string;
  /** The connection's pid, when its hello was accepted. */
  readonly pid: number | null;
}

/** What the server tells its owner; every callback is optional. */
export interface TraceServerHandlers {
  hello?(connection: TraceConnection): void;
  /** The valid records of one line, in order; invalid ones were dropped with a warning. */
  records?(connection: TraceConnection, records: TraceRecord[]): void;
  warning?(warning: TraceWarning): void;
  /** `sawBye` false means the process died (or broke the protocol) rather than exited. */
  closed?(connection: TraceConnection, sawBye: boolean): void;
}

/** The size and kind the program's pools get (PROTOCOL.md: Activation). */
export interface TracePoolOverrides {
  /** 1…64: every pool's size. */
  processes?: number;
  poolKind?: 'process' | 'thread' | 'serial';
}

/**
 * Listens for traced processes: a unix socket in a private (0700) temporary
 * folder, or TCP on 127.0.0.1 on Windows; every connection must open with a
 * hello carrying the server's token.
 */
export class TraceServer {
  private readonly sockets = new Set<Socket>();
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    /** The value of POOLSCOPE_TRACE. */
    readonly address: string,
    /** 64 hex characters, new for each server. */
    readonly token: string,
    private readonly folder: string | null,
    private readonly handlers: TraceServerHandlers,
    private readonly bootDir: string,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /**
   * Starts listening; `close()` removes the socket and its folder. `bootDir`
   * is where the tracer's `sitecustomize.py` is (default: this checkout's
   * `python/boot`; a packaged app passes its unpacked copy).
   */
  static async start(handlers: TraceServerHandlers = {}, bootDir = pythonBootDir): Promise<TraceServer> {
    const token = randomBytes(32).toString('hex');
    const server = createServer();
    if (process.platform === 'win32') {
      await listen(server, { host: '127.0.0.1', port: 0 });
      const { port } = server.address() as { port: number };
      return new TraceServer(server, `tcp:127.0.0.1:${port}`, token, null, handlers, bootDir);
    }
    const folder = await mkdtemp(join(tmpdir(), 'poolscope-'));
    try {
      await chmod(folder, 0o700);
      const path = join(folder, 'trace.sock');
      await listen(server, { path });
      return new TraceServer(server, `unix:${path}`, token, folder, handlers, bootDir);
    } catch (error) {
      server.close();
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The variables a traced program needs (PROTOCOL.md: Activation), to add to
   * its environment. `base` is the environment whose PYTHONPATH comes after
   * the tracer's folder (default: this process's).
   */
  env(overrides: TracePoolOverrides = {}, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const env: Record<string, string> = {
      PYTHONPATH: base.PYTHONPATH ? `${this.bootDir}${delimiter}${base.PYTHONPATH}` : this.bootDir,
      POOLSCOPE_TRACE: this.address,
      POOLSCOPE_TRACE_TOKEN: this.token,
    };
    if (overrides.processes !== undefined) {
      if (!Number.isInteger(overrides.processes) || overrides.processes < 1 || overrides.processes > 64)
        throw new RangeError(`processes must be 1…64, not ${overrides.processes}`);
      env.POOLSCOPE_PROCESSES = String(overrides.processes);
    }
    if (overrides.poolKind !== undefined) env.POOLSCOPE_POOL_KIND = overrides.poolKind;
    return env;
  }

  /**
   * Resolves once every connection has closed, or at `deadline` (a Date.now()
   * time). Polls rather than waits for a close event: a child that connected
   * just before it exited may still sit in the accept queue, and a timer turn
   * lets the server take it in first.
   */
  async drained(deadline: number): Promise<void> {
    do await new Promise((resolve) => setTimeout(resolve, 5));
    while (this.sockets.size > 0 && Date.now() < deadline);
  }

  /** Stops listening, ends every connection and removes the socket's folder. */
  async close(): Promise<void> {
    const closed = new Promise<void>((done) => this.server.close(() => done()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const reader = new ConnectionReader(this.nextId++, this.token, this.handlers, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (error) => reader.warn('socket-error', error.message));
    socket.on('close', () => {
      this.sockets.delete(socket);
      reader.end();
    });
  }
}

function listen(server: Server, options: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(options, () => {
      server.off('error', fail);
      done();
    });
  });
}

/** Splits one connection's bytes into lines and its lines into records. */
class ConnectionReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private connection: TraceConnection | null = null;
  private sawBye = false;
  private dropped = false;

  constructor(
    private readonly id: number,
    private readonly token: string,
    private readonly handlers: TraceServerHandlers,
    private readonly destroy: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.dropped) return;
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.pendingBytes + piece.length > MAX_LINE_BYTES) return this.tooLong();
      const line = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      this.line(line);
      if (this.dropped) return;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > MAX_LINE_BYTES) return this.tooLong();
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  end(): void {
    if (this.connection) this.handlers.closed?.(this.connection, this.sawBye);
  }

  warn(kind: TraceWarningKind, message: string): void {
    this.handlers.warning?.({ kind, message, pid: this.connection?.pid ?? null });
  }

  private tooLong(): void {
    this.warn('line-too-long', `a line over ${MAX_LINE_BYTES} bytes: connection dropped`);
    this.drop();
  }

  private drop(): void {
    this.dropped = true;
    this.pending = [];
    this.destroy();
  }

  private line(line: Buffer): void {
    if (line.length === 0) return;
    let batch: unknown;
    try {
      batch = JSON.parse(line.toString('utf8'));
    } catch {
      return this.warn('invalid-line', 'a line that is not JSON was dropped');
    }
    if (!Array.isArray(batch)) return this.warn('invalid-line', 'a line that is not an array of records was dropped');
    const records: TraceRecord[] = [];
    for (const value of batch) {
      const record = validateRecord(value);
      if (typeof record === 'string') {
        this.warn('invalid-record', record);
      } else if (isHello(record)) {
        if (this.connection) {
          this.warn('invalid-record', 'a second hello was dropped');
        } else if (!this.tokenMatches(record[1])) {
          this.warn('bad-token', `pid ${record[2]} sent a wrong token: connection closed`);
          return this.drop();
        } else {
          this.connection = { id: this.id, pid: record[2], hello: record };
          this.handlers.hello?.(this.connection);
        }
      } else if (!this.connection) {
        this.warn('bad-token', 'a connection did not start with hello: closed');
        return this.drop();
      } else {
        if (record[0] === 'bye') this.sawBye = true;
        records.push(record);
      }
    }
    if (records.length && this.connection) this.handlers.records?.(this.connection, records);
  }

  private tokenMatches(token: string): boolean {
    const given = Buffer.from(token);
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
