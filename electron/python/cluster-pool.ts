/**
 * The dask and ray backends: a real local cluster, sized by the pool-size
 * slider (worker processes × threads per worker for Dask), started through its
 * bridge when first asked for and kept between runs as a pool's workers are.
 * Dask scales live; a local Ray instance keeps the CPUs it started with, so a
 * new size restarts it between runs. Or a cluster someone else runs, followed
 * read-only as one long run until detached.
 */
import { CLUSTER_WORKLOADS, runTitle, type ClusterBackend, type RunSpec } from '../../shared/run-spec';
import type { PoolEvent } from '../../shared/events';
import type { FrameBuilder } from '../engine/frame-builder';
import { PoolError } from '../engine/pool';
import { now } from '../engine/clock';
import { ClusterBridge, type ClusterPlace } from './cluster-bridge';

export interface ClusterPoolOptions {
  /** Where the tracer's sitecustomize is (a packaged app's unpacked copy). */
  bootDir?: string;
  /** The interpreter that imports the engines (default: POOLSCOPE_PYTHON, the project's .venv, python3). */
  python?: string;
}

type Local = { kind: 'local'; workers: number; threadsPerWorker: number };

export class ClusterPool {
  private bridge: ClusterBridge | null = null;
  /** The bridge being started or replaced; commands wait for it. */
  private changing: Promise<ClusterBridge> | null = null;
  /** Ray's size for the next run, asked for while one was going. */
  private nextSize: number | null = null;

  constructor(
    private readonly frames: FrameBuilder,
    private readonly options: ClusterPoolOptions = {},
  ) {}

  get backend(): ClusterBackend | null {
    return this.bridge?.engine ?? null;
  }

  get size(): number {
    const place = this.bridge?.place;
    return place?.kind === 'local' ? place.workers : 0;
  }

  /** The bridge's own state, cleared before the run's end goes out: whoever sees it end may start the next. */
  get running(): boolean {
    return this.bridge?.running ?? false;
  }

  /** A local cluster of `workers` (× `threadsPerWorker` for Dask): scaled where it can be, else started anew. */
  async configure(engine: ClusterBackend, workers: number, threadsPerWorker = 1): Promise<ClusterBridge> {
    const want: Local = { kind: 'local', workers, threadsPerWorker: engine === 'dask' ? threadsPerWorker : 1 };
    const current = await this.settled();
    const place = current?.place;
    if (current?.alive && current.engine === engine && place?.kind === 'local') {
      if (place.workers === workers && place.threadsPerWorker === want.threadsPerWorker) return current;
      if (engine === 'dask' && place.threadsPerWorker === want.threadsPerWorker) {
        await current.scale(workers);
        place.workers = workers;
        this.resized(workers, engine);
        return current;
      }
      if (this.running) throw new PoolError('busy', `${current.name} cannot change its size during a run`);
    }
    return this.replace(engine, want);
  }

  /** Runs the spec's workload on the cluster (started or resized first as the spec says). */
  async start(spec: RunSpec): Promise<{ runId: number; finished: Promise<unknown> }> {
    const engine = spec.backend as ClusterBackend;
    if (!(CLUSTER_WORKLOADS as readonly string[]).includes(spec.workload))
      throw new PoolError(
        'failed',
        `the ${engine} backend runs the ${CLUSTER_WORKLOADS.join(', ')} workloads, not ${spec.workload}`,
      );
    if (this.running) throw new PoolError('busy', 'a cluster run is still going; cancel it or wait');
    const bridge = await this.configure(engine, spec.poolSize, spec.threadsPerWorker);
    const run = bridge.startRun(
      { workload: spec.workload, tasks: spec.tasks, costMs: spec.costMs, faultEvery: spec.faultEvery },
      {
        source: engine,
        title: `${runTitle(spec)} on ${bridge.name}`,
        spec,
        chunksize: 1,
        poolSize: spec.poolSize,
        backend: engine,
      },
    );
    const finished = run.finished.finally(() => {
      const size = this.nextSize;
      this.nextSize = null;
      if (size !== null && bridge.alive) void this.configure(bridge.engine, size).catch(() => {});
    });
    return { runId: run.runId, finished };
  }

  /** The slider: Dask scales now (tasks on retiring workers move); Ray restarts with the new size between runs. */
  async resize(workers: number): Promise<void> {
    const bridge = await this.settled();
    if (!bridge?.alive) throw new PoolError('failed', 'no cluster is running');
    if (bridge.place.kind === 'attach') return bridge.scale(workers);
    if (bridge.engine === 'ray' && this.running) {
      this.nextSize = workers;
      this.resized(workers, 'ray');
      return;
    }
    await this.configure(bridge.engine, workers, bridge.place.threadsPerWorker);
  }

  /**
   * Follows a cluster someone else runs, as one run until `cancel` detaches:
   * every task any client sends it. Scaling it is asked of its own deployment.
   */
  async attach(engine: ClusterBackend, address: string): Promise<{ runId: number }> {
    if (this.running) throw new PoolError('busy', 'a cluster run is still going; cancel it or wait');
    const bridge = await this.replace(engine, { kind: 'attach', address });
    const runId = bridge.follow({
      source: engine,
      title: `${bridge.name} at ${bridge.ready.address || address}`,
      chunksize: 1,
      poolSize: 0,
      backend: engine,
    });
    return { runId };
  }

  /** Cancels the run: a local cluster's tasks are released; an attached cluster is detached from. */
  async cancel(): Promise<void> {
    const bridge = this.bridge;
    if (!bridge || !this.running) return;
    if (bridge.place.kind === 'attach') await this.close();
    else await bridge.cancel();
  }

  /** Stops the bridge: a cluster it owns closes with it. */
  async close(): Promise<void> {
    const bridge = await this.settled();
    this.bridge = null;
    if (!bridge) return;
    if (bridge.place.kind === 'local') this.resized(0, bridge.engine);
    await bridge.stop();
  }

  presentEvents(): PoolEvent[] {
    const bridge = this.bridge;
    if (!bridge) return [];
    const size: PoolEvent[] =
      bridge.place.kind === 'local'
        ? [{ type: 'pool-resized', at: now(), poolSize: bridge.place.workers, backend: bridge.engine }]
        : [];
    return [...size, ...bridge.presentEvents()];
  }

  /** The bridge once any start or replacement under way has finished (null if it failed). */
  private async settled(): Promise<ClusterBridge | null> {
    if (this.changing) await this.changing.catch(() => {});
    return this.bridge;
  }

  private replace(engine: ClusterBackend, place: ClusterPlace): Promise<ClusterBridge> {
    const previous = this.bridge;
    this.bridge = null;
    if (place.kind === 'local') this.resized(place.workers, engine);
    const changing = (async () => {
      if (previous) {
        if (previous.place.kind === 'local' && previous.engine !== engine) this.resized(0, previous.engine);
        await previous.stop();
      }
      try {
        const bridge = await ClusterBridge.start(this.frames, { engine, place, ...this.options });
        this.bridge = bridge;
        return bridge;
      } catch (error) {
        if (place.kind === 'local') this.resized(0, engine);
        throw error;
      }
    })();
    this.changing = changing;
    void changing
      .finally(() => {
        if (this.changing === changing) this.changing = null;
      })
      .catch(() => {});
    return changing;
  }

  private resized(poolSize: number, backend: ClusterBackend): void {
    this.frames.event({ type: 'pool-resized', at: now(), poolSize, backend });
  }
}
