/**
 * Export, import and replay, and the pool's keyboard shortcuts, end to end: a
 * real run on the browser host's pool, files really downloaded and read back,
 * and traces really picked through the page's file input.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { Download, Page, TestInfo } from '@playwright/test';
import { configure, open, setPoolSize } from './controls';
import { expect, test } from './fixtures';

const MIB = 1024 * 1024;

const poolSlider = (page: Page) => page.getByRole('slider', { name: /pool size/i });

const status = (page: Page) => page.getByTestId('run-status');
const fileMenu = (page: Page) => page.getByRole('button', { name: 'Export / Import' });
const menuItem = (page: Page, name: RegExp) => page.getByRole('menuitem', { name });

/** Picks an entry of the Export / Import menu and returns the download it starts. */
async function exportVia(page: Page, item: RegExp): Promise<Download> {
  await fileMenu(page).click();
  const downloading = page.waitForEvent('download');
  await menuItem(page, item).click();
  return downloading;
}

/** Imports a file the way a user does: the menu's Import item, then the file picker. */
async function importFile(page: Page, path: string): Promise<void> {
  await fileMenu(page).click();
  const choosing = page.waitForEvent('filechooser');
  await menuItem(page, /^Import trace/).click();
  await (await choosing).setFiles(path);
}

const toast = (page: Page, title: string | RegExp) => page.getByTestId('toast').filter({ hasText: title });

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('a run exported as trace, CSV and PNG, and the trace replayed with the same tasks and lanes', async ({
  page,
  hostUrl,
}, testInfo) => {
  // The import worker must load under the host's CSP (worker-src falls back to script-src 'self').
  const blocked: string[] = [];
  const workers: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) blocked.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url().includes('/assets/')) blocked.push(response.url());
  });
  page.on('worker', (worker) => workers.push(worker.url()));

  await open(page, hostUrl);
  // Nothing to export before a run: the entries are there, disabled, and say why.
  await fileMenu(page).click();
  const traceItem = menuItem(page, /^Trace \(Chrome JSON\)/);
  await expect(traceItem).toHaveAttribute('aria-disabled', 'true');
  await traceItem.hover();
  await expect(page.getByRole('tooltip')).toContainText('Nothing to export yet');
  await menuItem(page, /^Import trace/).hover();
  await expect(page.getByRole('tooltip')).toBeHidden();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toBeHidden();

  await setPoolSize(page, 2);
  await configure(page, 'cpu', 24, 15);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status(page)).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByTestId('stat-done')).toHaveText('24');

  const traceDownload = await exportVia(page, /^Trace \(Chrome JSON\)/);
  expect(traceDownload.suggestedFilename()).toMatch(/^poolscope-run-\d+\.trace\.json$/);
  const tracePath = testInfo.outputPath(traceDownload.suggestedFilename());
  await traceDownload.saveAs(tracePath);
  const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
  expect(trace.otherData.generator).toBe('poolscope');
  const taskSlices = trace.traceEvents.filter((e: { ph: string; cat?: string }) => e.ph === 'X' && e.cat === 'cpu');
  expect(taskSlices).toHaveLength(24);
  expect(new Set(taskSlices.map((e: { args: { task: number } }) => e.args.task)).size).toBe(24);
  const pids = new Set(taskSlices.map((e: { pid: number }) => e.pid));
  expect(pids.size).toBe(2);
  // The same file from the keyboard.
  const downloading = page.waitForEvent('download');
  await page.keyboard.press('Control+e');
  expect((await downloading).suggestedFilename()).toBe(traceDownload.suggestedFilename());

  const csvDownload = await exportVia(page, /^Tasks as CSV/);
  expect(csvDownload.suggestedFilename()).toMatch(/^poolscope-run-\d+\.csv$/);
  const csv = readFileSync(await csvDownload.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe('task,worker,pid,state,dispatched_ms,start_ms,end_ms,duration_ms,cpu_ms,core_wait_ms,result');
  expect(csv).toHaveLength(25);
  expect(csv.slice(1).map((row) => row.split(',')[3])).toEqual(Array(24).fill('done'));
  expect(csv.slice(1).map((row) => Number(row.split(',')[0]))).toEqual([...Array(24).keys()]);

  const pngDownload = await exportVia(page, /^View as PNG/);
  expect(pngDownload.suggestedFilename()).toMatch(/^poolscope-run-\d+\.png$/);
  const pngPath = testInfo.outputPath(pngDownload.suggestedFilename());
  await pngDownload.saveAs(pngPath);
  await testInfo.attach('exported-view', { path: pngPath, contentType: 'image/png' });
  // Pool view and timeline side by side with the page: as wide as the centre column, taller than both panels.
  const center = (await page.locator('main').boundingBox())!;
  const { width, height } = pngSize(readFileSync(pngPath));
  expect(Math.abs(width - (center.width + 24))).toBeLessThanOrEqual(2);
  expect(height).toBeGreaterThan(center.height);

  await importFile(page, tracePath);
  const banner = page.getByTestId('replay-banner');
  await expect(banner.getByTestId('replay-status')).toHaveText(
    `Replaying ${traceDownload.suggestedFilename()} · 24 tasks by 2 workers`,
  );
  // Parsed in the module worker, not on the page's thread.
  expect(workers.filter((url) => /\/assets\/trace-worker-[\w-]+\.js$/.test(url))).toHaveLength(1);
  // The live pool's controls rest while the replay fills the panels.
  await expect(page.locator('aside.controls')).toHaveAttribute('inert', '');
  await banner.getByRole('radio', { name: '100×' }).click();
  await expect(status(page)).toHaveText('completed');
  await expect(page.getByTestId('stat-done')).toHaveText('24');
  await expect(page.locator('[data-testid="worker"]')).toHaveCount(2);
  await expect(page.locator('canvas.timeline-canvas')).toHaveAttribute('data-rows', '2');
  // A trace says when tasks started, not when they were sent: no latency is made up, and the page says why.
  await expect(page.getByTestId('stat-latency')).toHaveText('–');
  await expect(page.getByTestId('stat-latency-sub')).toContainText('not when they were sent');
  await expect(banner.getByRole('button', { name: 'Replay again' })).toBeVisible();
  await attachScreenshot(page, testInfo, 'replay-finished');

  // Scrubbing back to the start shows the trace before any task ran.
  const scrubber = banner.getByRole('slider', { name: 'Replay position' });
  await scrubber.focus();
  await scrubber.press('Home');
  await expect(page.getByTestId('stat-done')).toHaveText('0');
  await expect(status(page)).toHaveText('running');
  await attachScreenshot(page, testInfo, 'replay-scrubbed-to-start');

  await banner.getByRole('button', { name: 'Back to live pool' }).click();
  await expect(banner).toBeHidden();
  await expect(status(page)).toHaveText('completed');
  await expect(page.getByTestId('stat-done')).toHaveText('24');
  await expect(page.locator('aside.controls')).not.toHaveAttribute('inert');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  expect(blocked).toEqual([]);
});

test('a generic Chrome trace with B/E events replays; malformed ones are explained and change nothing', async ({
  page,
  hostUrl,
}, testInfo) => {
  await open(page, hostUrl);

  const badEvent = testInfo.outputPath('bad-event.json');
  writeFileSync(
    badEvent,
    JSON.stringify([
      { ph: 'X', name: 'a', pid: 1, tid: 1, ts: 0, dur: 5 },
      { ph: 'X', name: 'b', pid: 1, tid: 1, ts: '12', dur: 1 },
    ]),
  );
  await importFile(page, badEvent);
  await expect(toast(page, 'Could not import bad-event.json')).toContainText(
    'event 1, field "ts": expected a finite number, got "12"',
  );
  await attachScreenshot(page, testInfo, 'malformed-event');

  // Ctrl+O opens the same picker.
  const notJson = testInfo.outputPath('not-json.json');
  writeFileSync(notJson, '{"traceEvents": [');
  const choosing = page.waitForEvent('filechooser');
  await page.keyboard.press('Control+o');
  await (await choosing).setFiles(notJson);
  await expect(toast(page, 'Could not import not-json.json')).toContainText('not valid JSON');

  // Numbers JSON can hold but a timeline cannot: an end past the largest double, ids that overflow to Infinity.
  for (const [name, text, message] of [
    [
      'huge-end.json',
      JSON.stringify([{ ph: 'X', name: 'a', pid: 1, tid: 1, ts: 1e308, dur: 1e308 }]),
      'event 0, field "dur": ts + dur overflows',
    ],
    [
      'huge-pid.json',
      '[{"ph":"X","name":"a","pid":1e309,"tid":1,"ts":0,"dur":1}]',
      'event 0, field "pid": expected an integer id',
    ],
    [
      'long-pid.json',
      `[{"ph":"X","name":"a","pid":${'9'.repeat(400)},"tid":1,"ts":0,"dur":1}]`,
      'event 0, field "pid": expected an integer id',
    ],
    [
      'long-pid-string.json',
      JSON.stringify([{ ph: 'X', name: 'a', pid: '9'.repeat(400), tid: 1, ts: 0, dur: 1 }]),
      'event 0, field "pid": expected an id of at most 64 characters',
    ],
  ] as const) {
    const path = testInfo.outputPath(name);
    writeFileSync(path, text);
    await importFile(page, path);
    await expect(toast(page, `Could not import ${name}`)).toContainText(message);
  }

  const unpaired = testInfo.outputPath('unpaired.json');
  writeFileSync(unpaired, JSON.stringify({ traceEvents: [{ ph: 'E', pid: 1, tid: 1, ts: 5 }] }));
  await importFile(page, unpaired);
  await expect(toast(page, 'Could not import unpaired.json')).toContainText(
    'event 0, field "ph": an end (E) event with no matching begin',
  );

  // None of it touched the live view.
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  await expect(status(page)).toHaveText('no run yet');

  const generic = testInfo.outputPath('generic.json');
  writeFileSync(
    generic,
    JSON.stringify({
      traceEvents: [
        { ph: 'M', name: 'thread_name', pid: 9, tid: 1, args: { name: 'main' } },
        { ph: 'B', name: 'load', pid: 9, tid: 1, ts: 1000 },
        { ph: 'E', pid: 9, tid: 1, ts: 41000 },
        { ph: 'B', name: 'parse', pid: 9, tid: 2, ts: 5000 },
        { ph: 'E', pid: 9, tid: 2, ts: 30000 },
        { ph: 'X', name: 'render', pid: 9, tid: 1, ts: 42000, dur: 8000 },
        { ph: 'C', name: 'heap', pid: 9, ts: 2000, args: { mb: 4 } },
      ],
    }),
  );
  await importFile(page, generic);
  const banner = page.getByTestId('replay-banner');
  await expect(banner.getByTestId('replay-status')).toHaveText('Replaying generic.json · 3 tasks on 2 threads');
  await expect(status(page)).toHaveText('completed');
  await expect(page.getByTestId('stat-done')).toHaveText('3');
  await expect(page.locator('canvas.timeline-canvas')).toHaveAttribute('data-rows', '2');
  await expect(page.getByTestId('replay-time')).toHaveText('49.0 ms / 49.0 ms');
  await expect(page.getByTestId('stat-latency')).toHaveText('–');
  await expect(page.getByTestId('stat-latency-sub')).toContainText('not when they were sent');
  await attachScreenshot(page, testInfo, 'generic-trace-replayed');
});

test('a 300 MiB file is refused before it is read, and the page stays responsive', async ({
  page,
  hostUrl,
}, testInfo) => {
  await open(page, hostUrl);
  // Sparse: 300 MiB on paper, no disk used. The page must refuse it by size alone.
  const big = testInfo.outputPath('huge.trace.json');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 300 * MIB);
  closeSync(fd);

  const started = Date.now();
  await importFile(page, big);
  await expect(toast(page, 'Trace too large')).toContainText(
    'huge.trace.json is 300 MiB; traces over 256 MiB are refused',
  );
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  // Responsive: the page answers at once and the menu still works.
  const answered = Date.now();
  expect(await page.evaluate(() => 6 * 7)).toBe(42);
  expect(Date.now() - answered).toBeLessThan(500);
  await fileMenu(page).click();
  await expect(menuItem(page, /^Import trace/)).toBeEnabled();
  await attachScreenshot(page, testInfo, 'oversize-refused');
});

test('Space runs, pauses and resumes; Esc cancels; + and − resize; keys typed into a box stay there', async ({
  page,
  hostUrl,
  browserHost,
}, testInfo) => {
  await open(page, hostUrl);
  await setPoolSize(page, 2);
  // Long enough (10 s) that a loaded machine's slow worker start-ups cannot end it before Esc does.
  await configure(page, 'io', 200, 100);

  // A space typed into a text box is text, not a run.
  const box = page.getByRole('spinbutton', { name: 'Task count value' });
  await box.focus();
  await box.press('Space');
  await expect(status(page)).toHaveText('no run yet');
  await box.press('Escape');

  // Focus back on the page itself.
  await box.blur();
  await expect(page.locator('body')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(status(page)).toHaveText('running');
  expect(browserHost.pool.running).toBe(true);

  await page.keyboard.press('Space');
  await expect(status(page)).toHaveText('paused');
  await page.keyboard.press('Space');
  await expect(status(page)).toHaveText('running');

  await page.keyboard.press('+');
  await expect(poolSlider(page)).toHaveAttribute('aria-valuenow', '3');
  await expect.poll(() => browserHost.pool.size).toBe(3);
  await page.keyboard.press('-');
  await expect(poolSlider(page)).toHaveAttribute('aria-valuenow', '2');
  await expect.poll(() => browserHost.pool.size).toBe(2);
  await attachScreenshot(page, testInfo, 'keyboard-running');

  await page.keyboard.press('Escape');
  await expect(status(page)).toHaveText('cancelled');
  expect(browserHost.pool.running).toBe(false);
});
