import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium';

/**
 * Two suites: `web` drives the browser host in Debian's Chromium (Playwright cannot
 * download its own browser here); `electron` drives the app through _electron.launch
 * where an Electron binary exists. Screenshots and traces land in e2e/artifacts.
 */
export default defineConfig({
  outputDir: 'e2e/artifacts/test-results',
  reporter: [['list'], ['html', { outputFolder: 'e2e/artifacts/report', open: 'never' }]],
  // Each worker runs its own host with a real process pool; on a 2-core machine one at a time keeps timings honest.
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  expect: { timeout: 10_000 },
  projects: [
    {
      name: 'web',
      testDir: 'e2e/web',
      use: {
        browserName: 'chromium',
        headless: true,
        viewport: { width: 1280, height: 800 },
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
        screenshot: 'on',
        // The steps, console and network of a failed test, without the screencast and DOM
        // snapshots of every action: those cost a third of the suite's time on 2 cores.
        trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false },
      },
    },
    {
      name: 'electron',
      testDir: 'e2e/electron',
    },
  ],
});
