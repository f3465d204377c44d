/**
 * The teaching views end to end: the seed's scenarios picked and run in the UI
 * on the real pool, a measured comparison of backends, a sweep, and the run
 * history — each checked against what the page shows and what the host did.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Page, TestInfo } from '@playwright/test';
import { open } from './controls';
import { expect, test } from './fixtures';

async function attachScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function pickScenario(page: Page, id: string): Promise<void> {
  await page.getByRole('tab', { name: 'Scenarios' }).click();
  await page.getByRole('button', { name: new RegExp(`^${id}\\b`) }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${id} ·`) })).toBeVisible();
}

async function runScenario(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Run( again)?$/ }).click();
  await expect(page.getByTestId('scenario-status')).toHaveText('done', { timeout: 30_000 });
}

const outputLines = (page: Page) => page.getByRole('log', { name: 'Program output' }).getByTestId('output-line');

// Scenarios close their pool, as the seed's programs do: give the next test the usual pool back.
test.afterEach(({ browserHost }) => {
  browserHost.pool.configure(availableParallelism(), 'process');
});

test('the Q1 preset, picked in the UI, prints exactly the seed’s two lines', async ({ page, hostUrl }, testInfo) => {
  await open(page, hostUrl);
  await pickScenario(page, 'Q1');
  await runScenario(page);

  await expect(outputLines(page)).toHaveText([
    '[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]',
    'All squares calculated with multiprocessing',
  ]);
  // Every step of the program ran and was timed: five workers started, ten tasks mapped, all five joined.
  const steps = page.getByTestId('scenario-step');
  await expect(steps).toHaveCount(5);
  for (const step of await steps.all()) await expect(step).toHaveAttribute('data-status', 'done');
  await expect(steps.nth(0)).toContainText('5 workers ready');
  await expect(steps.nth(1)).toContainText('10 tasks');
  await expect(steps.nth(3)).toContainText('5 workers exited');
  const q1 = page.getByRole('img', { name: /Timeline of Q1/ });
  await expect(q1).toHaveAttribute('data-rows', '5');
  // Every step's description is there in full, and the program's marks do not overlap one another.
  for (const title of await page.locator('.step-title').all()) {
    const [scroll, client] = await title.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scroll).toBeLessThanOrEqual(client);
    await expect(title).toBeInViewport();
  }
  const marks: { label: string; left: number; w: number; level: number }[] = JSON.parse(
    (await q1.getAttribute('data-markers')) ?? '[]',
  );
  expect(marks.map((m) => m.label).sort()).toEqual(['Pool()', 'close()', 'join()', 'map()']);
  for (const a of marks)
    for (const b of marks)
      if (a !== b && a.level === b.level) expect(a.left + a.w <= b.left || b.left + b.w <= a.left).toBe(true);
  await attachScreenshot(page, testInfo, 'q1');

  // Picking the preset put its settings into the live controls.
  await page.getByRole('tab', { name: 'Live' }).click();
  await expect(page.getByRole('slider', { name: /pool size/i })).toHaveAttribute('aria-valuenow', '5');
  await expect(page.getByLabel('Workload', { exact: true })).toHaveValue('square');
  await expect(page.getByRole('spinbutton', { name: 'Task count value' })).toHaveAttribute('aria-valuenow', '10');
});

test('Q4 prints its results, and Q3 its child’s line and then the parent’s after the join', async ({
  page,
  hostUrl,
  browserHost,
}, testInfo) => {
  await open(page, hostUrl);
  await pickScenario(page, 'Q4');
  await runScenario(page);
  await expect(outputLines(page)).toHaveText(['Results: [2, 4, 6, 8, 10]']);

  await pickScenario(page, 'Q3');
  await runScenario(page);
  await expect(outputLines(page)).toHaveText(['Child process is running.', 'Main process is done.']);
  const steps = page.getByTestId('scenario-step');
  await expect(steps.nth(0)).toContainText(/started in [\d.]+ ms/);
  await expect(steps.nth(1)).toContainText('1 worker exited');
  // The child really is gone: joined means exited, and the host has no worker left.
  expect(browserHost.pool.workerPids()).toEqual([]);
  const timeline = page.getByRole('img', { name: /Timeline of Q3/ });
  await expect(timeline).toHaveAttribute('data-rows', '1');
  await expect(timeline).toHaveAttribute('data-tasks', '1');
  // Its line came from the child process, in the console under its worker.
  const consoleLog = page.getByRole('log', { name: 'Worker output' });
  await expect(consoleLog).toContainText('Child process is running.');
  await expect(consoleLog.getByTestId('console-line')).toHaveCount(1);
  await attachScreenshot(page, testInfo, 'q3');

  // Q6's console is its own: Q3's child is not in it, and its filter lists Q6's four workers only.
  await pickScenario(page, 'Q6');
  await expect(consoleLog.getByTestId('console-line')).toHaveCount(0);
  await runScenario(page);
  await expect(consoleLog.getByTestId('console-line')).toHaveCount(4);
  await expect(consoleLog).not.toContainText('Child process is running.');
  const filter = page.getByRole('combobox', { name: 'Show output of' });
  const options = (await filter.locator('option').allTextContents()).slice(1).map((o) => o.split(' ')[0]);
  expect(options.sort()).toEqual(['W1', 'W2', 'W3', 'W4']);
});

test('Q5 steps through create, map, close and join one click at a time', async ({ page, hostUrl }, testInfo) => {
  await open(page, hostUrl);
  await pickScenario(page, 'Q5');
  const next = page.locator('.scenario-actions .btn.primary');
  const steps = page.getByTestId('scenario-step');
  await expect(next).toHaveText('Step 1: pool = Pool(processes=5)');
  await next.click();
  await expect(steps.nth(0)).toHaveAttribute('data-status', 'done');
  await expect(steps.nth(1)).toHaveAttribute('data-status', 'pending');
  await expect(next).toHaveText('Next: results = pool.map(double, [1, 2, 3, 4, 5])');
  await attachScreenshot(page, testInfo, 'q5-after-create');
  for (let k = 1; k < 5; k++) {
    await next.click();
    await expect(steps.nth(k)).toHaveAttribute('data-status', 'done');
  }
  await expect(page.getByTestId('scenario-status')).toHaveText('done');
  await expect(outputLines(page)).toHaveText(['Results: [2, 4, 6, 8, 10]']);
});

test('a small CPU-bound comparison measures a row per backend, on one time axis', async ({
  page,
  hostUrl,
}, testInfo) => {
  await open(page, hostUrl);
  // The seed's Q2 is this comparison: picking it opens Compare on the CPU-bound preset.
  await page.getByRole('tab', { name: 'Scenarios' }).click();
  await page.getByRole('button', { name: /^Q2\b/ }).click();
  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('radio', { name: 'CPU-bound' })).toBeChecked();
  for (const backend of ['thread', 'serial'])
    await page.getByRole('checkbox', { name: new RegExp(`^${backend}`) }).uncheck();
  const tasks = page.getByRole('spinbutton', { name: 'Compare tasks' });
  await tasks.fill('16');
  await tasks.press('Enter');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await expect(page.getByTestId('compare-reading')).toBeVisible({ timeout: 30_000 });
  await attachScreenshot(page, testInfo, 'compare');

  const rows = page.getByTestId('compare-row');
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    const [wall, speedup, startup] = await Promise.all([1, 2, 3].map((i) => row.locator('td').nth(i).innerText()));
    expect(wall).toMatch(/^[\d.]+ m?s$/);
    expect(speedup).toMatch(/^\d+\.\d\d×$/);
    expect(startup).toMatch(/ms$/);
  }

  // Each backend's run is drawn from its own record: its workers and all its tasks. GIL threads
  // took turns — their lock waits are on the timeline — and processes never wait for one.
  const timeline = (name: string) => page.getByRole('img', { name: new RegExp(`^${name}: 2 workers`) });
  for (const name of ['process', 'GIL']) {
    await expect(timeline(name)).toHaveAttribute('data-rows', '2');
    await expect(timeline(name)).toHaveAttribute('data-tasks', '16');
  }
  await expect(timeline('process')).toHaveAttribute('data-waits', '0');
  expect(Number(await timeline('GIL').getAttribute('data-waits'))).toBeGreaterThan(0);
});

test('Compare says when the machine was busy beside its figures, and offers to measure again', async ({
  page,
  hostUrl,
}) => {
  await open(page, hostUrl);
  await page.getByRole('tab', { name: 'Compare' }).click();
  for (const backend of ['thread', 'GIL'])
    await page.getByRole('checkbox', { name: new RegExp(`^${backend}`) }).uncheck();
  const tasks = page.getByRole('spinbutton', { name: 'Compare tasks' });
  await tasks.fill('24');
  await tasks.press('Enter');
  await expect(page.getByTestId('compare-estimate')).toContainText('for the 2 backends');
  // Two busy loops beside the pool: the machine is busy whatever else it is doing.
  const burners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page.getByTestId('compare-row')).toHaveCount(2, { timeout: 60_000 });
    await expect(page.getByTestId('compare-reading')).toBeVisible({ timeout: 30_000 });
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
  }
  const note = page.getByTestId('machine-note');
  await expect(note).toContainText('The machine was busy');
  await expect(note).toContainText(/other programs used \d+\.\d of the \d+ cores/);
  await expect(page.getByTestId('compare-others').first()).toHaveText(/^\d+\.\d cores$/);

  const again = page.getByTestId('compare-again');
  await expect(again).toBeEnabled();
  await again.click();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await expect(page.getByTestId('compare-reading')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
});

test('a sweep plots speedup and efficiency for each pool size', async ({ page, hostUrl }, testInfo) => {
  await open(page, hostUrl);
  await page.getByRole('tab', { name: 'Sweep' }).click();
  for (const [name, value] of [
    ['Sweep tasks', '8'],
    ['Sweep task cost', '10'],
  ]) {
    const box = page.getByRole('spinbutton', { name });
    await box.fill(value);
    await box.press('Enter');
  }
  const largest = page.getByRole('slider', { name: 'Largest pool' });
  await largest.focus();
  await largest.press('Home');
  await expect(largest).toHaveAttribute('aria-valuetext', 'up to 2 workers');
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  await expect(page.getByTestId('sweep-row')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('sweep-reading')).toContainText(/Serial fraction .*: [\d.]+%/);
  await expect(page.getByTestId('sweep-speedup')).toHaveAttribute('aria-label', /1: 1\.00×, 2: [\d.]+×/);
  await attachScreenshot(page, testInfo, 'sweep');
});

test('the history lists every run, newest first, and puts two side by side', async ({ page, hostUrl }, testInfo) => {
  await open(page, hostUrl);
  // A live run from the controls…
  await page.getByLabel('Workload', { exact: true }).selectOption('square');
  const count = page.getByRole('spinbutton', { name: 'Task count value' });
  await count.fill('20');
  await count.press('Enter');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 30_000 });
  // …then a scenario.
  await pickScenario(page, 'Q4');
  await runScenario(page);

  await page.getByRole('tab', { name: /History/ }).click();
  const items = page.getByTestId('history-item');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toHaveAttribute('data-source', 'scenario');
  await expect(items.nth(0)).toContainText('Q4');
  await expect(items.nth(0)).toContainText('double × 5');
  await expect(items.nth(1)).toHaveAttribute('data-source', 'live');
  await expect(items.nth(1)).toContainText('square × 20');

  for (const item of await items.all()) await item.getByRole('checkbox').check();
  const diff = page.getByTestId('history-diff');
  await expect(diff).toContainText('B vs A');
  const done = diff.getByRole('row', { name: /^Done/ });
  await expect(done).toContainText('5');
  await expect(done).toContainText('20');
  await expect(page.getByRole('img', { name: /^Timeline of run/ })).toHaveCount(2);
  await attachScreenshot(page, testInfo, 'history');
});

test('a sweep shows no fit from one pool size: the interim reading says so, in the singular', async ({
  page,
  hostUrl,
}) => {
  await open(page, hostUrl);
  await page.getByRole('tab', { name: 'Sweep' }).click();
  for (const [name, value] of [
    ['Sweep tasks', '10'],
    ['Sweep task cost', '150'],
  ]) {
    const box = page.getByRole('spinbutton', { name });
    await box.fill(value);
    await box.press('Enter');
  }
  const largest = page.getByRole('slider', { name: 'Largest pool' });
  await largest.focus();
  await largest.press('Home');
  await page.getByRole('button', { name: 'Sweep', exact: true }).click();
  // One pool size measured, the next still to come.
  await expect(page.getByTestId('sweep-row')).toHaveCount(1, { timeout: 30_000 });
  const reading = page.getByTestId('sweep-reading');
  await expect(reading).toHaveText(
    /^Measured so far: 1 worker 1\.00× \(the baseline\)\. The Amdahl fit appears once two pool sizes/,
  );
  await expect(reading).not.toContainText('Serial fraction');
  await expect(page.getByTestId('sweep-fit').first()).toHaveText('–');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
});
