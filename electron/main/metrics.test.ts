import { describe, expect, it } from 'vitest';
import type { WorkerSample } from '../../shared/protocol';
import type { SampleTarget, Sampler } from '../engine/sampler';
import { AppMetricsSampler, mergeSamples, METRICS_INTERVAL_MS, type ProcessMetricLike } from './metrics';

const metric = (pid: number, cpu: number, kb: number, creationTime = 1000, type = 'Utility'): ProcessMetricLike => ({
  pid,
  type,
  creationTime,
  cpu: { percentCPUUsage: cpu },
  memory: { workingSetSize: kb },
});

const targets: SampleTarget[] = [
  { worker: 1, pid: 101 },
  { worker: 2, pid: 102 },
];

/** What app metrics cannot tell. */
const unknown = { waitingPct: null, state: null, stalledMs: null, migrations: null, migrationsFrom: null } as const;

describe('mergeSamples', () => {
  it('fills CPU and memory from app metrics where the platform has no sample', () => {
    const samples = mergeSamples(targets, [], [metric(101, 97.5, 40_000), metric(102, 3, 30_000)], new Map());
    expect(samples).toEqual([
      { worker: 1, pid: 101, cpu: 97.5, rssBytes: 40_000 * 1024, core: null, ...unknown },
      { worker: 2, pid: 102, cpu: 3, rssBytes: 30_000 * 1024, core: null, ...unknown },
    ]);
  });

  it('prefers the platform (/proc) sample, which knows the core', () => {
    const proc: WorkerSample = { worker: 1, pid: 101, cpu: 99, rssBytes: 1, core: 1, ...unknown, state: 'running' };
    const samples = mergeSamples(targets, [proc], [metric(101, 50, 2), metric(102, 3, 4)], new Map());
    expect(samples).toEqual([proc, { worker: 2, pid: 102, cpu: 3, rssBytes: 4 * 1024, core: null, ...unknown }]);
  });

  it('uses Utility processes only', () => {
    const samples = mergeSamples(
      targets,
      [],
      [metric(101, 50, 2, 1000, 'Tab'), metric(102, 1, 1, 1000, 'GPU')],
      new Map(),
    );
    expect(samples).toEqual([]);
  });

  it('ignores a process that reused a worker pid (different creation time)', () => {
    const creationTimes = new Map<number, number>();
    expect(mergeSamples(targets.slice(0, 1), [], [metric(101, 10, 1, 1000)], creationTimes)).toHaveLength(1);
    expect(mergeSamples(targets.slice(0, 1), [], [metric(101, 10, 1, 5000)], creationTimes)).toEqual([]);
  });

  it('forgets pids that are no longer targets, so a new worker on a reused pid is measured', () => {
    const creationTimes = new Map<number, number>();
    mergeSamples(targets.slice(0, 1), [], [metric(101, 10, 1, 1000)], creationTimes);
    mergeSamples([], [], [], creationTimes);
    expect(creationTimes.size).toBe(0);
    expect(mergeSamples(targets.slice(0, 1), [], [metric(101, 10, 1, 5000)], creationTimes)).toHaveLength(1);
  });

  it('never reports negative CPU', () => {
    expect(mergeSamples(targets.slice(0, 1), [], [metric(101, -1, 1)], new Map())[0].cpu).toBe(0);
  });
});

describe('AppMetricsSampler', () => {
  const fixedPlatform = (samples: WorkerSample[]): Sampler => ({
    coreSampling: true,
    sample: async () => samples,
  });

  it('says whether it samples cores as its platform sampler does', () => {
    expect(new AppMetricsSampler(fixedPlatform([]), () => []).coreSampling).toBe(true);
    expect(new AppMetricsSampler(null, () => []).coreSampling).toBe(false);
  });

  it('does not ask Electron when /proc covers every worker', async () => {
    let calls = 0;
    const proc = targets.map((t) => ({ ...t, cpu: 1, rssBytes: 1, core: 0, ...unknown }));
    const sampler = new AppMetricsSampler(fixedPlatform(proc), () => (calls++, []));
    expect(await sampler.sample(targets)).toEqual(proc);
    expect(calls).toBe(0);
  });

  it('asks Electron about once a second, however often it is sampled', async () => {
    let now = 0;
    let calls = 0;
    const sampler = new AppMetricsSampler(
      null,
      () => (calls++, [metric(101, calls * 10, 1)]),
      () => now,
    );
    expect((await sampler.sample(targets))[0].cpu).toBe(10);
    now += 250;
    expect((await sampler.sample(targets))[0].cpu).toBe(10);
    now += METRICS_INTERVAL_MS;
    expect((await sampler.sample(targets))[0].cpu).toBe(20);
    expect(calls).toBe(2);
  });
});
