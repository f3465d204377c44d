import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtPaths, unpackedPath } from './paths';

describe('builtPaths', () => {
  it('finds the preload, renderer and worker next to the main bundle', () => {
    const paths = builtPaths(join('/work/app', 'out/main'));
    expect(paths.preload).toBe(join('/work/app', 'out/preload/index.cjs'));
    expect(paths.renderer).toBe(join('/work/app', 'out/renderer'));
    expect(paths.worker).toBe(join('/work/app', 'out/main/worker.cjs'));
    expect(paths.python).toBe(join('/work/app', 'python'));
  });

  it('forks the worker, and runs the Python tracer, from app.asar.unpacked when packaged', () => {
    const packaged = builtPaths('/opt/Poolscope/resources/app.asar/out/main');
    expect(packaged.worker).toBe('/opt/Poolscope/resources/app.asar.unpacked/out/main/worker.cjs');
    expect(packaged.python).toBe('/opt/Poolscope/resources/app.asar.unpacked/python');
    expect(unpackedPath('C:\\Poolscope\\resources\\app.asar\\out\\main\\worker.cjs')).toBe(
      'C:\\Poolscope\\resources\\app.asar.unpacked\\out\\main\\worker.cjs',
    );
    expect(unpackedPath('/home/me/app.asarx/worker.cjs')).toBe('/home/me/app.asarx/worker.cjs');
  });
});
