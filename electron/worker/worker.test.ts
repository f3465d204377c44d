import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { makeRunSpec } from '../../shared/run-spec';
import { workerEntryPath } from '../host/build';
import type { FromWorker } from './messages';
import { countPrimes, spin } from './workloads';

describe('worker process', () => {
  it('ignores malformed messages, says so on stderr, and keeps working', async () => {
    const child = fork(workerEntryPath, [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const messages: FromWorker[] = [];
    child.on('message', (m) => messages.push(m as FromWorker));
    const next = (t: FromWorker['t']) =>
      new Promise<FromWorker>((resolve) => {
        const check = () => {
          const found = messages.find((m) => m.t === t);
          if (found) resolve(found);
          else setTimeout(check, 5);
        };
        check();
      });
    await next('ready');
    for (const bad of [
      null,
      { t: 'chunks', runId: 1, list: [0, -3] },
      { t: 'chunks', runId: 1, list: [0, 1, 2] },
      { t: 'run' },
      { t: 'eval', code: 'process.exit(9)' },
    ]) {
      child.send(bad as never);
    }
    child.send({
      t: 'run',
      runId: 1,
      spec: makeRunSpec({ workload: 'square', tasks: 3 }, 1),
      itersPerMs: 1000,
      trace: true,
    });
    child.send({ t: 'chunks', runId: 1, list: [0, 3] });
    const settled = () =>
      messages.flatMap((m) =>
        m.t === 'report' ? Array.from(m.settled.task, (task, k) => [task, m.settled.result[k]]) : [],
      );
    await next('report');
    while (settled().length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled()).toEqual([
      [0, 0],
      [1, 1],
      [2, 4],
    ]);
    while ((stderr.match(/ignored a malformed message/g) ?? []).length < 5) await new Promise((r) => setTimeout(r, 5));
    expect(child.exitCode).toBeNull();
    child.kill();
  });
});

describe('workloads', () => {
  it('spin is deterministic', () => {
    expect(spin(1000, 7)).toBe(spin(1000, 7));
    expect(spin(1000, 7)).not.toBe(spin(1001, 7));
  });

  it('counts primes', () => {
    expect(countPrimes(0, 100)).toBe(25);
    expect(countPrimes(100, 200)).toBe(21);
  });
});
