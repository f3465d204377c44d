import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectron, type LookupFs } from './electron-binary';

const pkg = '/app/node_modules/electron';

/** A file system holding exactly `files` (path → contents). */
const fsWith = (files: Record<string, string>): LookupFs => ({
  exists: (path) => path in files,
  read: (path) => files[path] ?? '',
});

describe('findElectron', () => {
  it('finds a completed download through path.txt', () => {
    const fs = fsWith({ [join(pkg, 'path.txt')]: 'electron', [join(pkg, 'dist/electron')]: '' });
    expect(findElectron(pkg, {}, fs)).toEqual({ found: true, binary: join(pkg, 'dist/electron') });
  });

  it("uses path.txt's platform path under ELECTRON_OVERRIDE_DIST_PATH, as electron's index.js does", () => {
    const mac = 'Electron.app/Contents/MacOS/Electron';
    const fs = fsWith({ [join(pkg, 'path.txt')]: mac, [join('/opt/electron', mac)]: '' });
    expect(findElectron(pkg, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, fs)).toEqual({
      found: true,
      binary: join('/opt/electron', mac),
    });
  });

  it("falls back to 'electron' under the override when nothing was ever downloaded", () => {
    const fs = fsWith({ '/opt/electron/electron': '' });
    expect(findElectron(pkg, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, fs)).toMatchObject({
      binary: '/opt/electron/electron',
    });
  });

  it('says why, and whether a download could still help', () => {
    expect(findElectron(pkg, {}, fsWith({}))).toEqual({
      found: false,
      why: "Electron's binary is not installed",
      downloadable: true,
    });
    expect(findElectron(pkg, {}, fsWith({ [join(pkg, 'path.txt')]: 'electron' }))).toMatchObject({
      found: false,
      downloadable: true,
    });
    expect(findElectron(pkg, { ELECTRON_OVERRIDE_DIST_PATH: '/nowhere' }, fsWith({}))).toEqual({
      found: false,
      why: 'ELECTRON_OVERRIDE_DIST_PATH holds no Electron executable (/nowhere/electron)',
      downloadable: false,
    });
  });
});
