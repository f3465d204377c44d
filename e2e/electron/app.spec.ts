/**
 * The desktop app end to end, through Playwright's _electron: the real window,
 * preload, bridge and utility-process pool. Runs only where Electron's binary
 * exists (ELECTRON_OVERRIDE_DIST_PATH, or a completed download); otherwise every
 * test reports itself skipped, with the reason, and one line says so.
 *
 * On headless Linux it needs a display: `xvfb-run -a npx playwright test --project=electron`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { API_METHODS, type PoolscopeApi } from '../../shared/api';
import type { Frame } from '../../shared/protocol';
import { makeRunSpec, type RunSpec } from '../../shared/run-spec';
import { ensureBuilt, projectRoot } from '../../electron/host/build';
import { findElectron } from '../../electron/host/electron-binary';

/**
 * Found as electron's own index.js finds it, without requiring it (that would
 * download); _electron.launch then starts it through index.js itself.
 */
const lookup = findElectron(join(projectRoot, 'node_modules/electron'), process.env);
const binary = lookup.found;
const SKIP_REASON = `Electron suite skipped: ${lookup.found ? '' : lookup.why} (set ELECTRON_OVERRIDE_DIST_PATH, or let npm start download it)`;
// Once, from the runner that collects the tests (workers load this file too); on stderr, so JSON reporters stay parseable.
if (!binary && process.env.TEST_WORKER_INDEX === undefined) console.warn(SKIP_REASON);

/** Pids of the pool's worker processes, as Electron's own metrics list them. */
const workerPids = (app: ElectronApplication): Promise<number[]> =>
  app.evaluate(({ app: electronApp }) =>
    electronApp
      .getAppMetrics()
      .filter((metric) => metric.type === 'Utility' && metric.name?.startsWith('poolscope-worker'))
      .map((metric) => metric.pid),
  );

/** Gone, or a zombie nobody has reaped yet (it holds no memory and runs nothing). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Sets the pool size the way a keyboard user would: Home, then arrow keys. */
async function setPoolSize(page: Page, size: number): Promise<void> {
  const slider = page.getByRole('slider', { name: /pool size/i });
  await slider.focus();
  await slider.press('Home');
  for (let i = 1; i < size; i++) await slider.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', String(size));
}

test.describe('Electron app', () => {
  test.skip(!binary, SKIP_REASON);
  test.describe.configure({ mode: 'serial' });

  let app: ElectronApplication;
  let page: Page;
  let userData: string;
  let closed = false;

  test.beforeAll(async () => {
    ensureBuilt('app');
    // A fresh profile: no remembered window, and no clash with a Poolscope the developer has open.
    userData = mkdtempSync(join(tmpdir(), 'poolscope-e2e-'));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'ELECTRON_RENDERER_URL',
      ),
    );
    // No executablePath: only without it does Playwright add its loader (-r loader.js), which holds `ready`
    // until Playwright is attached; index.js honours ELECTRON_OVERRIDE_DIST_PATH.
    app = await _electron.launch({
      args: [projectRoot, `--user-data-dir=${userData}`],
      cwd: projectRoot,
      env,
    });
    page = await app.firstWindow();
    await expect(page.getByTestId('host-info')).toBeVisible();
  });

  test.afterAll(async () => {
    if (app && !closed) await app.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  test('opens one visible window showing the app from app://', async () => {
    expect(page.url()).toMatch(/^app:\/\/poolscope\//);
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isVisible())))
      .toEqual([true]);
  });

  test('the page has no Node and sees exactly the PoolscopeApi', async () => {
    expect(await page.evaluate(() => [typeof require, typeof process])).toEqual(['undefined', 'undefined']);
    const keys = await page.evaluate(() =>
      Object.keys((globalThis as unknown as { poolscope: PoolscopeApi }).poolscope).sort(),
    );
    expect(keys).toEqual([...API_METHODS].sort());
  });

  test('new windows and navigation away are refused', async () => {
    const opened = await page.evaluate(
      () => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    const url = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(url);
    expect(app.windows()).toHaveLength(1);
    await expect(page.getByTestId('host-info')).toBeVisible();
  });

  test('permission requests are denied', async () => {
    const permission = await page.evaluate(() =>
      (
        globalThis as unknown as { Notification: { requestPermission(): Promise<string> } }
      ).Notification.requestPermission(),
    );
    expect(permission).toBe('denied');
  });

  test('the pool size slider changes the number of utility processes', async () => {
    await setPoolSize(page, 3);
    await expect.poll(async () => (await workerPids(app)).length, { timeout: 10_000 }).toBe(3);
    await setPoolSize(page, 1);
    await expect.poll(async () => (await workerPids(app)).length, { timeout: 10_000 }).toBe(1);
  });

  test('a workload runs on the utility processes and its results stream to the page', async () => {
    await setPoolSize(page, 2);
    await page.getByLabel('Workload', { exact: true }).selectOption('square');
    const count = page.getByRole('spinbutton', { name: 'Task count value' });
    await count.fill('10');
    await count.press('Enter');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 30_000 });
    await expect(page.getByTestId('stat-done')).toHaveText('10');

    // The same through the exposed API: results arrive over the preload's port relay.
    const spec: RunSpec = makeRunSpec({ workload: 'square', tasks: 10, from: 0, mode: 'map' }, 2);
    const results = await page.evaluate(async (runSpec) => {
      const api = (globalThis as unknown as { poolscope: PoolscopeApi }).poolscope;
      const values: (number | null)[] = [];
      let finish = (): void => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const unsubscribe = api.onFrame((frame: Frame) => {
        frame.settled.task.forEach((task: number, i: number) => (values[task] = frame.settled.result[i]));
        if (frame.events.some((event) => event.type === 'run-finished')) finish();
      });
      const started = await api.start(runSpec);
      if (!started.ok) throw new Error(started.message);
      await finished;
      unsubscribe();
      return values;
    }, spec);
    expect(results).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
  });

  test('quitting leaves no worker process behind, even busy ones', async () => {
    await page.getByLabel('Workload', { exact: true }).selectOption('cpu');
    const count = page.getByRole('spinbutton', { name: 'Task count value' });
    await count.fill('1000');
    await count.press('Enter');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-status')).toHaveText('running');
    const pids = await workerPids(app);
    expect(pids.length).toBeGreaterThan(0);

    const quitAt = Date.now();
    closed = true;
    await app.close();
    await expect.poll(() => pids.filter(isRunning), { timeout: 5_000 }).toEqual([]);
    expect(Date.now() - quitAt).toBeLessThan(2_000 + 500); // the 2 s promise, plus polling slack
  });
});
