/**
 * Where Electron's binary is, found the way the `electron` package's own
 * index.js finds it (ELECTRON_OVERRIDE_DIST_PATH, else path.txt inside
 * node_modules/electron/dist) — but without requiring the package, which
 * downloads the binary as a side effect. Used by `npm start` and the Electron
 * end-to-end suite to decide between the app and the browser host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file system as the lookup reads it; tests pass a fake. */
export interface LookupFs {
  exists(path: string): boolean;
  read(path: string): string;
}

const realFs: LookupFs = { exists: existsSync, read: (path) => readFileSync(path, 'utf8') };

export type ElectronLookup =
  | { found: true; binary: string }
  | {
      found: false;
      /** Why, in words, for the one line `npm start` prints. */
      why: string;
      /** Nothing was ever downloaded and no override is set: electron's install.js may still fetch it. */
      downloadable: boolean;
    };

/**
 * Finds the executable. `packageDir` is node_modules/electron. With
 * ELECTRON_OVERRIDE_DIST_PATH set, the executable is `<override>/<path.txt or
 * 'electron'>`, exactly as index.js builds it; otherwise `dist/<path.txt>`,
 * which install.js writes once its download has been unpacked.
 */
export function findElectron(packageDir: string, env: NodeJS.ProcessEnv, fs: LookupFs = realFs): ElectronLookup {
  const pathFile = join(packageDir, 'path.txt');
  const relative = fs.exists(pathFile) ? fs.read(pathFile).trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const binary = join(override, relative || 'electron');
    return fs.exists(binary)
      ? { found: true, binary }
      : {
          found: false,
          why: `ELECTRON_OVERRIDE_DIST_PATH holds no Electron executable (${binary})`,
          downloadable: false,
        };
  }
  if (relative) {
    const binary = join(packageDir, 'dist', relative);
    if (fs.exists(binary)) return { found: true, binary };
    return { found: false, why: `Electron's binary is missing (${binary})`, downloadable: true };
  }
  return { found: false, why: "Electron's binary is not installed", downloadable: true };
}
