import { existsSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PythonProcess } from './python-process';
import type { HelloRecord, TraceRecord } from './records';
import { MAX_LINE_BYTES, pythonBootDir, TraceServer, type TraceConnection, type TraceWarning } from './trace-server';

const examples = join(dirname(pythonBootDir), 'examples');

/** Everything a server reported, for assertions. */
function recorder() {
  const hellos: TraceConnection[] = [];
  const records: { pid: number; record: TraceRecord }[] = [];
  const warnings: TraceWarning[] = [];
  const closed: { pid: number; sawBye: boolean }[] = [];
  return {
    hellos,
    records,
    warnings,
    closed,
    handlers: {
      hello: (c: TraceConnection) => hellos.push(c),
      records: (c: TraceConnection, batch: TraceRecord[]) =>
        batch.forEach((record) => records.push({ pid: c.pid, record })),
      warning: (w: TraceWarning) => warnings.push(w),
      closed: (c: TraceConnection, sawBye: boolean) => closed.push({ pid: c.pid, sawBye }),
    },
    kind: <K extends TraceRecord[0]>(kind: K) =>
      records
        .filter((r) => r.record[0] === kind)
        .map((r) => r.record as Extract<TraceRecord, readonly [K, ...unknown[]]>),
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function rawClient(server: TraceServer): Promise<Socket> {
  const path = server.address.slice('unix:'.length);
  return new Promise((done, fail) => {
    const socket = connect(path, () => done(socket));
    socket.once('error', fail);
  });
}

function hello(token: string, pid = 4242): HelloRecord {
  return ['hello', token, pid, 1, 'MainProcess', 'main', null, null, '3.11.7', 1];
}

let servers: TraceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function startServer(handlers: ReturnType<typeof recorder>['handlers']): Promise<TraceServer> {
  const server = await TraceServer.start(handlers);
  servers.push(server);
  return server;
}

describe('TraceServer', () => {
  it('listens in a private folder and removes it on close', async () => {
    const server = await TraceServer.start();
    const path = server.address.slice('unix:'.length);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    const env = server.env({ processes: 3, poolKind: 'thread' }, { PYTHONPATH: '/mine' });
    expect(env.PYTHONPATH).toBe(`${pythonBootDir}:/mine`);
    expect(env).toMatchObject({
      POOLSCOPE_TRACE: server.address,
      POOLSCOPE_PROCESSES: '3',
      POOLSCOPE_POOL_KIND: 'thread',
    });
    await server.close();
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('receives the records of a real traced Pool.map run', async () => {
    const seen = recorder();
    const server = await startServer(seen.handlers);
    const program = await PythonProcess.start({ script: join(examples, 'q1_squares.py'), server, stdio: 'pipe' });
    const output: Buffer[] = [];
    program.stdout!.on('data', (chunk: Buffer) => output.push(chunk));
    expect(await program.exited).toEqual({ code: 0, signal: null });
    await until(() => seen.closed.length === seen.hellos.length && seen.hellos.length === 6);

    expect(Buffer.concat(output).toString()).toBe(
      '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\nAll squares calculated with multiprocessing\n',
    );
    const main = seen.hellos.find((c) => c.hello[5] === 'main')!;
    expect(main.pid).toBe(program.pid);
    const workers = seen.hellos.filter((c) => c.hello[5] === 'pool-worker');
    const [pool] = seen.kind('pool');
    expect(pool.slice(2, 4)).toEqual(['Pool', 5]);
    expect(workers.map((w) => w.hello[6])).toEqual(Array(5).fill(pool[1]));
    const [call] = seen.kind('call');
    expect(call.slice(2, 7)).toEqual([pool[1], 'map', 'square', 1, 10]);
    const done = seen.kind('done').filter((r) => r[1] === call[1]);
    expect(done.map((r) => [r[2], r[8]]).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
      Array.from({ length: 10 }, (_, n) => [n, n * n]),
    );
    expect(seen.kind('call-end')).toEqual([['call-end', call[1], 10, expect.any(Number)]]);
    expect(seen.closed.every((c) => c.sawBye)).toBe(true);
    expect(seen.warnings).toEqual([]);
  });

  it('closes a connection with a wrong token, and the traced program ends itself', async () => {
    const seen = recorder();
    const server = await startServer(seen.handlers);
    const wrong = { ...process.env, POOLSCOPE_TRACE_TOKEN: '0'.repeat(64) };
    const program = await PythonProcess.start({
      script: join(examples, 'hanging.py'),
      stdio: 'pipe',
      env: { ...wrong, ...server.env({}, wrong), POOLSCOPE_TRACE_TOKEN: '0'.repeat(64) },
    });
    expect(await program.exited).toEqual({ code: 70, signal: null });
    expect(seen.hellos).toEqual([]);
    expect(seen.warnings.map((w) => w.kind)).toContain('bad-token');
  });

  it('drops an invalid record with a warning and keeps the connection', async () => {
    const seen = recorder();
    const server = await startServer(seen.handlers);
    const client = await rawClient(server);
    client.write(JSON.stringify([hello(server.token), ['done', 'x.1', 0, 4242, 1, 5, 3, 0, null]]) + '\n');
    client.write(JSON.stringify([['bogus'], ['bye', 4242, 9]]) + '\n');
    await until(() => seen.records.length === 1);
    expect(seen.warnings.map((w) => [w.kind, w.pid])).toEqual([
      ['invalid-record', 4242],
      ['invalid-record', 4242],
    ]);
    expect(seen.warnings[0].message).toMatch(/bad times/);
    expect(seen.records[0].record).toEqual(['bye', 4242, 9]);
    client.end();
    await until(() => seen.closed.length === 1);
    expect(seen.closed).toEqual([{ pid: 4242, sawBye: true }]);
  });

  it('drops a connection that sends a line over 4 MiB and keeps serving others', async () => {
    const seen = recorder();
    const server = await startServer(seen.handlers);
    const flooding = await rawClient(server);
    flooding.on('error', () => {});
    flooding.write(JSON.stringify([hello(server.token, 1111)]) + '\n');
    const huge = Buffer.alloc(MAX_LINE_BYTES + 1024, 'a');
    flooding.write(huge);
    await until(() => seen.closed.length === 1);
    expect(seen.closed).toEqual([{ pid: 1111, sawBye: false }]);
    expect(seen.warnings.map((w) => w.kind)).toEqual(['line-too-long']);

    const polite = await rawClient(server);
    polite.write(JSON.stringify([hello(server.token, 2222), ['bye', 2222, 5]]) + '\n');
    await until(() => seen.records.length === 1);
    expect(seen.records[0]).toEqual({ pid: 2222, record: ['bye', 2222, 5] });
    polite.end();
  });

  it('closes a connection whose first record is not hello', async () => {
    const seen = recorder();
    const server = await startServer(seen.handlers);
    const client = await rawClient(server);
    client.write(JSON.stringify([['bye', 1, 2]]) + '\n');
    await new Promise((done) => client.once('close', done));
    expect(seen.warnings.map((w) => w.kind)).toEqual(['bad-token']);
    expect(seen.hellos).toEqual([]);
  });
});
