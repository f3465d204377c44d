/**
 * Real local clusters from the live controls: Dask started from the Backend
 * choice and scaled from the pool-size slider while a run goes, and a Ray run.
 * Each costs seconds of cluster start-up, so there is one test per engine.
 * Where the host's Python lacks an engine its test is skipped, loudly; with
 * POOLSCOPE_REQUIRE_CLUSTER=1 (CI) that is a failure instead.
 */
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Page } from '@playwright/test';
import { clusterEngines } from '../../electron/python/testing';
import { expect, test } from './fixtures';
import { setNumber, setPoolSize } from './controls';
import { stop } from './screens';

const engines = clusterEngines();

test.describe.configure({ timeout: 120_000 });

// Back to the engine's own pool, which closes the cluster: the next spec finds the host as it started.
test.afterEach(async ({ browserHost }) => {
  await browserHost.hub.configure(availableParallelism(), 'process');
});

const live = (page: Page) => page.locator('[data-testid="worker"]:not([data-state="exited"])');

async function chooseCluster(page: Page, name: 'Dask' | 'Ray', workers: number): Promise<void> {
  await setPoolSize(page, workers);
  await page.getByRole('radio', { name, exact: true }).click();
  // Seconds of start-up, said while it lasts.
  await expect(page.getByTestId('cluster-note')).toContainText(`Starting a local ${name} cluster…`);
  await expect(page.getByTestId('cluster-note')).toBeHidden({ timeout: 90_000 });
  await expect(live(page)).toHaveCount(workers, { timeout: 30_000 });
  // Only what a cluster runs is offered.
  await expect(page.getByLabel('Workload', { exact: true }).locator('option')).toHaveText([
    'cpu',
    'square',
    'io',
    'fail',
  ]);
}

test('Dask from the live controls: a local cluster starts, runs, and grows from the slider mid-run', async ({
  page,
  hostUrl,
}, testInfo) => {
  test.skip(!engines.hasDask, engines.skipReason.dask ?? '');
  await page.goto(hostUrl);
  await chooseCluster(page, 'Dask', 2);
  // Long enough (8 s on two workers) that a third one, which a loaded machine can take most
  // of that to start, still joins while the run goes; sleeping tasks leave it the cores to start on.
  await page.getByLabel('Workload', { exact: true }).selectOption('io');
  await setNumber(page, 'Task count value', 160);
  await setNumber(page, 'Task cost value', 100);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect
    .poll(async () => Number(await page.getByTestId('stat-done').textContent()), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(6);

  const slider = page.getByRole('slider', { name: /pool size/i });
  await slider.focus();
  await slider.press('ArrowRight');
  await expect(live(page)).toHaveCount(3, { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).toHaveText('running');
  // The new worker takes tasks over from the others (Dask steals queued work).
  const newest = live(page).last().getByTestId('worker-tasks');
  await expect.poll(async () => Number(await newest.textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
  await stop(page, testInfo, 'live-dask-scaled');

  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('stat-done')).toHaveText('160');
});

test('Ray from the live controls: a local Ray cluster runs the workload on its worker processes', async ({
  page,
  hostUrl,
}, testInfo) => {
  test.skip(!engines.hasRay, engines.skipReason.ray ?? '');
  await page.goto(hostUrl);
  await chooseCluster(page, 'Ray', 2);
  await page.getByLabel('Workload', { exact: true }).selectOption('cpu');
  await setNumber(page, 'Task count value', 40);
  await setNumber(page, 'Task cost value', 100);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect
    .poll(async () => Number(await page.getByTestId('stat-done').textContent()), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(10);
  await stop(page, testInfo, 'live-ray');
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('stat-done')).toHaveText('40');
});

test('Attach to a cluster… refuses an address the host would, before anything is sent', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'Attach to a cluster…' }).click();
  const form = page.getByRole('form', { name: 'Attach to a cluster' });
  await form.getByLabel('Address').fill('tcp://127.0.0.1 8786');
  await form.getByRole('button', { name: 'Attach' }).click();
  await expect(form.getByRole('alert')).toHaveText(/host:port/);
  await expect(page.getByTestId('cluster-note')).toHaveCount(0);
});

test('Attach to a cluster where nothing listens: the host says so within seconds, for Dask and Ray, and the pool comes back', async ({
  page,
  hostUrl,
}) => {
  test.skip(!engines.hasDask || !engines.hasRay, engines.skipReason.dask ?? engines.skipReason.ray ?? '');
  // A port that was just free: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  await page.goto(hostUrl);
  for (const [engine, address] of [
    ['Dask', `tcp://127.0.0.1:${port}`],
    ['Ray', `127.0.0.1:${port}`],
  ] as const) {
    await page.getByRole('button', { name: 'Attach to a cluster…' }).click();
    const form = page.getByRole('form', { name: 'Attach to a cluster' });
    await form.getByRole('radio', { name: engine, exact: true }).click();
    await form.getByLabel('Address').fill(address);
    await form.getByRole('button', { name: 'Attach' }).click();
    await expect(page.getByTestId('cluster-note')).toContainText(`Could not attach to the cluster: `, {
      timeout: 30_000,
    });
    await expect(page.getByTestId('cluster-note')).toContainText(`nothing answers at ${address}`);
    // The pool it had is back (the host starts with one worker per core).
    await expect(live(page)).toHaveCount(availableParallelism());
  }
});
