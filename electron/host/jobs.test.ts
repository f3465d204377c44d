/**
 * One job, two paths, one set of figures: the compare job run by a page through
 * the browser host's WebSocket (binary frames, as the Compare view gets them)
 * while the command line's in-process path watches the same pool, each with a
 * session of its own. Every run's figures come out the same on both.
 */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi, type PoolscopeApi } from '../../shared/api';
import type { Frame } from '../../shared/events';
import { decodeFrame } from '../../shared/frame-codec';
import { compareBackends } from '../../shared/jobs/compare';
import { Session } from '../../shared/jobs/session';
import type { CommandResult } from '../../shared/results';
import { makeRunSpec } from '../../shared/run-spec';
import { computeStats } from '../../shared/stats';
import { startBrowserHost, type BrowserHost } from './server';

/** The PoolscopeApi a page gets from the browser host: commands as JSON, frames as acknowledged binary messages. */
async function pageApi(host: BrowserHost): Promise<{ api: PoolscopeApi; close: () => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, {
    origin: `http://127.0.0.1:${host.port}`,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const listeners = new Set<(frame: Frame) => void>();
  const answers = new Map<number, (result: CommandResult<unknown>) => void>();
  let nextId = 1;
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const frame = decodeFrame(new Uint8Array(data as Buffer));
      for (const listener of listeners) listener(frame);
      ws.send(JSON.stringify({ ack: frame.seq }));
      return;
    }
    const { id, result } = JSON.parse(data.toString()) as { id: number; result: CommandResult<unknown> };
    answers.get(id)?.(result);
  });
  ws.send(JSON.stringify({ ready: true }));
  const api = createApi(
    (command) =>
      new Promise((resolve) => {
        const id = nextId++;
        answers.set(id, resolve);
        ws.send(JSON.stringify({ id, command }));
      }),
    (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    () => () => {},
  );
  return { api, close: () => ws.close() };
}

let host: BrowserHost | null = null;
afterAll(async () => {
  await host?.close();
});

describe('the compare job', () => {
  it('gives the same figures through the WebSocket page path and the in-process CLI path', async () => {
    host = await startBrowserHost({ poolSize: 2 });
    const cores = availableParallelism();
    const page = await pageApi(host);
    const pageSession = new Session(
      page.api,
      () => {},
      () => cores,
    );
    // The CLI's path: frames straight from the pool, no transport.
    const cliSession = new Session(
      { onFrame: (listener) => host!.pool.onFrame(listener) },
      () => {},
      () => cores,
    );
    const spec = makeRunSpec({ workload: 'cpu', costMs: 5, tasks: 12, chunksize: 1, poolSize: 2 }, cores);
    const rows = await compareBackends(
      { api: page.api, session: pageSession, signal: new AbortController().signal },
      { kind: 'engine', spec },
      ['serial', 'process', 'thread'],
      cores,
    );
    page.close();
    expect(rows.map((r) => r.backend)).toEqual(['serial', 'process', 'thread']);
    for (const row of rows) {
      const entry = cliSession.history.entry(row.runId)!;
      const store = cliSession.history.store(row.runId)!;
      const stats = computeStats(store, entry.finishedAt!, cores)!;
      expect(entry.finishedAt! - entry.startedAt).toBe(row.wallMs);
      expect(stats.speedup).toBe(row.speedup);
      expect(stats.coreWaitShare).toBe(row.coreWaitShare);
      expect(stats.failed).toBe(row.failed);
      expect(store.orderLength).toBe(12);
    }
    expect(rows[0].wallSpeedup).toBe(1);
    expect(rows[1].wallSpeedup).toBeCloseTo(rows[0].wallMs / rows[1].wallMs, 10);
  });
});
