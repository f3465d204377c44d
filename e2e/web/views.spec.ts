/**
 * What the pool view and the timeline draw, checked from what the canvases
 * expose (their rows, segments, ticks and core placement) and from their
 * pixels: rows that belong to one process at a time, a time axis that starts
 * at the run and reads sensibly, oversubscription visible at a glance, and
 * stopped workers marked.
 */
import type { Page } from '@playwright/test';
import { configure, open, setPoolSize } from './controls';
import { expect, test } from './fixtures';

const run = (page: Page) => page.getByRole('button', { name: 'Run', exact: true }).click();
const completed = (page: Page) => expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
const timeline = (page: Page) => page.locator('canvas.timeline-canvas');
const poolCanvas = (page: Page) => page.locator('canvas.pool-canvas');

interface Segment {
  worker: string;
  pid: number | null;
  from: number;
  to: number | null;
}

async function segments(page: Page): Promise<Segment[][]> {
  return JSON.parse((await timeline(page).getAttribute('data-segments')) ?? '[]');
}

interface CoresView {
  onCore: string[][];
  waiting: string[];
  stuck: string[];
  unplaced: string[];
  /** Each core's busy %, where measured. */
  busy: number[] | null;
}

async function coresView(page: Page): Promise<CoresView> {
  return JSON.parse((await poolCanvas(page).getAttribute('data-cores')) ?? 'null');
}

test('a timeline row belongs to one worker process at a time, each with its own label', async ({ page, hostUrl }) => {
  await open(page, hostUrl);
  await setPoolSize(page, 2);
  await configure(page, 'io', 80, 60);
  await page.getByRole('radio', { name: 'imap', exact: true }).click();
  await run(page);
  await expect.poll(async () => Number(await page.getByTestId('stat-done').textContent())).toBeGreaterThan(4);
  // Retire one worker, then add one back: the newcomer starts after the other left.
  await setPoolSize(page, 1);
  await expect(page.locator('[data-testid="worker"][data-state="exited"]')).toHaveCount(1, { timeout: 15_000 });
  await setPoolSize(page, 2);
  await expect(page.locator('[data-testid="worker"]:not([data-state="exited"])')).toHaveCount(2);
  await completed(page);

  const rows = await segments(page);
  const names = (await page.getByTestId('worker-name').allTextContents()).sort();
  expect(names).toEqual(['W1', 'W2', 'W3']);
  // Every worker is drawn exactly once, under its own number and pid.
  const drawn = rows.flat();
  expect(drawn.map((s) => s.worker).sort()).toEqual(names);
  for (const item of await page.getByTestId('worker').all()) {
    const name = await item.getByTestId('worker-name').textContent();
    const pid = Number(await item.getAttribute('data-pid'));
    expect(drawn.find((s) => s.worker === name)?.pid).toBe(pid);
  }
  // Within a row, one process ends before the next begins; the retired one's segment ends where it exited.
  for (const row of rows)
    for (let i = 1; i < row.length; i++) {
      expect(row[i - 1].to).not.toBeNull();
      expect(row[i].from).toBeGreaterThanOrEqual(row[i - 1].to!);
      expect(row[i].worker).not.toBe(row[i - 1].worker);
    }
  const retired = drawn.find((s) => s.to !== null);
  expect(retired).toBeDefined();
});

test('the timeline never shows time before the run began, and a short run’s axes read sensibly', async ({
  page,
  hostUrl,
}) => {
  await open(page, hostUrl);
  await setPoolSize(page, 2);
  await configure(page, 'square', 10);
  await run(page);
  await completed(page);

  // A run of a fraction of a second: ticks in ms, each different, never "0 s 0 s 0 s".
  const ticks = ((await timeline(page).getAttribute('data-ticks')) ?? '').split('|');
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(new Set(ticks).size).toBe(ticks.length);
  expect(ticks.slice(1).every((t) => /^\d+(\.\d+)? (ms|µs)$/.test(t))).toBe(true);
  const chartTicks = ((await page.locator('.stats-panel .chart-plot').first().getAttribute('data-x-ticks')) ?? '')
    .split('|')
    .filter(Boolean);
  expect(chartTicks.length).toBeGreaterThanOrEqual(2);
  expect(new Set(chartTicks).size).toBe(chartTicks.length);

  // Zoom in, then try to go before the start with the keys and by dragging.
  const canvas = timeline(page);
  await canvas.focus();
  for (let i = 0; i < 4; i++) await canvas.press('+');
  for (let i = 0; i < 30; i++) await canvas.press('ArrowLeft');
  await expect(canvas).toHaveAttribute('data-mode', 'free');
  expect(Number(await canvas.getAttribute('data-t0'))).toBeGreaterThanOrEqual(0);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  expect(Number(await canvas.getAttribute('data-t0'))).toBeGreaterThanOrEqual(0);
  await expect(canvas).toHaveAttribute('data-t0', '0.000');
});

test('at pool 8 on 2 cores, waiting for a core is drawn in every bar and the cores view shows who waits', async ({
  page,
  hostUrl,
}) => {
  await open(page, hostUrl);
  await setPoolSize(page, 8);
  await expect(page.locator('[data-testid="worker"]:not([data-state="exited"])')).toHaveCount(8, { timeout: 20_000 });
  // All up before the run: the cores view places workers that are ready, and one still starting
  // (8 on 2 busy cores start slowly) would be missing from it but counted in the Workers panel.
  await expect(page.locator('[data-testid="worker"][data-state="starting"]')).toHaveCount(0, { timeout: 20_000 });
  // Long enough (about 6 s on 2 idle cores) for many samples of the sampler's 250 ms, however busy the machine.
  await configure(page, 'cpu', 120, 100);
  await run(page);

  // While it runs, every live worker is somewhere: on a core or waiting for one, and many wait,
  // while the cores they wait for are busy (however many workers the view shows on them).
  let most = 0;
  let busiest = 0;
  await expect
    .poll(
      async () => {
        const view = await coresView(page);
        if (!view) return -1;
        const placed = view.onCore.flat().length + view.waiting.length + view.unplaced.length;
        expect(placed).toBe(await page.locator('[data-testid="worker"]:not([data-state="exited"])').count());
        most = Math.max(most, view.waiting.length);
        busiest = Math.max(busiest, Math.min(...(view.busy ?? [0])));
        return `${most} waiting at most; every core at least ${busiest}% busy at once`;
      },
      // Looked at every 200 ms, so a sample between two chunks cannot stand for the whole run.
      { timeout: 30_000, intervals: [200] },
    )
    .toMatch(/^([4-9]|\d\d+) waiting at most; every core at least ([5-9]\d|100)% busy at once$/);
  await completed(page);

  // The figure and the legend say it; the bars show it.
  const share = await page.getByTestId('stat-utilisation-sub').textContent();
  expect(Number(/^(\d+(\.\d+)?)% waiting for a core$/.exec(share ?? '')?.[1])).toBeGreaterThan(30);
  await expect(page.getByTestId('timeline-legend')).toContainText('waiting for a core');
  // A string, because this file compiles without DOM types: the share of the timeline's pixels in the core-wait colour.
  const striped = (await page.evaluate(`(() => {
    const canvas = document.querySelector('canvas.timeline-canvas');
    const color = getComputedStyle(document.documentElement).getPropertyValue('--c-corewait').trim();
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let near = 0;
    for (let i = 0; i < data.length; i += 4)
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60) near++;
    return near / (canvas.width * canvas.height);
  })()`)) as number;
  // A few percent of the whole canvas is stripes of that colour: most of every bar is waiting.
  expect(striped).toBeGreaterThan(0.02);

  // Moves between cores are counted per worker, and say how.
  const moves = await page.getByTestId('worker-moves').allTextContents();
  expect(moves.every((m) => /^\d+$/.test(m))).toBe(true);
});

test('a stopped worker is shown as stopped, with for how long, in the Workers panel and the cores view', async ({
  page,
  hostUrl,
  browserHost,
}) => {
  await open(page, hostUrl);
  await setPoolSize(page, 2);
  await configure(page, 'io', 30, 150);
  await page.getByRole('radio', { name: 'imap', exact: true }).click();
  await run(page);
  await expect.poll(async () => Number(await page.getByTestId('stat-done').textContent())).toBeGreaterThan(2);
  const pid = browserHost.pool.workerPids()[0].pid;
  process.kill(pid, 'SIGSTOP');
  try {
    const row = page.locator(`[data-testid="worker"][data-pid="${pid}"]`);
    await expect(row).toHaveAttribute('data-state', 'stopped', { timeout: 10_000 });
    await expect(row.locator('.worker-state')).toHaveText(/^stopped \d+(\.\d+)? (ms|s)$/);
    const number = await row.getByTestId('worker-name').textContent();
    await expect.poll(async () => (await coresView(page))?.stuck ?? []).toContain(`${number} stopped`);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await completed(page);
});

test('where the host cannot measure core placement or core waits, the views say so instead of guessing', async ({
  page,
  hostUrl,
}) => {
  // The host as a platform without /proc would describe itself: the same engine, fewer measures.
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (typeof message === 'string' && message.includes('"measures"')) {
        const reply = JSON.parse(message);
        if (reply.result?.value?.measures)
          reply.result.value.measures = { cores: false, threadCpu: false, coreWait: false };
        ws.send(JSON.stringify(reply));
      } else ws.send(message);
    });
  });
  await open(page, hostUrl);
  await expect(page.getByTestId('timeline-legend')).toContainText('waiting for a core: not measured here');
  await expect(poolCanvas(page)).toHaveAttribute('data-cores-note', /not measured on this platform/);
  await expect(poolCanvas(page)).not.toHaveAttribute('data-cores', /.+/);
});
