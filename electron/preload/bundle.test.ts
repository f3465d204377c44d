/**
 * A sandboxed preload's `require` knows 'electron' and a few Node built-ins,
 * never packages or local files: the built preload must be one CommonJS file
 * whose only require is 'electron', or window.poolscope never appears.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../host/build';

describe('the preload bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'poolscope-preload-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is CommonJS that requires nothing but electron', () => {
    execFileSync(
      process.execPath,
      [join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const code = readFileSync(join(outDir, 'preload/index.cjs'), 'utf8');
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    expect(
      [...new Set(required)],
      'a dependency is left external: set preload.build.externalizeDeps to false in electron.vite.config.ts',
    ).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*import\s/m);
  });
});
