/**
 * Every view at the two sizes it must fit — 1280×800 without clipping or
 * overlap, 1920×1080 without looking empty — walked through as a new user
 * would: a live run at pool 8 on the 2 cores, a scenario, a comparison, a
 * sweep, the history and a replay. At each stop the page is checked for text
 * cut short, panels overflowing or overlapping and anything outside the
 * window, and screenshotted. With POOLSCOPE_DOCS=1 the screenshots are written
 * to docs/ (the README's and the closing notes'); otherwise they are attached
 * to the report.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { projectRoot } from '../../electron/host/build';
import { expect, test } from './fixtures';

const DOCS = process.env.POOLSCOPE_DOCS === '1' ? join(projectRoot, 'docs') : null;

/** Scroll containers that are meant to hold more than they show. */
const SCROLLERS = [
  '.worker-list',
  '.console',
  '.controls-scroll',
  '.history-list ul',
  '.output-box',
  '.menu',
  // Timelines of several runs, one under another.
  '.stack',
];

/**
 * What does not fit: text cut by an ellipsis or hidden overflow, a panel whose
 * content spills over (or is hidden by) its edge, a scroll box that hides
 * content and is not a list, panels that overlap, anything outside the window.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  // A string, because this file compiles without DOM types (as ui.spec.ts does).
  return (await page.evaluate(`(${LAYOUT_PROBLEMS})(${JSON.stringify(SCROLLERS)})`)) as string[];
}

const LAYOUT_PROBLEMS = `(scrollers) => {
    const problems = [];
    const name = (el) =>
      \`\${el.tagName.toLowerCase()}\${el.id ? \`#\${el.id}\` : ''}.\${[...el.classList].join('.')} "\${(el.textContent ?? '').trim().slice(0, 40)}"\`;
    const shown = (el) => {
      if (el.closest('[hidden], [inert] [aria-hidden="true"]')) return false;
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return style.display !== 'none' && style.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    };
    const all = [...document.querySelectorAll('#root *')].filter((el) => el instanceof HTMLElement && shown(el));
    for (const el of all) {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (el.matches('.sr-only')) continue;
      // Inside a list that scrolls, what is out of view is a scroll away, not lost.
      const inScroller = scrollers.some((s) => el.parentElement?.closest(s));
      if (!inScroller && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1))
        problems.push(\`outside the window: \${name(el)}\`);
      const hidesX = style.overflowX === 'hidden' || style.overflowX === 'clip' || style.textOverflow === 'ellipsis';
      const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (hidesX && text && el.scrollWidth > el.clientWidth + 1) problems.push(\`text cut: \${name(el)}\`);
      const scrollsY = style.overflowY === 'auto' || style.overflowY === 'scroll';
      const hidesY = style.overflowY === 'hidden' || style.overflowY === 'clip';
      const over = el.scrollHeight > el.clientHeight + 2;
      if (over && hidesY && el.classList.contains('panel')) problems.push(\`panel cut: \${name(el)}\`);
      if (over && scrollsY && !scrollers.some((s) => el.matches(s)))
        problems.push(\`content hidden in a scroll box: \${name(el)} (\${el.scrollHeight} > \${el.clientHeight})\`);
    }
    // One percent style ("94%", never "94 %"), and none of the developers' words.
    const text = document.body.innerText;
    for (const match of text.match(/\\d\\s%/g) ?? []) problems.push(\`percent with a space: "\${match}"\`);
    for (const match of text.match(/\\b(the )?seed('s|’s)?\\b/gi) ?? []) problems.push(\`jargon on screen: "\${match}"\`);
    // Each panel inside its column, none over another.
    const panels = all.filter((el) => el.classList.contains('panel'));
    for (let i = 0; i < panels.length; i++) {
      const a = panels[i].getBoundingClientRect();
      for (let j = i + 1; j < panels.length; j++) {
        if (panels[i].contains(panels[j]) || panels[j].contains(panels[i])) continue;
        const b = panels[j].getBoundingClientRect();
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) problems.push(\`panels overlap: \${name(panels[i])} and \${name(panels[j])}\`);
      }
    }
    return problems;
  }`;

async function stop(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const { width, height } = page.viewportSize()!;
  const file = `${name}-${width}x${height}.png`;
  const path = testInfo.outputPath(file);
  await page.screenshot({ path, animations: 'disabled' });
  await testInfo.attach(file, { path, contentType: 'image/png' });
  if (DOCS) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, file));
  }
  expect(await layoutProblems(page), `${name} at ${width}×${height}`).toEqual([]);
}

async function setNumber(page: Page, name: string, value: number): Promise<void> {
  const box = page.getByRole('spinbutton', { name });
  await box.fill(String(value));
  await box.press('Enter');
  await expect(box).toHaveAttribute('aria-valuenow', String(value));
}

async function setPoolSize(page: Page, size: number): Promise<void> {
  const slider = page.getByRole('slider', { name: /pool size/i });
  await slider.focus();
  await slider.press('Home');
  for (let i = 1; i < size; i++) await slider.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', String(size));
}

const SIZES = [
  [1280, 800],
  [1920, 1080],
] as const;

test.describe.configure({ timeout: 240_000 });

// The walk sizes the pool to 8 and a scenario closes it: give the next test the usual pool back.
test.afterEach(({ browserHost }) => {
  browserHost.pool.configure(availableParallelism(), 'process');
});

for (const [width, height] of SIZES) {
  test(`every view fits ${width}×${height}`, async ({ page, hostUrl }, testInfo) => {
    await page.setViewportSize({ width, height });
    await page.goto(hostUrl);
    await expect(page.getByTestId('host-info')).toBeVisible();
    await stop(page, testInfo, 'live-empty');

    // Live: pool 8 on the machine's cores, 40 CPU-bound tasks of 50 ms — caught while workers wait for a core.
    await setPoolSize(page, 8);
    await expect(page.locator('[data-testid="worker"]:not([data-state="exited"])')).toHaveCount(8, {
      timeout: 30_000,
    });
    await page.getByLabel('Workload', { exact: true }).selectOption('cpu');
    await setNumber(page, 'Task count value', 40);
    await setNumber(page, 'Task cost value', 50);
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
        await stop(page, testInfo, 'live-pool8');
        caught = true;
      }
    }
    expect(caught, 'the run was caught while workers waited for a core').toBe(true);
    await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
    await stop(page, testInfo, 'live-pool8-done');

    // Export that run, to replay it at the end.
    await page.getByRole('button', { name: 'Export / Import' }).click();
    const downloading = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: /^Trace \(Chrome JSON\)/ }).click();
    const tracePath = testInfo.outputPath('pool8.trace.json');
    await (await downloading).saveAs(tracePath);

    await page.getByRole('tab', { name: 'Scenarios' }).click();
    await stop(page, testInfo, 'scenarios-empty');
    await page.getByRole('button', { name: /^Q1\b/ }).click();
    await page.getByRole('button', { name: /^Run( again)?$/ }).click();
    await expect(page.getByTestId('scenario-status')).toHaveText('done', { timeout: 30_000 });
    await stop(page, testInfo, 'scenarios-q1');

    await page.getByRole('tab', { name: 'Compare' }).click();
    await stop(page, testInfo, 'compare-empty');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page.getByTestId('compare-reading')).toBeVisible({ timeout: 90_000 });
    await stop(page, testInfo, 'compare');

    await page.getByRole('tab', { name: 'Sweep' }).click();
    await stop(page, testInfo, 'sweep-empty');
    await page.getByRole('button', { name: 'Sweep', exact: true }).click();
    await expect(page.getByTestId('sweep-row')).toHaveCount(4, { timeout: 90_000 });
    await expect(page.getByTestId('job-progress')).toBeHidden({ timeout: 30_000 });
    await stop(page, testInfo, 'sweep');

    await page.getByRole('tab', { name: /History/ }).click();
    await stop(page, testInfo, 'history-empty-pick');
    const items = page.getByTestId('history-item');
    // The live pool-8 run and the sweep's run on 2 workers.
    await items.filter({ hasText: 'cpu × 40' }).filter({ hasText: 'live' }).first().getByRole('checkbox').check();
    await items.filter({ hasText: '2 workers' }).filter({ hasText: 'sweep' }).first().getByRole('checkbox').check();
    await stop(page, testInfo, 'history');

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
    await stop(page, testInfo, 'replay');

    if (DOCS && width === 1280)
      copyFileSync(join(DOCS, `live-pool8-${width}x${height}.png`), join(DOCS, 'screenshot.png'));
  });
}
