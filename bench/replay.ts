/**
 * A million-task trace, replayed as users replay one: the CLI exports a real
 * 10⁶-task run (`run --trace`), the page imports the file through its File
 * menu (read and parsed in its worker, the task columns moved to the page),
 * and the replay's scrubber is sent to the end with the End key. Timed in the
 * page: the seek itself (one synchronous task on the page's thread: the
 * frame of every task, into the replay's TaskStore) and until the page shows
 * the run completed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { ensureBuilt, projectRoot } from '../electron/host/build';
import { startBrowserHost } from '../electron/host/server';
import { CLI_ARGS } from './cli';
import type { BenchRow } from './report';
import { formatValue, median } from './stats';

const TASKS = 1_000_000;

/** Runs in the page: End on the scrubber, then the time until the run reads completed. */
const SEEK_TO_END = `(async () => {
  const thumb = document.querySelector('[aria-label="Replay position"]');
  const status = () => document.querySelector('[data-testid="run-status"]')?.textContent;
  thumb.focus();
  const t0 = performance.now();
  thumb.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
  const seekMs = performance.now() - t0;
  await new Promise((shown) => {
    const check = () => (status() === 'completed' ? shown() : requestAnimationFrame(check));
    check();
  });
  return { seekMs, shownMs: performance.now() - t0 };
})()`;

export async function benchReplay(options: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  ensureBuilt('app', options.log);
  const folder = mkdtempSync(join(tmpdir(), 'poolscope-replay-'));
  const file = join(folder, 'million.trace.json');
  options.log(`replay: exporting a ${TASKS.toLocaleString('en')}-task run with the CLI…`);
  const exported = spawnSync(
    process.execPath,
    [...CLI_ARGS, 'run', '--workload', 'square', '--tasks', String(TASKS), '--results', 'none', '--trace', file],
    { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (exported.status !== 0) throw new Error(`the CLI's export failed: ${exported.stderr.slice(-400)}`);
  const megabytes = statSync(file).size / 1e6;

  const host = await startBrowserHost({ poolSize: 2 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const imports: number[] = [];
  const seeks: number[] = [];
  const shown: number[] = [];
  try {
    const repeats = options.quick ? 1 : 3;
    for (let r = 0; r < repeats; r++) {
      options.log(`replay: import ${megabytes.toFixed(0)} MB and seek to the end (${r + 1} of ${repeats})…`);
      // A fresh page each time: what one import leaves behind must not be timed in the next.
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(host.url);
      await page.getByTestId('run-status').waitFor();
      await page.getByRole('button', { name: 'Export / Import' }).click();
      const choosing = page.waitForEvent('filechooser');
      await page.getByRole('menuitem', { name: /^Import trace/ }).click();
      const t0 = Date.now();
      await (await choosing).setFiles(file);
      await page.getByTestId('replay-banner').waitFor({ timeout: 120_000 });
      imports.push(Date.now() - t0);
      const seek = await page.evaluate<{ seekMs: number; shownMs: number }>(SEEK_TO_END);
      const done = await page.getByTestId('stat-done').textContent();
      if (Number(done?.replace(/\D/g, '')) !== TASKS) throw new Error(`after the seek the page shows ${done} done`);
      seeks.push(seek.seekMs);
      shown.push(seek.shownMs);
      await page.close();
    }
  } finally {
    await browser.close();
    await host.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const name = `${TASKS.toLocaleString('en')}-task trace (${megabytes.toFixed(0)} MB, the CLI's export)`;
  return [
    {
      bench: 'replay',
      figure: `page: import a ${name} → replay shown`,
      unit: 'ms',
      samples: imports,
      note: 'read and parsed in the page’s import worker; the task columns are moved to the page, not copied',
    },
    {
      bench: 'replay',
      figure: `page: seek to the end of it → shown completed`,
      unit: 'ms',
      samples: shown,
      target: { op: '<=', value: 1000 },
      note: `of which the seek itself (a frame of every task, into the replay's store): ${formatValue(median(seeks), 'ms')}`,
    },
  ];
}
