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

const SOURCES = ['electron', 'shared', 'renderer', 'electron.vite.config.ts', 'package.json'];
const OUTPUTS = [workerEntryPath, join(rendererDir, 'index.html')];

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

export function isBuildStale(): boolean {
  if (!OUTPUTS.every(existsSync)) return true;
  const built = Math.min(...OUTPUTS.map((p) => statSync(p).mtimeMs));
  return SOURCES.some(
    (source) => existsSync(join(projectRoot, source)) && newestMtime(join(projectRoot, source)) > built,
  );
}

/** Builds main, preload, worker and renderer if needed; quiet unless it has to build. */
export function ensureBuilt(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): void {
  if (!isBuildStale()) return;
  log('poolscope: building (electron-vite build)…');
  execFileSync(process.execPath, [join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
