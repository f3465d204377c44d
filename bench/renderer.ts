/**
 * The renderer benchmark (DESIGN §7): frame times in Chromium while the real
 * pump, TaskStore, painters and draw loop ingest 10k task events per second,
 * and while the timeline is zoomed and panned over 10^6 stored tasks.
 *
 * Frames are synthetic (renderer/src/bench/page.ts): this measures the renderer, not
 * the pool. `npx tsx bench/renderer.ts` prints the figures; `npm run bench`
 * includes them through benchRenderer().
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import type { BenchGlobal, PhaseResult } from '../renderer/src/bench/types';

export interface RendererFigure {
  name: string;
  value: number;
  unit: string;
  /** A number is a ceiling for the value; null marks a figure printed for information. */
  target: number | null;
}

const INGEST_PER_SECOND = 10_000;
const STORED_TASKS = 1_000_000;
const PHASE_MS = 5000;

const page = fileURLToPath(new URL('../renderer/src/bench/page.ts', import.meta.url));

/** Bundles the page the way the app is bundled (production build, minified). */
async function bundle(outDir: string): Promise<void> {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      lib: { entry: page, formats: ['es'], fileName: 'page' },
      minify: true,
    },
  });
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

function serve(dir: string): Promise<Server> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"></head>
<body style="margin:0"><script type="module" src="/page.js"></script></body></html>`;
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname).replace(/^[/\\]+/, '');
    try {
      const body = path === '' ? html : readFileSync(join(dir, path));
      res.writeHead(200, { 'Content-Type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** Runs both phases in headless Chromium; returns the figures. */
export async function benchRenderer(): Promise<RendererFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-renderer-bench-'));
  let server: Server | undefined;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    await bundle(dir);
    server = await serve(dir);
    const tab = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    tab.on('pageerror', (error) => process.stderr.write(`renderer bench page: ${error.message}\n`));
    await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await tab.waitForFunction(() => 'rendererBench' in globalThis);
    const ingest: PhaseResult = await tab.evaluate(
      ([rate, ms]) => (globalThis as unknown as BenchGlobal).rendererBench.ingest(rate, ms),
      [INGEST_PER_SECOND, PHASE_MS] as const,
    );
    const pan: PhaseResult = await tab.evaluate(
      ([tasks, ms]) => (globalThis as unknown as BenchGlobal).rendererBench.panZoom(tasks, ms),
      [STORED_TASKS, PHASE_MS] as const,
    );
    return [
      { name: 'ingesting 10k events/s: frame work p50', value: percentile(ingest.work, 50), unit: 'ms', target: null },
      { name: 'ingesting 10k events/s: frame work p95', value: percentile(ingest.work, 95), unit: 'ms', target: 16.7 },
      {
        name: 'ingesting 10k events/s: frame interval p95',
        value: percentile(ingest.intervals, 95),
        unit: 'ms',
        target: null,
      },
      { name: 'ingesting: tasks stored per second', value: ingest.tasks, unit: 'tasks/s', target: null },
      { name: 'pan/zoom over 10^6 tasks: frame work p50', value: percentile(pan.work, 50), unit: 'ms', target: null },
      { name: 'pan/zoom over 10^6 tasks: frame work p95', value: percentile(pan.work, 95), unit: 'ms', target: 33 },
      {
        name: 'pan/zoom over 10^6 tasks: frame interval p95',
        value: percentile(pan.intervals, 95),
        unit: 'ms',
        target: null,
      },
      { name: '10^6 tasks: ingest of all frames', value: pan.setup.load, unit: 'ms', target: null },
      { name: '10^6 tasks: timeline index build', value: pan.setup.index, unit: 'ms', target: null },
    ];
  } finally {
    await browser.close();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await benchRenderer();
  process.stdout.write(
    'Renderer benchmark in headless Chromium (software canvas). Frames are synthetic: this measures the renderer\n' +
      '(pump, TaskStore, painters, draw loop), not the pool. "Frame work" is main-thread time per displayed frame:\n' +
      'ingesting the frames that arrived since the last one plus drawing; "frame interval" is the rAF spacing.\n\n',
  );
  for (const f of figures) {
    const value = f.unit === 'ms' ? f.value.toFixed(2) : Math.round(f.value).toLocaleString('en-US');
    const target =
      f.target === null ? '' : `   target ≤ ${f.target} ${f.unit}  ${f.value <= f.target ? 'met' : 'MISSED'}`;
    process.stdout.write(`${f.name.padEnd(48)} ${value.padStart(10)} ${f.unit}${target}\n`);
  }
}
