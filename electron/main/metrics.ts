/**
 * Worker CPU and memory where /proc cannot tell (macOS, Windows): Electron's
 * `app.getAppMetrics()`, merged with the platform sampler (Linux /proc, which
 * also knows each worker's core). `getAppMetrics` is injected, so this is
 * tested without Electron.
 */
import type { MachineSample, WorkerSample } from '../../shared/events';
import type { SampleTarget, Sampler } from '../engine/sampler';

/** The part of Electron's ProcessMetric used here. */
export interface ProcessMetricLike {
  pid: number;
  type: string;
  /** Milliseconds since the epoch; with the pid it identifies a process (pids are reused). */
  creationTime: number;
  cpu: { percentCPUUsage: number };
  /** Kilobytes. */
  memory: { workingSetSize: number };
}

/** app.getAppMetrics() averages CPU since its previous call: about once a second gives steady figures. */
export const METRICS_INTERVAL_MS = 1000;

/**
 * Per target: the platform sampler's sample when it has one, otherwise CPU % and
 * working set from the Utility process with the same pid and the creation time
 * first seen for it (a different creation time is another process that got the
 * pid after ours exited). `creationTimes` remembers those first sightings.
 */
export function mergeSamples(
  targets: readonly SampleTarget[],
  platformSamples: readonly WorkerSample[],
  metrics: readonly ProcessMetricLike[],
  creationTimes: Map<number, number>,
): WorkerSample[] {
  const byTarget = new Map(platformSamples.map((s) => [s.worker, s]));
  const utility = new Map(metrics.filter((m) => m.type === 'Utility').map((m) => [m.pid, m]));
  const live = new Set(targets.map((t) => t.pid));
  for (const pid of creationTimes.keys()) if (!live.has(pid)) creationTimes.delete(pid);

  const samples: WorkerSample[] = [];
  for (const { worker, pid } of targets) {
    const measured = byTarget.get(worker);
    if (measured) {
      samples.push(measured);
      continue;
    }
    const metric = utility.get(pid);
    if (!metric) continue;
    const known = creationTimes.get(pid);
    if (known === undefined) creationTimes.set(pid, metric.creationTime);
    else if (known !== metric.creationTime) continue;
    samples.push({
      worker,
      pid,
      cpu: Math.max(0, metric.cpu.percentCPUUsage),
      rssBytes: metric.memory.workingSetSize * 1024,
      core: null,
      waitingPct: null,
      state: null,
      stalledMs: null,
      migrations: null,
      migrationsFrom: null,
    });
  }
  return samples;
}

/** The engine's Sampler for the app: the platform sampler where it works, app metrics to fill the rest. */
export class AppMetricsSampler implements Sampler {
  readonly coreSampling: boolean;
  private metrics: readonly ProcessMetricLike[] = [];
  private metricsAt = -Infinity;
  private readonly creationTimes = new Map<number, number>();

  constructor(
    private readonly platform: Sampler | null,
    private readonly getAppMetrics: () => readonly ProcessMetricLike[],
    private readonly clock: () => number = Date.now,
  ) {
    this.coreSampling = platform?.coreSampling ?? false;
  }

  async sample(targets: SampleTarget[]): Promise<WorkerSample[]> {
    const platformSamples = this.platform ? await this.platform.sample(targets) : [];
    const covered = new Set(platformSamples.map((s) => s.worker));
    if (targets.some((t) => !covered.has(t.worker))) this.refreshMetrics();
    return mergeSamples(targets, platformSamples, this.metrics, this.creationTimes);
  }

  async machine(workersCpu: number): Promise<MachineSample> {
    return (await this.platform?.machine?.(workersCpu)) ?? { load1: null, othersCpu: null };
  }

  private refreshMetrics(): void {
    const at = this.clock();
    if (at - this.metricsAt < METRICS_INTERVAL_MS) return;
    this.metricsAt = at;
    this.metrics = this.getAppMetrics();
  }
}
