/**
 * `npm start` as a newcomer runs it, in a real process: where Electron's binary
 * is missing it says why in one line and serves the UI; where a binary is given
 * it runs `electron-vite preview` with it. No download leaves this machine: the
 * mirror is a closed local port, the cache a temporary directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from './build';
import { findElectron } from './electron-binary';

const started: ChildProcess[] = [];
const temporary: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-start-'));
  temporary.push(dir);
  return dir;
}

/** `npm start` in its own process group (so the test can end all of it), with `env` over a clean environment. */
function npmStart(env: Record<string, string>) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('ELECTRON_'),
    ),
  );
  const child = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...base, BROWSER: 'none', electron_config_cache: tempDir(), ...env },
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

async function until<T>(what: string, probe: () => T | undefined | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const status = (url: string) =>
  new Promise<number>((resolve, reject) =>
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject),
  );

afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {
      // Already gone.
    }
    await closed;
  }
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The lines of `npm start`'s stderr that explain the fallback. */
const reasonLines = (stderr: string) =>
  stderr.split('\n').filter((line) => line.includes('ELECTRON_OVERRIDE_DIST_PATH'));

describe('npm start', () => {
  const hasBinary = findElectron(join(projectRoot, 'node_modules/electron'), {}).found;

  it.skipIf(hasBinary)(
    'without a binary it cannot download, says why in one line and serves the UI at a URL that answers with the token',
    async () => {
      const start = npmStart({ ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
      const url = await until('the URL', () => /Poolscope is running at (\S+)/.exec(start.stdout())?.[1]);
      const reasons = reasonLines(start.stderr());
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(
        /^poolscope: Electron's binary is not installed and could not be downloaded \(.+\), so/,
      );
      expect(reasons[0]).toContain('ELECTRON_MIRROR');
      expect(start.stderr()).not.toMatch(/Electron uninstall|\n\s+at /);
      expect(await status(url)).toBe(200);
      expect(await status(url.replace(/\?token=.*/, ''))).not.toBe(200);
    },
  );

  it('says an override that holds no binary is the reason, without trying a download', async () => {
    const empty = tempDir();
    const start = npmStart({ ELECTRON_OVERRIDE_DIST_PATH: empty, ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
    const url = await until('the URL', () => /Poolscope is running at (\S+)/.exec(start.stdout())?.[1]);
    expect(reasonLines(start.stderr())).toEqual([
      expect.stringMatching(
        new RegExp(`^poolscope: ELECTRON_OVERRIDE_DIST_PATH holds no Electron executable \\(${empty}/electron\\), so`),
      ),
    ]);
    expect(await status(url)).toBe(200);
  });

  it.skipIf(process.platform === 'win32')(
    'runs electron-vite preview with the binary ELECTRON_OVERRIDE_DIST_PATH names',
    async () => {
      const dist = tempDir();
      const fake = join(dist, 'electron');
      // Stands in for Electron: records how electron-vite started it, and exits.
      writeFileSync(fake, `#!/bin/sh\necho "$@" > "${dist}/ran"\n`);
      chmodSync(fake, 0o755);
      const start = npmStart({ ELECTRON_OVERRIDE_DIST_PATH: dist });
      expect(await start.exit).toBe(0);
      expect(readFileSync(join(dist, 'ran'), 'utf8').trim()).toBe('.');
      expect(reasonLines(start.stderr())).toEqual([]);
    },
    120_000,
  );
});
