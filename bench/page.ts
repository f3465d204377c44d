/**
 * The page as a user sees it: the browser host serving the real UI to Chromium,
 * frames over the WebSocket into the page's pump, store and canvases, and a
 * requestAnimationFrame probe in the page. For each run: how long after the
 * engine finished the page showed it completed, the p95 and longest frame while
 * it ran, and for a Python run the time from a task ending in Python to the
 * page's next drawn frame. Both sides stamp Date.now(): one machine, one clock.
 */
import { chromium } from 'playwright-core';
import { now } from '../electron/engine/clock';
import { ensureBuilt } from '../electron/host/build';
import { startBrowserHost, type BrowserHost } from '../electron/host/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { COLUMN_ARRAYS, FRAME_COLUMNS } from '../shared/events';
import { makeRunSpec, type RunSpec } from '../shared/run-spec';
import { BarePage, waitUntil } from './bare-page';
import type { BenchRow } from './report';
import { median, sleep } from './stats';

export interface PageBenchOptions {
  quick: boolean;
  python: boolean;
  log: (line: string) => void;
}

const ARGS = [
  ...CHROMIUM_ARGS,
  // What Playwright passes, so a page that is not focused is not slowed either.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

/**
 * In the page before its own scripts: frame times from requestAnimationFrame,
 * the wall time the status pill first says "completed", and for each binary
 * frame the largest task end it carries (host clock) with the wall time of the
 * next painted frame after it arrived.
 */
function probe(): string {
  // The frame codec's layout, from the one table: 8-byte aligned columns in FRAME_COLUMNS order.
  const layout = Object.entries(FRAME_COLUMNS).map(([group, columns]) => [
    group,
    Object.entries(columns).map(([name, kind]) => [name, COLUMN_ARRAYS[kind].BYTES_PER_ELEMENT]),
  ]);
  return `const LAYOUT = ${JSON.stringify(layout)};` + PROBE;
}

const PROBE = `
window.__probe = { frames: [], completedAt: null, drawn: [], sawRunning: false, watchDrawn: false };
let last = performance.now();
const tick = (t) => { window.__probe.frames.push(t - last); last = t; requestAnimationFrame(tick); };
requestAnimationFrame(tick);
new MutationObserver(() => {
  const pill = document.querySelector('[data-testid="run-status"]');
  // Completed counts only after this run was seen running: the pill still shows the last run's end at first.
  if (pill && pill.textContent === 'running') window.__probe.sawRunning = true;
  if (pill && pill.textContent === 'completed' && window.__probe.sawRunning && window.__probe.completedAt === null)
    window.__probe.completedAt = Date.now();
}).observe(document, { subtree: true, childList: true, characterData: true });
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      // Only while a Python run is timed: a pass over every frame is work the page itself does not do.
      if (!window.__probe.watchDrawn || !(event.data instanceof ArrayBuffer)) return;
      const view = new DataView(event.data);
      const headerLength = view.getUint32(4, true);
      const header = JSON.parse(new TextDecoder().decode(new Uint8Array(event.data, 8, headerLength)));
      const rows = header.rows.settled;
      if (!rows) return;
      const align = (n) => (n + 7) & ~7;
      let offset = align(8 + headerLength);
      let latest = -Infinity;
      for (const [group, columns] of LAYOUT) {
        for (const [name, size] of columns) {
          if (group === 'settled' && name === 'end') {
            for (const t of new Float64Array(event.data, offset, rows)) if (t > latest) latest = t;
          }
          offset += align(header.rows[group] * size);
        }
      }
      requestAnimationFrame(() => window.__probe.drawn.push([latest, Date.now()]));
    });
  }
};`;

interface Probe {
  frames: number[];
  completedAt: number | null;
  sawRunning: boolean;
  drawn: [number, number][];
}

/**
 * One 60 Hz frame as requestAnimationFrame reports it: its timestamps jitter by
 * a tenth of a millisecond, so a page that misses no frame reads 16.6–16.8 ms
 * (the blank page's rows show it). A dropped frame reads 33 ms.
 */
const ONE_FRAME_MS = 1000 / 60 + 0.5;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

const STATUS = `document.querySelector('[data-testid="run-status"]')`;

/** What the bench needs of a page, however it is driven. */
interface ProbedPage {
  evaluate<T>(expression: string): Promise<T>;
  waitFor(expression: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The two ways of driving the page. Playwright (what the e2e suite uses) turns on
 * DevTools' Network domain, which makes Chromium copy every WebSocket message to
 * DevTools as base64 on the page's main thread; the bare driver sends no
 * Network commands, as a user's browser has it.
 */
const DRIVERS = {
  playwright: async (url: string): Promise<ProbedPage> => {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(probe());
    await page.goto(url);
    return {
      evaluate: (expression) => page.evaluate(expression),
      waitFor: (expression, timeoutMs) => waitUntil((e) => page.evaluate(e), expression, timeoutMs),
      close: () => browser.close(),
    };
  },
  'bare DevTools': async (url: string): Promise<ProbedPage> => {
    const page = await BarePage.open({
      executablePath: CHROMIUM_PATH,
      args: ARGS,
      width: 1280,
      height: 800,
      initScript: probe(),
    });
    await page.goto(url);
    return page;
  },
};

/** Opens the app, lets it settle, and returns its page. */
async function openPage(host: BrowserHost, driver: keyof typeof DRIVERS): Promise<ProbedPage> {
  const page = await DRIVERS[driver](host.url);
  await page.waitFor(STATUS, 30_000);
  await sleep(500);
  return page;
}

const reset = (page: ProbedPage) =>
  page.evaluate(
    `(() => { const p = window.__probe; p.frames.length = 0; p.completedAt = null; p.sawRunning = false; p.drawn.length = 0; return true; })()`,
  );

const probeOf = (page: ProbedPage) => page.evaluate<Probe>('window.__probe');

const waitForCompleted = (page: ProbedPage) => page.waitFor('window.__probe.completedAt !== null', 60_000);

interface Measured {
  lagMs: number;
  p95: number;
  longest: number;
  frames: number;
}

/**
 * Types the run's task count into the page's controls, as a user starting it from
 * the page would have: the page readies the next run's store for what they say.
 */
async function setTaskCount(page: ProbedPage, tasks: number): Promise<void> {
  const box = `document.querySelector('input[aria-label="Task count value"]')`;
  // Typing and Enter in separate tasks, as a user's keys arrive: React renders the typed text in between.
  const typed = await page.evaluate<boolean>(`(() => {
    const box = ${box};
    if (!box) return false;
    box.focus();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(box, '${tasks}');
    box.dispatchEvent(new Event('input', { bubbles: true }));
    return true;
  })()`);
  if (!typed) throw new Error('the page has no task count box');
  await page.evaluate(`${box}.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))`);
  await page.waitFor(`${box}.getAttribute('aria-valuenow') === '${tasks}'`, 5_000);
  await page.evaluate(`${box}.blur()`);
}

/** One engine run started by the host, as the page shows it. */
async function engineRun(host: BrowserHost, page: ProbedPage, spec: RunSpec): Promise<Measured> {
  host.pool.configure(spec.poolSize, spec.backend);
  await host.pool.ready();
  await sleep(300);
  await reset(page);
  const result = await host.pool.start(spec).finished;
  const finishedWall = Date.now();
  if (result.counts.done !== spec.tasks)
    throw new Error(`run ended ${result.status} with ${JSON.stringify(result.counts)}`);
  try {
    await waitForCompleted(page);
  } catch (error) {
    const pill = await page.evaluate<string | null>(`${STATUS}?.textContent ?? null`);
    const { sawRunning } = await probeOf(page);
    throw new Error(
      `the page did not show the run completed within 60 s (its status reads "${pill}"; seen running: ${sawRunning})`,
      { cause: error },
    );
  }
  const probe = await probeOf(page);
  // Frame times while the run streamed, not the idle ones after.
  const frames = probe.frames.slice(1);
  return {
    lagMs: Math.max(0, (probe.completedAt ?? finishedWall) - finishedWall),
    p95: percentile(frames, 95),
    longest: Math.max(...frames),
    frames: frames.length,
  };
}

const RUNS: [string, RunSpec][] = [
  [
    '200,000 square tasks, chunksize 1',
    makeRunSpec({ workload: 'square', tasks: 200_000, chunksize: 1, poolSize: 2 }, 2),
  ],
  ['1,000,000 square tasks, auto chunks', makeRunSpec({ workload: 'square', tasks: 1_000_000, poolSize: 2 }, 2)],
  [
    '400 × 5 ms cpu on 8 workers',
    makeRunSpec({ workload: 'cpu', tasks: 400, costMs: 5, chunksize: 1, poolSize: 8 }, 2),
  ],
];

export async function benchPage(options: PageBenchOptions): Promise<BenchRow[]> {
  ensureBuilt('app', (line) => void options.log(line));
  const host = await startBrowserHost({ poolSize: 2 });
  const rows: BenchRow[] = [];
  const repeats = options.quick ? 2 : 3;
  try {
    for (const driver of Object.keys(DRIVERS) as (keyof typeof DRIVERS)[]) {
      const page = await openPage(host, driver);
      try {
        for (const [name, spec] of RUNS) {
          options.log(`page (${driver}): ${name} × ${repeats}…`);
          await setTaskCount(page, spec.tasks);
          const measured: Measured[] = [];
          for (let r = 0; r < repeats; r++) measured.push(await engineRun(host, page, spec));
          rows.push(...pageRows(`${name}, ${driver}`, measured));
        }
        if (options.python && driver === 'bare DevTools')
          rows.push(...(await pythonToScreen(host, page, repeats, options)));
      } finally {
        await page.close();
      }
    }
    rows.push(...(await blankPageFloor(host, repeats, options)));
  } finally {
    await host.close();
  }
  return rows;
}

function pageRows(name: string, measured: Measured[]): BenchRow[] {
  return [
    {
      bench: 'page',
      figure: `${name}: engine finished → page shows completed`,
      unit: 'ms',
      samples: measured.map((m) => m.lagMs),
      target: { op: '<=', value: 500 },
    },
    {
      bench: 'page',
      figure: `${name}: p95 frame`,
      unit: 'ms',
      samples: measured.map((m) => m.p95),
      target: { op: '<=', value: ONE_FRAME_MS },
      targetText: '≤ 1 frame (16.7 ms)',
    },
    {
      bench: 'page',
      figure: `${name}: longest frame`,
      unit: 'ms',
      samples: measured.map((m) => m.longest),
      target: { op: '<=', value: 100 },
      note: `${median(measured.map((m) => m.frames)).toFixed(0)} frames per run`,
    },
  ];
}

/**
 * A real Python program's tasks, from ending in Python to drawn in the page:
 * the probe pairs each frame's latest task end (host clock) with the wall time
 * of the next painted frame; the host clock's offset to the wall clock is
 * measured here, in the same process as the host.
 */
async function pythonToScreen(
  host: BrowserHost,
  page: ProbedPage,
  repeats: number,
  options: PageBenchOptions,
): Promise<BenchRow[]> {
  const code = [
    'import time',
    'from multiprocessing import Pool',
    'def work(n):',
    '    time.sleep(0.005)',
    '    return n',
    "if __name__ == '__main__':",
    '    with Pool(2) as pool:',
    '        pool.map(work, range(400), chunksize=1)',
  ].join('\n');
  const lags: number[] = [];
  await page.evaluate('window.__probe.watchDrawn = true');
  try {
    for (let r = 0; r < repeats; r++) {
      options.log(`page: a Python program's tasks, ending in Python → drawn (${r + 1}/${repeats})…`);
      await reset(page);
      const offset = Date.now() - now();
      await host.hub.runPython({ program: { kind: 'code', code }, args: [] });
      await waitForCompleted(page);
      const probe = await probeOf(page);
      for (const [end, drawnAt] of probe.drawn) if (Number.isFinite(end)) lags.push(drawnAt - (end + offset));
    }
  } finally {
    await page.evaluate('window.__probe.watchDrawn = false');
  }
  return [
    {
      bench: 'page',
      figure: 'Python task ends → drawn in the page (median over tasks)',
      unit: 'ms',
      samples: lags,
      note: `p95 ${percentile(lags, 95).toFixed(0)} ms over ${lags.length} frames; the tracer flushes every 20 ms, the engine frames every 16 ms`,
    },
  ];
}

/**
 * The floor: a blank page that does nothing but count its frames, in the same
 * Chromium, while the host runs the same workloads with nobody watching. What
 * frame times it gets is what the machine leaves any page while the pool keeps
 * its cores busy; the app's rows above are read against it.
 */
async function blankPageFloor(host: BrowserHost, repeats: number, options: PageBenchOptions): Promise<BenchRow[]> {
  const page = await BarePage.open({
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    width: 1280,
    height: 800,
    initScript: '',
  });
  const rows: BenchRow[] = [];
  try {
    await page.goto('about:blank');
    await page.waitFor('document.readyState === "complete"', 10_000);
    for (const [name, spec] of RUNS) {
      options.log(`page (blank page, the floor): ${name} × ${repeats}…`);
      const p95: number[] = [];
      const longest: number[] = [];
      for (let r = 0; r < repeats; r++) {
        host.pool.configure(spec.poolSize, spec.backend);
        await host.pool.ready();
        await sleep(300);
        // Counting starts with the run and stops at its end (the app's rows count on to "completed").
        await page.evaluate(
          `(() => { const f = window.__floor = { frames: [], on: true }; let last = performance.now();
            const tick = (t) => { if (!f.on) return; f.frames.push(t - last); last = t; requestAnimationFrame(tick); };
            requestAnimationFrame(tick); return true; })()`,
        );
        const result = await host.pool.start(spec).finished;
        const frames = (
          await page.evaluate<number[]>('(() => { window.__floor.on = false; return window.__floor.frames; })()')
        ).slice(1);
        if (result.counts.done !== spec.tasks) throw new Error(`run ended ${result.status}`);
        p95.push(percentile(frames, 95));
        longest.push(Math.max(...frames));
      }
      rows.push(
        { bench: 'page', figure: `${name}, blank page (the floor): p95 frame`, unit: 'ms', samples: p95 },
        { bench: 'page', figure: `${name}, blank page (the floor): longest frame`, unit: 'ms', samples: longest },
      );
    }
  } finally {
    await page.close();
  }
  return rows;
}
