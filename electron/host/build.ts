/**
 * The Node-side hosts (CLI, browser host, tests, benchmarks) run the same
 * bundles the app ships: the worker must be built JavaScript to start fast.
 * This builds them with electron-vite when they are missing or older than the source.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const workerEntryPath = join(projectRoot, 'out/main/worker.cjs');
export const rendererDir = join(projectRoot, 'out/renderer');
/** The shipped Python: the tracer's boot folder and the example programs. */
export const pythonDir = join(projectRoot, 'python');

/** What each kind of host needs built, and the sources it is built from. */
const TARGETS = {
  worker: {
    sources: ['electron/worker', 'electron/engine', 'shared', 'electron.vite.config.ts', 'package.json'],
    outputs: [workerEntryPath, join(projectRoot, 'out/main/thread-host.cjs')],
  },
  app: {
    sources: ['electron', 'shared', 'renderer', 'electron.vite.config.ts', 'package.json'],
    outputs: [
      join(projectRoot, 'out/main/index.cjs'),
      join(projectRoot, 'out/preload/index.cjs'),
      workerEntryPath,
      join(projectRoot, 'out/main/thread-host.cjs'),
      join(rendererDir, 'index.html'),
    ],
  },
} as const;
export type BuildTarget = keyof typeof TARGETS;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function isBuildStale(target: BuildTarget): boolean {
  const { sources, outputs } = TARGETS[target];
  if (!outputs.every((p) => existsSync(p))) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return sources.some(
    (source) => existsSync(join(projectRoot, source)) && newestMtime(join(projectRoot, source)) > built,
  );
}

/**
 * Builds with electron-vite if `target` (the worker alone for the CLI and
 * tests, everything for the browser host) is missing or older than its source.
 * Quiet unless it has to build; throws a short error if the build fails.
 */
export function ensureBuilt(
  target: BuildTarget,
  log: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
): void {
  if (!isBuildStale(target)) return;
  log('poolscope: building (electron-vite build)…');
  try {
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, POOLSCOPE_BUILD: target },
    });
  } catch {
    throw new Error('the build failed (electron-vite build; its errors are above)');
  }
}
