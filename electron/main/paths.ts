/**
 * Where the built pieces are, relative to the main bundle (out/main/index.cjs).
 * The worker is forked from app.asar.unpacked when packaged: a file inside
 * app.asar exists only for Electron's patched fs, and the worker is a separate
 * process started from a path (electron-builder unpacks out/main/** for it).
 */
import { join } from 'node:path';

export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export function builtPaths(mainDir: string): { preload: string; renderer: string; worker: string; python: string } {
  return {
    preload: join(mainDir, '../preload/index.cjs'),
    renderer: join(mainDir, '../renderer'),
    worker: unpackedPath(join(mainDir, 'worker.cjs')),
    // The tracer and examples run in python3, which reads plain files: shipped unpacked beside out/.
    python: unpackedPath(join(mainDir, '../../python')),
  };
}
