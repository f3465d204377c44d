/**
 * `npm start`: the desktop app where Electron's binary is (or can be fetched),
 * and on machines where it cannot be, the browser host with the same UI —
 * saying in one line why and what to do, never failing with electron-vite's
 * bare "Electron uninstall".
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './build';
import { findElectron, type ElectronLookup } from './electron-binary';
import { endWithAncestors } from './lifeline';
import { main as serve } from './serve';

const electronDir = join(projectRoot, 'node_modules/electron');
const electronViteCli = join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js');
/** Shown before the notice that a download is under way: most fail (or finish) sooner. */
const DOWNLOAD_NOTICE_MS = 1500;

export type StartPlan = { kind: 'app'; binary: string } | { kind: 'download' } | { kind: 'browser'; line: string };

/**
 * What `npm start` does next. `downloadError` is undefined before a download was
 * tried, null after one succeeded, else what went wrong: a binary that was never
 * downloaded is fetched first (by electron's own install.js), as `electron`
 * itself would; an override that points nowhere is not.
 */
export function planStart(
  lookup: ElectronLookup,
  downloadError: string | null | undefined,
  version: string,
): StartPlan {
  if (lookup.found) return { kind: 'app', binary: lookup.binary };
  if (lookup.downloadable && downloadError === undefined) return { kind: 'download' };
  const failed = downloadError ? ` and could not be downloaded (${downloadError})` : '';
  return {
    kind: 'browser',
    line:
      `poolscope: ${lookup.why}${failed}, so Poolscope opens in your browser instead. ` +
      `For the desktop app, set ELECTRON_OVERRIDE_DIST_PATH to a directory holding Electron ${version}, ` +
      `or ELECTRON_MIRROR to a mirror of its downloads, and run npm start again.`,
  };
}

/** The command that opens `url` in the user's browser, or null where none can be opened (no display, BROWSER=none). */
export function browserCommand(
  url: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): [string, string[]] | null {
  if (env.BROWSER === 'none') return null;
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', [url]] : null;
}

/** The line that says what failed, from a failed install.js's stderr (`TypeError: fetch failed` → `fetch failed`). */
export function downloadFailure(stderr: string, code: number | null): string {
  const line = stderr.split('\n').find((text) => text.trim() !== '');
  return line ? line.trim().replace(/^[\w.]*Error: /, '') : `install.js exited with code ${code}`;
}

/** Runs electron's own install.js (it honours ELECTRON_MIRROR); resolves with null once installed, else why not. */
function download(): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const notice = setTimeout(
      () => process.stderr.write("poolscope: downloading Electron's binary (once)…\n"),
      DOWNLOAD_NOTICE_MS,
    );
    child.on('error', (error) => {
      clearTimeout(notice);
      resolve(error.message);
    });
    child.on('close', (code) => {
      clearTimeout(notice);
      resolve(code === 0 ? null : downloadFailure(stderr, code));
    });
  });
}

/** `electron-vite preview`, as `npm start` always ran it, told which binary to start. */
function runApp(binary: string, args: string[]): void {
  const child = spawn(process.execPath, [electronViteCli, 'preview', ...args], {
    stdio: 'inherit',
    // electron-vite reads only ELECTRON_EXEC_PATH or path.txt, never ELECTRON_OVERRIDE_DIST_PATH.
    env: { ...process.env, ELECTRON_EXEC_PATH: binary },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  endWithAncestors(() => child.kill('SIGTERM'));
  child.on('error', (error) => {
    process.stderr.write(`poolscope: could not run electron-vite: ${error.message}\n`);
    process.exit(1);
  });
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function openBrowser(url: string): void {
  const command = browserCommand(url, process.platform, process.env);
  if (!command) return;
  try {
    const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no xdg-open, no browser: the printed URL is enough
    child.unref();
  } catch {
    // Same: never fail over a browser.
  }
}

async function main(args: string[]): Promise<void> {
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  const lookup = (): ElectronLookup => {
    // electron-vite's own knob, honoured as it would be.
    const execPath = process.env.ELECTRON_EXEC_PATH;
    if (execPath && existsSync(execPath)) return { found: true, binary: execPath };
    return findElectron(electronDir, process.env);
  };
  const first = planStart(lookup(), undefined, version);
  const plan = first.kind === 'download' ? planStart(lookup(), await download(), version) : first;
  if (plan.kind === 'app') return runApp(plan.binary, args);
  if (plan.kind === 'browser') {
    process.stderr.write(`${plan.line}\n`);
    const host = await serve([]);
    openBrowser(host.url);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`poolscope start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
