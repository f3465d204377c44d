import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{electron,shared,renderer,bench}/**/*.test.{ts,tsx}'],
    globalSetup: ['./electron/host/vitest-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real worker processes on a 2-core machine: keep files from fighting for cores.
    fileParallelism: false,
  },
});
