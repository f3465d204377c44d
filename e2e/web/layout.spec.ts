/**
 * Every view at the two sizes it must fit — 1280×800 without clipping or
 * overlap, 1920×1080 without looking empty — walked through as a new user
 * would: a live run at pool 8 on the 2 cores, a scenario, a comparison, a
 * sweep, the history and a replay. At each stop the window takes both sizes,
 * as a user resizing it would, and at each the page is checked for text
 * cut short, panels overflowing or overlapping and anything outside the
 * window, and screenshotted. With POOLSCOPE_DOCS=1 the screenshots are written
 * to docs/ (the README's and the closing notes'); otherwise they are attached
 * to the report.
 */
import { copyFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';
import { setNumber, setPoolSize } from './controls';
import { DOCS, stop } from './screens';

const SIZES = [
  [1280, 800],
  [1920, 1080],
] as const;

test.describe.configure({ timeout: 240_000 });

/** A stop of the walk: the page at each size, checked and screenshotted. */
async function look(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    // Two frames: the resize observers' layout, then its drawing.
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    await stop(page, testInfo, name);
  }
}

// The walk sizes the pool to 8 and a scenario closes it: give the next test the usual pool back.
test.afterEach(({ browserHost }) => {
  browserHost.pool.configure(availableParallelism(), 'process');
});

test(`every view fits ${SIZES.map(([width, height]) => `${width}×${height}`).join(' and ')}`, async ({
  page,
  hostUrl,
}, testInfo) => {
  await page.goto(hostUrl);
  await expect(page.getByTestId('host-info')).toBeVisible();
  await look(page, testInfo, 'live-empty');

  // Live: pool 8 on the machine's cores, 80 CPU-bound tasks of 100 ms (about 4 s on 2 idle cores, long
  // enough for several of the sampler's 250 ms samples on a busy machine) — caught while workers wait for a core.
  await setPoolSize(page, 8);
  await expect(page.locator('[data-testid="worker"]:not([data-state="exited"])')).toHaveCount(8, {
    timeout: 30_000,
  });
  await page.getByLabel('Workload', { exact: true }).selectOption('cpu');
  await setNumber(page, 'Task count value', 80);
  await setNumber(page, 'Task cost value', 100);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  // Caught mid-run: the shot is taken the moment it shows results filling in and workers waiting.
  let caught = false;
  for (const deadline = Date.now() + 60_000; !caught && Date.now() < deadline;) {
    const [cores, done, status] = await Promise.all([
      page.locator('canvas.pool-canvas').getAttribute('data-cores'),
      page.getByTestId('stat-done').textContent(),
      page.getByTestId('run-status').textContent(),
    ]);
    if (status === 'completed') break;
    if ((JSON.parse(cores ?? 'null')?.waiting.length ?? 0) >= 2 && Number(done) >= 4) {
      await look(page, testInfo, 'live-pool8');
      caught = true;
    }
  }
  expect(caught, 'the run was caught while workers waited for a core').toBe(true);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await look(page, testInfo, 'live-pool8-done');

  // Export that run, to replay it at the end.
  await page.getByRole('button', { name: 'Export / Import' }).click();
  const downloading = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: /^Trace \(Chrome JSON\)/ }).click();
  const tracePath = testInfo.outputPath('pool8.trace.json');
  await (await downloading).saveAs(tracePath);

  await page.getByRole('tab', { name: 'Scenarios' }).click();
  await look(page, testInfo, 'scenarios-empty');
  await page.getByRole('button', { name: /^Q1\b/ }).click();
  await page.getByRole('button', { name: /^Run( again)?$/ }).click();
  await expect(page.getByTestId('scenario-status')).toHaveText('done', { timeout: 30_000 });
  await look(page, testInfo, 'scenarios-q1');

  await page.getByRole('tab', { name: 'Compare' }).click();
  await look(page, testInfo, 'compare-empty');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('compare-reading')).toBeVisible({ timeout: 90_000 });
  await look(page, testInfo, 'compare');

  await page.getByRole('tab', { name: 'Sweep' }).click();
  await look(page, testInfo, 'sweep-empty');
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(4, { timeout: 90_000 });
  await expect(page.getByTestId('job-progress')).toBeHidden({ timeout: 30_000 });
  await look(page, testInfo, 'sweep');

  await page.getByRole('tab', { name: /History/ }).click();
  await look(page, testInfo, 'history-empty-pick');
  const items = page.getByTestId('history-item');
  // The live pool-8 run and the sweep's run on 2 workers.
  await items.filter({ hasText: 'cpu × 80' }).filter({ hasText: 'live' }).first().getByRole('checkbox').check();
  await items.filter({ hasText: '2 workers' }).filter({ hasText: 'sweep' }).first().getByRole('checkbox').check();
  await look(page, testInfo, 'history');

  await page.getByRole('tab', { name: 'Live' }).click();
  await page.getByRole('button', { name: 'Export / Import' }).click();
  const choosing = page.waitForEvent('filechooser');
  await page.getByRole('menuitem', { name: /^Import trace/ }).click();
  await (await choosing).setFiles(tracePath);
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toBeVisible();
  // Paused, then moved to just past halfway: tasks running, some done.
  await banner.getByRole('button', { name: 'Pause replay' }).click();
  const track = (await banner.locator('.replay-scrubber').boundingBox())!;
  await page.mouse.click(track.x + track.width * 0.55, track.y + track.height / 2);
  await expect.poll(async () => Number(await page.getByTestId('stat-done').textContent())).toBeGreaterThan(0);
  await look(page, testInfo, 'replay');

  if (DOCS) copyFileSync(join(DOCS, 'live-pool8-1280x800.png'), join(DOCS, 'screenshot.png'));
});
