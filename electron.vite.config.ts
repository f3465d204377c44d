import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * Main and worker are bundled as CommonJS (.cjs): the worker must load the same
 * way under Electron's utilityProcess and Node's child_process.fork, and a
 * sandboxed preload cannot be an ES module at all.
 */
const cjs = { format: 'cjs' as const, entryFileNames: '[name].cjs' };

/** POOLSCOPE_BUILD=worker builds just the worker bundles: all that the CLI, tests and benchmarks run. */
const workerOnly = process.env.POOLSCOPE_BUILD === 'worker';

const workerInputs = {
  worker: resolve('electron/worker/index.ts'),
  'thread-host': resolve('electron/worker/thread-host.ts'),
};

export default defineConfig({
  main: {
    build: {
      // Bundled, zod loads in a few ms instead of ~40: that is most of a worker's start-up.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: workerOnly ? workerInputs : { index: resolve('electron/main/index.ts'), ...workerInputs },
        output: cjs,
      },
    },
  },
  preload: workerOnly
    ? undefined
    : {
        build: {
          // A sandboxed preload can require nothing but 'electron': bundle everything else in.
          externalizeDeps: false,
          rollupOptions: {
            input: { index: resolve('electron/preload/index.ts') },
            output: cjs,
          },
        },
      },
  renderer: workerOnly
    ? undefined
    : {
        root: 'renderer',
        build: {
          // electron-vite leaves bundles unminified; the page loads faster minified (1.3 MB → 0.58 MB).
          minify: true,
          rollupOptions: { input: { index: resolve('renderer/index.html') } },
        },
        plugins: [react()],
      },
});
