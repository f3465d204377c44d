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
 * - `page`: Playwright's, with file-chooser interception on from the start (see below).
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
  page: async ({ page }, use) => {
    // Playwright intercepts file pickers only while a 'filechooser' listener exists, and turns
    // interception off when the last one goes and on again with the next. Chromium can take a
    // key press (Ctrl+O) sent right after `waitForEvent('filechooser')` before it hears the
    // renewal: the picker then opens unintercepted and the wait never ends (seen once in CI).
    // One listener for the whole test keeps interception on throughout.
    const keepIntercepting = () => {};
    page.on('filechooser', keepIntercepting);
    await use(page);
    page.off('filechooser', keepIntercepting);
  },
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
