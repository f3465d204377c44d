/**
 * Fixtures for the web suite. Import `test` and `expect` from here instead of
 * '@playwright/test':
 *
 *   import { test, expect } from './fixtures';
 *   test('…', async ({ page, hostUrl }) => { await page.goto(hostUrl); … });
 *
 * - `hostUrl` (per test): the page URL of a live browser host, token included.
 *   After each test, a run still going (the engine's, a program's or a cluster's) is
 *   cancelled, so the next test starts idle.
 * - `browserHost` (per worker): the host itself (`url`, `port`, `token`, `pool`),
 *   started in-process with a real process pool (size = logical cores) and closed,
 *   every worker stopped, when the worker ends. Tests in one worker share it.
 */
import { test as base, expect } from '@playwright/test';
import { ensureBuilt } from '../../electron/host/build';
import { startBrowserHost, type BrowserHost } from '../../electron/host/server';

export interface HostTestFixtures {
  hostUrl: string;
}

export interface HostWorkerFixtures {
  browserHost: BrowserHost;
}

export const test = base.extend<HostTestFixtures, HostWorkerFixtures>({
  browserHost: [
    // Playwright reads fixture dependencies from the destructuring pattern; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      ensureBuilt('app');
      const host = await startBrowserHost();
      await use(host);
      await host.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  hostUrl: async ({ browserHost }, use) => {
    await use(browserHost.url);
    // The engine's run, a program or a cluster's run: whichever is going.
    if (browserHost.hub.running) await browserHost.hub.cancel('kill');
  },
});

export { expect };
