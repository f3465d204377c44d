/**
 * One host's sources behind one frame stream: the built-in engine's pool, a
 * local or attached Dask or Ray cluster (the dask and ray backends), and at
 * most one traced Python program at a time, each a run on the same stream
 * (run and worker ids from one counter), so the views never know which source
 * produced a run. Every host — the Electron app, the browser host, the CLI's
 * jobs — runs one Hub, and every pool command goes through it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CancelRunning, PythonProgram, PythonRequest, PythonSetup } from '../../shared/commands';
import type { Frame } from '../../shared/events';
import { isClusterBackend, type Backend, type ClusterBackend, type RunSpec } from '../../shared/run-spec';
import { ClusterPool } from '../python/cluster-pool';
import { findPython } from '../python/python-process';
import { PythonRun } from '../python/python-run';
import { FrameBuilder } from './frame-builder';
import { Pool, PoolError, type PoolOptions } from './pool';

export interface HubOptions extends Omit<PoolOptions, 'frames' | 'backend'> {
  /** The backend the first runs use (process unless told); a cluster one starts when first asked for. */
  backend?: Backend;
  /** The shipped Python: its `boot` (the tracer's sitecustomize) and `examples` folders. */
  pythonDir: string;
}

const run = promisify(execFile);

export class Hub {
  readonly frames: FrameBuilder;
  readonly pool: Pool;
  readonly cluster: ClusterPool;
  /** The cluster backend the slider and runs go to, or null for the built-in engine. */
  private clusterBackend: ClusterBackend | null = null;
  private python: PythonRun | null = null;
  private setup: Promise<PythonSetup> | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: HubOptions) {
    this.frames = new FrameBuilder(options.frameIntervalMs);
    const first = options.backend ?? 'process';
    // A host that starts on a cluster backend starts it when first asked (configure, start): no engine workers meanwhile.
    this.pool = isClusterBackend(first)
      ? new Pool({ ...options, backend: 'process', poolSize: 0, frames: this.frames })
      : new Pool({ ...options, backend: first, frames: this.frames });
    if (isClusterBackend(first)) this.clusterBackend = first;
    this.cluster = new ClusterPool(this.frames, { bootDir: join(options.pythonDir, 'boot') });
  }

  /** Every frame from now on, after a catch-up frame describing the present (the pool, a cluster, a running program). */
  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.subscribe(listener, [
      ...this.pool.presentEvents(),
      ...this.cluster.presentEvents(),
      ...(this.python?.presentEvents() ?? []),
    ]);
  }

  get running(): boolean {
    return this.pool.running || this.cluster.running || (this.python !== null && !this.python.ended);
  }

  /** The pool's size as the slider shows it: engine workers, or a cluster's worker processes. */
  get size(): number {
    return this.clusterBackend ? this.cluster.size : this.pool.size;
  }

  get backend(): Backend {
    return this.clusterBackend ?? this.pool.currentBackend;
  }

  /** Sets size and backend: the engine's workers, or a local cluster (started, or scaled where it can be). */
  async configure(poolSize: number, backend: Backend, threadsPerWorker?: number): Promise<void> {
    if (isClusterBackend(backend)) {
      await this.toCluster(backend);
      await this.cluster.configure(backend, poolSize, threadsPerWorker);
    } else {
      await this.toEngine();
      this.pool.configure(poolSize, backend);
    }
  }

  /** Starts a run of the spec on its backend. */
  async start(spec: RunSpec): Promise<{ runId: number; finished: Promise<unknown> }> {
    if (this.python && !this.python.ended) throw new PoolError('busy', 'a Python program is running; stop it or wait');
    if (isClusterBackend(spec.backend)) {
      await this.toCluster(spec.backend);
      return this.cluster.start(spec);
    }
    await this.toEngine();
    return this.pool.start(spec);
  }

  /** The slider: the engine grows at once and retires workers to shrink; Dask scales; Ray restarts between runs. */
  async resize(poolSize: number): Promise<void> {
    if (this.clusterBackend) await this.cluster.resize(poolSize);
    else this.pool.resize(poolSize);
  }

  /** Fresh workers: the engine's replaced, a cluster restarted at its size. */
  async reset(): Promise<void> {
    const backend = this.clusterBackend;
    if (!backend) return this.pool.reset();
    const size = this.cluster.size;
    await this.cluster.close();
    if (size > 0) await this.cluster.configure(backend, size);
  }

  /** pool.close(): the engine's workers exit once idle; a cluster Poolscope started closes. */
  async closeWorkers(): Promise<void> {
    if (!this.clusterBackend) return this.pool.closeWorkers();
    if (this.cluster.running) throw new PoolError('busy', 'a cluster run is still going; cancel it or wait');
    await this.cluster.close();
  }

  /** Follows someone else's Dask scheduler or Ray cluster, read-only, as one run until cancelled. */
  async attachCluster(engine: ClusterBackend, address: string): Promise<{ runId: number }> {
    if (this.running) throw new PoolError('busy', 'a run is still going; cancel it or wait');
    const [backend, size] = [this.backend, this.size];
    await this.toCluster(engine);
    try {
      return await this.cluster.attach(engine, address);
    } catch (error) {
      // Nothing was attached: the pool the user had comes back.
      await this.configure(size, backend);
      throw error;
    }
  }

  /** Pause and resume are the engine's: a program or a cluster's map submits all it has at once. */
  pause(): void {
    this.requireEngineRun().pause();
  }

  resume(): void {
    this.requireEngineRun().resume();
  }

  /** What the UI can offer: the interpreter found (or why none was), and the examples. Looked up once. */
  pythonSetup(): Promise<PythonSetup> {
    this.setup ??= (async () => {
      const examples = await this.examples();
      try {
        const interpreter = findPython();
        const { stdout } = await run(interpreter, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
          timeout: 10_000,
        });
        return { interpreter, version: stdout.trim(), error: null, examples };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { interpreter: null, version: null, error: message, examples };
      }
    })();
    return this.setup;
  }

  /** Runs a Python program traced, as the current run. */
  async runPython(request: PythonRequest): Promise<{ runId: number }> {
    if (this.running) throw new PoolError('busy', 'a run is still going; cancel it or wait');
    const { script, cleanup } = await this.materialise(request.program);
    // The program brings its own pools: the engine's idle workers and a cluster go first, as a new program would find none.
    await this.cluster.close();
    this.pool.closeWorkers();
    await Promise.race([this.pool.whenEmpty(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    // Their exits go out before the run starts, so the run's first frame has none of them.
    this.frames.flush();
    try {
      const started = await PythonRun.start(this.frames, {
        script,
        args: request.args,
        overrides: { processes: request.processes, poolKind: request.poolKind },
        stdio: 'pipe',
        bootDir: join(this.options.pythonDir, 'boot'),
        title: titleOf(request.program),
      });
      this.python = started;
      void started.finished.finally(() => {
        if (this.python === started) this.python = null;
        void cleanup();
      });
      return { runId: started.runId };
    } catch (error) {
      await cleanup();
      throw error;
    }
  }

  /** Cancels the current run: a Python program is stopped (its whole process tree), the pool's run as asked. */
  async cancel(running: CancelRunning): Promise<void> {
    if (this.python && !this.python.ended) void this.python.stop();
    else if (this.cluster.running) await this.cluster.cancel();
    else this.pool.cancel(running);
  }

  /** Stops a running program and every worker (killed after `graceMs`). Safe to call twice. */
  close(graceMs = 1000): Promise<void> {
    this.closing ??= (async () => {
      await this.python?.stop(graceMs);
      await this.cluster.close();
      await this.pool.close(graceMs);
    })();
    return this.closing;
  }

  /** The slider and runs go to a cluster from now on; the engine's workers exit. */
  private async toCluster(backend: ClusterBackend): Promise<void> {
    if (this.pool.running) throw new PoolError('busy', 'a run is still going; cancel it or wait');
    if (this.pool.size > 0) this.pool.closeWorkers();
    this.clusterBackend = backend;
  }

  /** Back to the engine: a cluster Poolscope started closes (its CPUs are the engine's again). */
  private async toEngine(): Promise<void> {
    if (!this.clusterBackend) return;
    if (this.cluster.running) throw new PoolError('busy', 'a cluster run is still going; cancel it or wait');
    this.clusterBackend = null;
    await this.cluster.close();
  }

  private requireEngineRun(): Pool {
    if (this.python && !this.python.ended)
      throw new PoolError('failed', 'a Python program submits its own tasks: it can be stopped, not paused');
    if (this.cluster.running)
      throw new PoolError('failed', 'a cluster run submits all its tasks at once: it can be cancelled, not paused');
    return this.pool;
  }

  private async examples(): Promise<PythonSetup['examples']> {
    const folder = join(this.options.pythonDir, 'examples');
    const names = (await readdir(folder).catch(() => [])).filter((f) => /^[a-z0-9_]+\.py$/.test(f)).sort();
    return Promise.all(
      names.map(async (file) => {
        const text = await readFile(join(folder, file), 'utf8');
        // The docstring's first line says what the example does.
        const title = /^"""([^\n"]*)/.exec(text)?.[1]?.trim() ?? file;
        return { name: file.slice(0, -3), title };
      }),
    );
  }

  /** The program as a file to run: a shipped example, the user's file, or pasted code saved privately. */
  private async materialise(program: PythonProgram): Promise<{ script: string; cleanup: () => Promise<void> }> {
    const none = async () => {};
    switch (program.kind) {
      case 'example': {
        const known = (await this.examples()).some((e) => e.name === program.name);
        if (!known) throw new PoolError('failed', `there is no example called ${program.name}`);
        return { script: join(this.options.pythonDir, 'examples', `${program.name}.py`), cleanup: none };
      }
      case 'path':
        return { script: program.path, cleanup: none };
      case 'code': {
        // A folder only this user can read, removed when the run ends.
        const folder = await mkdtemp(join(tmpdir(), 'poolscope-code-'));
        const script = join(folder, 'program.py');
        await writeFile(script, program.code, { mode: 0o600 });
        return { script, cleanup: () => rm(folder, { recursive: true, force: true }) };
      }
    }
  }
}

function titleOf(program: PythonProgram): string {
  if (program.kind === 'example') return `python ${program.name}.py`;
  if (program.kind === 'code') return 'python (pasted code)';
  return `python ${program.path.split(/[\\/]/).pop()}`;
}
