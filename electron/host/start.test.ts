import { describe, expect, it } from 'vitest';
import { browserCommand, downloadFailure, planStart } from './start';

const missing = { found: false, why: "Electron's binary is not installed", downloadable: true } as const;

describe('planStart', () => {
  it('runs the app where the binary is', () => {
    expect(planStart({ found: true, binary: '/e/electron' }, undefined, '45.5.0')).toEqual({
      kind: 'app',
      binary: '/e/electron',
    });
  });

  it("fetches a binary that was never downloaded first, as electron's own index.js would", () => {
    expect(planStart(missing, undefined, '45.5.0')).toEqual({ kind: 'download' });
  });

  it('falls back to the browser host with one line saying why and what to do', () => {
    const plan = planStart(missing, 'fetch failed', '45.5.0');
    expect(plan.kind).toBe('browser');
    const line = plan.kind === 'browser' ? plan.line : '';
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/not installed and could not be downloaded \(fetch failed\)/);
    for (const word of ['ELECTRON_OVERRIDE_DIST_PATH', 'ELECTRON_MIRROR', 'Electron 45.5.0', 'browser'])
      expect(line).toContain(word);
  });

  it('does not download when an override points at nothing', () => {
    const plan = planStart(
      { found: false, why: 'ELECTRON_OVERRIDE_DIST_PATH holds nothing', downloadable: false },
      undefined,
      '45.5.0',
    );
    expect(plan).toMatchObject({
      kind: 'browser',
      line: expect.stringMatching(/^poolscope: ELECTRON_OVERRIDE_DIST_PATH holds nothing, so/),
    });
  });
});

describe('browserCommand', () => {
  const url = 'http://127.0.0.1:1/?token=x';
  it('opens with xdg-open, open or start where a browser can be', () => {
    expect(browserCommand(url, 'linux', { DISPLAY: ':0' })).toEqual(['xdg-open', [url]]);
    expect(browserCommand(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual(['xdg-open', [url]]);
    expect(browserCommand(url, 'darwin', {})).toEqual(['open', [url]]);
    expect(browserCommand(url, 'win32', {})).toEqual(['cmd', ['/c', 'start', '""', url]]);
  });

  it('opens nothing without a display, or with BROWSER=none', () => {
    expect(browserCommand(url, 'linux', {})).toBeNull();
    expect(browserCommand(url, 'darwin', { BROWSER: 'none' })).toBeNull();
  });
});

describe('downloadFailure', () => {
  it("takes the first line of install.js's error, without the error's class", () => {
    expect(downloadFailure('TypeError: fetch failed\n    at node:internal/deps/undici\n', 1)).toBe('fetch failed');
    expect(downloadFailure('', 1)).toBe('install.js exited with code 1');
  });
});
