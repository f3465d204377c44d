import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CommandResult } from '../../shared/results';
import type { Frame, PoolEvent } from '../../shared/events';
import { decodeFrame } from '../../shared/frame-codec';
import { makeRunSpec } from '../../shared/run-spec';
import { TaskStore } from '../../shared/task-store';
import { startBrowserHost, type BrowserHost } from './server';

/** A raw GET, so paths reach the server exactly as written (fetch would normalise them). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the upgrade's HTTP status: 101 when accepted, else the refusal. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/**
 * A WebSocket client as the page is one: it says it listens, decodes binary
 * frames, acknowledges each, pairs answers with requests.
 */
class Client {
  readonly frames: Frame[] = [];
  private readonly answers = new Map<number | null, (result: CommandResult<unknown>) => void>();
  private frameWaiters: (() => void)[] = [];
  private nextId = 1;
  /** Stop acknowledging: the host must hold or drop frames for this client, not for others. */
  ackless = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const frame = decodeFrame(new Uint8Array(data as Buffer));
        this.frames.push(frame);
        if (!this.ackless) ws.send(JSON.stringify({ ack: frame.seq }));
        for (const wake of this.frameWaiters.splice(0)) wake();
        return;
      }
      const message = JSON.parse(data.toString()) as { id?: number | null; result?: CommandResult<unknown> };
      if (message.result) this.answers.get(message.id ?? null)?.(message.result);
    });
  }

  static open(host: BrowserHost, listen = true): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
      origin: `http://127.0.0.1:${host.port}`,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        if (listen) ws.send(JSON.stringify({ ready: true }));
        resolve(new Client(ws));
      });
      ws.once('error', reject);
    });
  }

  /** Sends raw text; the answer to malformed input has id null. */
  sendRaw(text: string, id: number | null): Promise<CommandResult<unknown>> {
    return new Promise((resolve) => {
      this.answers.set(id, resolve);
      this.ws.send(text);
    });
  }

  send(command: unknown): Promise<CommandResult<unknown>> {
    const id = this.nextId++;
    return this.sendRaw(JSON.stringify({ id, command }), id);
  }

  async waitForFrames(count: number, timeoutMs = 5_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} frames`);
      await new Promise<void>((wake) => {
        this.frameWaiters.push(wake);
        setTimeout(wake, 100);
      });
    }
    return this.frames;
  }

  /** Waits for an event matching the predicate, in frames already received or still to come. */
  async waitForEvent<T extends PoolEvent>(match: (event: PoolEvent) => event is T, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (let seen = 0; ;) {
      for (; seen < this.frames.length; seen++) {
        const found = this.frames[seen].events.find(match);
        if (found) return found;
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for an event');
      await new Promise<void>((wake) => {
        this.frameWaiters.push(wake);
        setTimeout(wake, 100);
      });
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

describe('browser host', () => {
  let host: BrowserHost;
  let client: Client;

  beforeAll(async () => {
    host = await startBrowserHost({ poolSize: 2 });
    client = await Client.open(host);
  });
  afterAll(() => host.close());

  it('listens on loopback with a long random token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 401 without a token and 403 with a wrong one', async () => {
    const missing = await get(host.port, '/');
    expect(missing.status).toBe(401);
    expect(missing.body).not.toContain('<div id="root">');
    const wrong = await get(host.port, `/?token=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(403);
    const wrongLength = await get(host.port, '/?token=short');
    expect(wrongLength.status).toBe(403);
    const wrongCookie = await get(host.port, '/', { cookie: `poolscope_token_${host.port}=${'f'.repeat(64)}` });
    expect(wrongCookie.status).toBe(403);
  });

  it('serves index.html with the token, with a strict CSP, and sets the cookie assets need', async () => {
    const page = await get(host.port, `/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<div id="root">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-store');

    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`poolscope_token_${host.port}=${host.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');

    // The page's script, by the cookie alone, as the browser loads it.
    const script = /src="\.?(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await get(host.port, script!, { cookie: cookie.split(';')[0] });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(host.port, script!)).status).toBe(401);
  });

  it('refuses paths outside the renderer build and foreign Host headers', async () => {
    for (const path of [
      '/../../package.json',
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%5c..%5cpackage.json',
    ]) {
      const res = await get(host.port, `${path}?token=${host.token}`);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('"name": "poolscope"');
    }
    expect((await get(host.port, `/nope.js?token=${host.token}`)).status).toBe(404);
    // A DNS-rebinding page reaches us under its own name, with no token either.
    expect((await get(host.port, `/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(400);
  });

  it('refuses WebSocket upgrades with a wrong token or from another origin', async () => {
    const origin = `http://127.0.0.1:${host.port}`;
    const url = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`;
    expect(await upgradeStatus(`ws://127.0.0.1:${host.port}/ws`, origin)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${host.port}/ws?token=${'a'.repeat(64)}`, origin)).toBe(403);
    expect(await upgradeStatus(url, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(url, `http://127.0.0.1:${host.port + 1}`)).toBe(403);
    expect(await upgradeStatus(url, undefined)).toBe(403);
    expect(await upgradeStatus(url, `http://localhost:${host.port}`)).toBe(101);
    expect(await upgradeStatus(url, origin)).toBe(101);
  });

  it('answers info and streams a run until it finishes', async () => {
    const info = await client.send({ name: 'info', args: [] });
    expect(info).toEqual({
      ok: true,
      value: expect.objectContaining({
        host: 'browser',
        poolSize: 2,
        backend: 'process',
        cores: availableParallelism(),
      }),
    });

    const spec = makeRunSpec({ workload: 'square', tasks: 10, poolSize: 2 }, 2);
    const started = await client.send({ name: 'start', args: [spec] });
    expect(started.ok).toBe(true);
    const runId = (started as { value: { runId: number } }).value.runId;
    const finished = await client.waitForEvent(
      (e): e is Extract<PoolEvent, { type: 'run-finished' }> => e.type === 'run-finished' && e.runId === runId,
    );
    expect(finished.status).toBe('completed');
    expect(finished.counts).toMatchObject({ submitted: 10, done: 10, failed: 0, queued: 0, running: 0 });

    const results = new Map<number, number | null>();
    for (const frame of client.frames.filter((f) => f.runId === runId)) {
      frame.settled.task.forEach((task, i) => results.set(task, frame.settled.result[i]));
    }
    expect([...results.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...results.entries()].every(([n, square]) => square === n * n)).toBe(true);
    const seqs = client.frames.map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
  });

  it('gives every client, however late, its own catch-up frame of the live workers', async () => {
    await host.pool.ready();
    const late = await Client.open(host);
    try {
      const [first] = await late.waitForFrames(1);
      const ready = first.events.filter((e) => e.type === 'worker-ready').map((e) => e.pid);
      expect(ready.sort()).toEqual(
        host.pool
          .workerPids()
          .map((w) => w.pid)
          .sort(),
      );
    } finally {
      late.ws.close();
    }
  });

  it('refuses hostile commands through the shared validator, naming the field', async () => {
    const spec = makeRunSpec({ workload: 'square', tasks: 10, poolSize: 2 }, 2);
    expect(await client.send({ name: 'start', args: [{ ...spec, poolSize: 1e9 }] })).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'spec.poolSize',
    });
    expect(await client.send({ name: 'resize', args: ['3'] })).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'poolSize',
    });
    expect(await client.send({ name: 'info', args: [], extra: 1 })).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'extra',
    });
    // JSON.parse makes "__proto__" an own key: it must be refused like any other, not merged.
    const polluted = `{"id":90,"command":{"name":"resize","args":[2],"__proto__":{"args":[64]}}}`;
    expect(await client.sendRaw(polluted, 90)).toMatchObject({ ok: false, code: 'invalid', field: '__proto__' });
    expect(await client.sendRaw('{not json', null)).toMatchObject({ ok: false, code: 'invalid', field: '' });
    expect(await client.sendRaw(JSON.stringify({ id: 'x', command: { name: 'info', args: [] } }), null)).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'id',
    });
    expect(
      await client.sendRaw(JSON.stringify({ id: 77, command: { name: 'info', args: [] }, extra: 1 }), 77),
    ).toMatchObject({
      ok: false,
      field: 'extra',
    });
    expect(await client.send({ name: 'pause', args: [] })).toMatchObject({ ok: false, code: 'idle' });
    expect(host.pool.running).toBe(false);
    expect(host.pool.size).toBe(2);
  });

  it('closes a connection that sends more than the payload limit', async () => {
    const big = await Client.open(host);
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
    big.ws.send(JSON.stringify({ id: 1, command: { name: 'info', args: ['x'.repeat(400 * 1024)] } }));
    expect(await closed).toBe(1009);
  });
});

describe('browser host defaults', () => {
  it('sizes the pool to the machine when no size is given', async () => {
    const host = await startBrowserHost();
    try {
      expect(host.pool.size).toBe(availableParallelism());
      await host.pool.ready();
      expect(host.pool.workerPids()).toHaveLength(availableParallelism());
    } finally {
      await host.close();
    }
  });
});

describe('browser host back-pressure', () => {
  it('holds frames for a client that falls behind, so it still gets every task', async () => {
    const host = await startBrowserHost({ poolSize: 2 });
    try {
      await host.pool.ready();
      const client = await Client.open(host);
      await client.waitForFrames(1);
      const tasks = 300_000;
      const spec = makeRunSpec({ workload: 'square', tasks, poolSize: 2 }, 2);
      // Stop reading while the run streams its frames, then catch up.
      client.ws.pause();
      const started = client.send({ name: 'start', args: [spec] });
      await sleep(400);
      client.ws.resume();
      await started;
      await client.waitForEvent((e): e is PoolEvent => e.type === 'run-finished', 20_000);
      const store = new TaskStore();
      for (const frame of client.frames) store.ingest(frame);
      expect(store.missedFrames).toBe(0);
      expect(client.frames.reduce((n, f) => n + f.settled.task.length, 0)).toBe(tasks);
      expect(store.counts).toMatchObject({ done: tasks, queued: 0, running: 0 });
      expect(store.result[tasks - 1]).toBe((tasks - 1) ** 2);
    } finally {
      await host.close();
    }
  });

  it('drops to a fresh catch-up frame, saying how much was skipped, past what it will hold', async () => {
    const host = await startBrowserHost({ poolSize: 2, maxInFlightBytes: 64 * 1024, maxHeldBytes: 256 * 1024 });
    try {
      await host.pool.ready();
      const client = await Client.open(host);
      await client.waitForFrames(1);
      client.ackless = true;
      const spec = makeRunSpec({ workload: 'square', tasks: 200_000, poolSize: 2 }, 2);
      await client.send({ name: 'start', args: [spec] });
      while (host.pool.running) await sleep(20);
      // Caught up again: it acks what it has, and the host resyncs it.
      client.ackless = false;
      const last = client.frames.at(-1)!;
      client.ws.send(JSON.stringify({ ack: last.seq }));
      await until(() => client.frames.some((f) => f.resync !== undefined));
      const resync = client.frames.find((f) => f.resync)!;
      expect(resync.resync!.skipped).toBeGreaterThan(0);
      expect(resync.counts).toMatchObject({ done: 200_000 });
      const store = new TaskStore();
      for (const frame of client.frames) store.ingest(frame);
      expect(store.missedFrames).toBe(resync.resync!.skipped);
    } finally {
      await host.close();
    }
  });

  it('lets a stalled client cost another client’s run nothing', async () => {
    const host = await startBrowserHost({ poolSize: 2 });
    try {
      await host.pool.ready();
      const runner = await Client.open(host);
      const spec = makeRunSpec({ workload: 'square', tasks: 200_000, chunksize: 1, poolSize: 2 }, 2);
      const timed = async () => {
        const from = runner.frames.length;
        await runner.send({ name: 'start', args: [spec] });
        const done = await runner.waitForEvent((e): e is Extract<PoolEvent, { type: 'run-finished' }> => {
          return (
            e.type === 'run-finished' && runner.frames.indexOf(runner.frames.find((f) => f.events.includes(e))!) >= from
          );
        }, 30_000);
        const started = runner.frames
          .slice(from)
          .flatMap((f) => f.events)
          .find((e) => e.type === 'run-started')!;
        return done.at - (started as { at: number }).at;
      };
      const alone = await timed();
      // A second page that stops taking anything in: not reading, not acking.
      const stalled = await Client.open(host);
      stalled.ackless = true;
      stalled.ws.pause();
      const beside = await timed();
      expect(beside).toBeLessThan(Math.max(2 * alone, alone + 500));
      stalled.ws.resume();
    } finally {
      await host.close();
    }
  });

  it('drops a client that stops taking frames in, instead of holding them without bound', async () => {
    const host = await startBrowserHost({ poolSize: 2, stallTimeoutMs: 500 });
    try {
      await host.pool.ready();
      const client = await Client.open(host);
      client.ackless = true;
      const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
      await client.send({ name: 'start', args: [makeRunSpec({ workload: 'square', tasks: 50_000, poolSize: 2 }, 2)] });
      expect(await Promise.race([closed, sleep(10_000).then(() => 0)])).toBe(1013);
    } finally {
      await host.close();
    }
  });
});

describe('browser host shutdown', () => {
  it('close() stops every worker mid-run, drops clients and stops listening', async () => {
    const host = await startBrowserHost({ poolSize: 2 });
    try {
      await host.pool.ready();
      const pids = host.pool.workerPids().map((w) => w.pid);
      expect(pids).toHaveLength(2);
      expect(pids.every(isAlive)).toBe(true);

      const client = await Client.open(host);
      const closeCode = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
      const spec = makeRunSpec({ workload: 'cpu', costMs: 200, tasks: 20, poolSize: 2 }, 2);
      expect((await client.send({ name: 'start', args: [spec] })).ok).toBe(true);
      await client.waitForEvent((e): e is PoolEvent => e.type === 'run-started');

      await host.close();
      expect(pids.filter(isAlive)).toEqual([]);
      expect(await closeCode).toBe(1001);
      await expect(get(host.port, `/?token=${host.token}`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await host.close();
    }
  });
});
