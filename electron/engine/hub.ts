/**
 * One host's sources behind one frame stream: the built-in engine's pool, and
 * at most one traced Python program at a time, each a run on the same stream
 * (run and worker ids from one counter), so the views never know which source
 * produced a run. Every host — the Electron app, the browser host, the CLI's
 * jobs — runs one Hub.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CancelRunning, PythonProgram, PythonRequest, PythonSetup } from '../../shared/commands';
import type { Frame } from '../../shared/events';
import { findPython } from '../python/python-process';
import { PythonRun } from '../python/python-run';
import { FrameBuilder } from './frame-builder';
import { Pool, PoolError, type PoolOptions } from './pool';

export interface HubOptions extends Omit<PoolOptions, 'frames'> {
  /** The shipped Python: its `boot` (the tracer's sitecustomize) and `examples` folders. */
  pythonDir: string;
}

const run = promisify(execFile);

export class Hub {
  readonly frames: FrameBuilder;
  readonly pool: Pool;
  private python: PythonRun | null = null;
  private setup: Promise<PythonSetup> | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: HubOptions) {
    this.frames = new FrameBuilder(options.frameIntervalMs);
    this.pool = new Pool({ ...options, frames: this.frames });
  }

  /** Every frame from now on, after a catch-up frame describing the present (the pool, a running program). */
  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.subscribe(listener, [...this.pool.presentEvents(), ...(this.python?.presentEvents() ?? [])]);
  }

  get running(): boolean {
    return this.pool.running || (this.python !== null && !this.python.ended);
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
    // The program brings its own pools: the engine's idle workers go first, as a new program would find none.
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
  cancel(running: CancelRunning): void {
    if (this.python && !this.python.ended) void this.python.stop();
    else this.pool.cancel(running);
  }

  /** Stops a running program and every worker (killed after `graceMs`). Safe to call twice. */
  close(graceMs = 1000): Promise<void> {
    this.closing ??= (async () => {
      await this.python?.stop(graceMs);
      await this.pool.close(graceMs);
    })();
    return this.closing;
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
