/**
 * The pool view: the queue on the left, one card per worker process in the
 * middle (its current task and prefetched inbox), the machine's cores beneath,
 * and results filling in on the right — in input order, or in completion order
 * for imap_unordered. Tasks fly between them (see flights.ts).
 */
import { pyRepr } from '../../../shared/format';
import { TaskState, type Lane, type TaskStore } from '../../../shared/task-store';
import { FLIGHT_MS, MAX_DRAWN_FLIGHTS, type Flight, type FlightTracker } from './flights';
import { workerColor, type Theme } from './theme';

export interface PoolScene {
  store: TaskStore;
  model: PoolModel;
  flights: FlightTracker;
  theme: Theme;
  width: number;
  height: number;
  /** Local animation clock (performance.now). */
  time: number;
  /** The host's clock (which keeps going after a run ends, so exits can fade). */
  now: number;
  cores: number;
  coreSampling: boolean;
}

/** How long an exited worker's card lingers, fading, so exits are seen. */
const EXIT_FADE_MS = 900;
const PAD = 16;
/** Up to this many flights in the air carry their task id. */
const LABELLED_FLIGHTS = 8;
const TITLE_Y = 20;

/**
 * Incremental state the pool view needs beyond the store: per-bucket result
 * counts (when there are more results than cells) and a cursor to the queue's head.
 */
export class PoolModel {
  private runId: number | null = null;
  private processed = 0;
  private queueCursor = 0;
  private lastQueued = 0;
  bucketSize = 1;
  done = new Uint32Array(0);
  failed = new Uint32Array(0);

  update(store: TaskStore, cells: number): void {
    const run = store.run;
    const runId = run?.runId ?? null;
    const bucketSize = run ? Math.max(1, Math.ceil(store.size / Math.max(1, cells))) : 1;
    if (runId !== this.runId || bucketSize !== this.bucketSize || store.orderLength < this.processed) {
      this.runId = runId;
      this.bucketSize = bucketSize;
      this.processed = 0;
      this.queueCursor = 0;
      const buckets = run ? Math.ceil(store.size / bucketSize) : 0;
      this.done = new Uint32Array(buckets);
      this.failed = new Uint32Array(buckets);
    }
    if (!run) return;
    const byCompletion = run.run.spec?.mode === 'imap_unordered';
    for (let k = this.processed; k < store.orderLength; k++) {
      const task = store.order[k];
      const b = Math.floor((byCompletion ? k : task) / bucketSize);
      if (store.state[task] === TaskState.failed) this.failed[b]++;
      else this.done[b]++;
    }
    this.processed = store.orderLength;
  }

  /** The next `max` queued task ids, in the order the engine will hand them out (roughly). */
  nextQueued(store: TaskStore, max: number): number[] {
    const queued = store.counts?.queued ?? 0;
    // A worker that died puts its tasks back, behind the cursor: look from the start again.
    if (queued > this.lastQueued) this.queueCursor = 0;
    this.lastQueued = queued;
    const ids: number[] = [];
    if (queued === 0) return ids;
    while (this.queueCursor < store.size && store.state[this.queueCursor] !== TaskState.queued) this.queueCursor++;
    for (let i = this.queueCursor; i < store.size && ids.length < max; i++)
      if (store.state[i] === TaskState.queued) ids.push(i);
    return ids;
  }
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface WorkerCard extends Rect {
  lane: Lane;
  alpha: number;
  /** Where the current task sits, and where the inbox ends (flight targets). */
  current: Rect;
  inboxEnd: { x: number; y: number };
}

interface Layout {
  queue: Rect;
  stackTop: { x: number; y: number };
  workers: Rect;
  cores: Rect | null;
  results: Rect;
  cards: Map<number, WorkerCard>;
  grid: ResultsGrid;
}

interface ResultsGrid extends Rect {
  cols: number;
  rows: number;
  side: number;
  cells: number;
  /** Tasks per cell (1 unless the run has more tasks than cells). */
  per: number;
}

export function drawPool(ctx: CanvasRenderingContext2D, scene: PoolScene): boolean {
  const { width, height, theme } = scene;
  ctx.clearRect(0, 0, width, height);
  const layout = poolLayout(scene);
  scene.model.update(scene.store, layout.grid.cells);
  ctx.textBaseline = 'middle';
  drawQueue(ctx, scene, layout);
  let fading = false;
  for (const card of layout.cards.values()) {
    drawCard(ctx, scene, card);
    if (card.alpha < 1) fading = true;
  }
  if (layout.cards.size === 0) {
    ctx.fillStyle = theme.text3;
    ctx.font = `12px ${theme.font}`;
    ctx.textAlign = 'center';
    ctx.fillText('Starting worker processes…', layout.workers.x + layout.workers.w / 2, layout.workers.y + 40);
  }
  if (layout.cores) drawCores(ctx, scene, layout.cores);
  drawResults(ctx, scene, layout);
  const moving = scene.flights.prune(scene.time);
  drawTraffic(ctx, scene, layout);
  return moving || fading;
}

function poolLayout(scene: PoolScene): Layout {
  const { width, height, store } = scene;
  const qw = clamp(width * 0.13, 104, 150);
  const rw = clamp(width * 0.27, 170, 320);
  const queue = { x: PAD, y: TITLE_Y + 14, w: qw, h: height - TITLE_Y - 14 - PAD };
  const results = { x: width - PAD - rw, y: TITLE_Y + 30, w: rw, h: height - TITLE_Y - 30 - PAD };
  const mx = queue.x + qw + 36;
  const mw = Math.max(80, results.x - 36 - mx);
  const coresH = scene.cores > 0 ? clamp(height * 0.16, 44, 64) : 0;
  const cores = coresH ? { x: mx, y: height - PAD - coresH, w: mw, h: coresH } : null;
  const workers = { x: mx, y: TITLE_Y + 14, w: mw, h: height - TITLE_Y - 14 - PAD - (coresH ? coresH + 18 : 0) };

  const lanes = store.laneList().filter((lane) => lane.exitedAt === null || scene.now - lane.exitedAt < EXIT_FADE_MS);
  const n = lanes.length;
  let cols = 1;
  let rowH = n ? workers.h / n : 0;
  if (rowH < 22 && n > 1) {
    cols = workers.w > 520 ? 3 : 2;
    rowH = workers.h / Math.ceil(n / cols);
  }
  rowH = Math.min(rowH, 54);
  const gap = rowH > 20 ? 8 : 2;
  const colW = (workers.w - (cols - 1) * 10) / cols;
  const perCol = Math.ceil(n / cols);
  // A few workers sit in the middle of their area rather than hanging from the top.
  const offset = Math.max(0, (workers.h - perCol * rowH) / 2);
  const cards = new Map<number, WorkerCard>();
  lanes.forEach((lane, i) => {
    const col = Math.floor(i / perCol);
    const row = i % perCol;
    const x = workers.x + col * (colW + 10);
    const y = workers.y + offset + row * rowH;
    const h = rowH - gap;
    const labelW = colW > 300 ? 104 : 64;
    const boxH = Math.min(26, h - 6);
    const current = { x: x + labelW, y: y + (h - boxH) / 2, w: Math.min(64, Math.max(34, colW * 0.16)), h: boxH };
    const alpha = lane.exitedAt === null ? 1 : Math.max(0, 1 - (scene.now - lane.exitedAt) / EXIT_FADE_MS);
    cards.set(lane.worker, {
      lane,
      x,
      y,
      w: colW,
      h,
      alpha,
      current,
      inboxEnd: { x: current.x + current.w + 16, y: y + h / 2 },
    });
  });

  return {
    queue,
    stackTop: { x: queue.x + qw / 2, y: queue.y + 74 },
    workers,
    cores,
    results,
    cards,
    grid: resultsGrid(store, results),
  };
}

function resultsGrid(store: TaskStore, area: Rect): ResultsGrid {
  const n = store.run ? store.size : 0;
  const top = area.y + 6;
  const h = Math.max(0, area.h - 28);
  if (n === 0) return { x: area.x, y: top, w: area.w, h, cols: 0, rows: 0, side: 0, cells: 0, per: 1 };
  // The largest square cell that fits n of them; below 5 px, cells stand for several tasks.
  let side = Math.floor(Math.sqrt((area.w * h) / n));
  while (side > 5 && Math.floor(area.w / side) * Math.floor(h / side) < n) side--;
  side = Math.min(side, 44);
  let cells = n;
  if (side < 5) {
    side = 5;
    cells = Math.floor(area.w / side) * Math.floor(h / side);
  }
  const cols = Math.max(1, Math.floor(area.w / side));
  const per = Math.ceil(n / cells);
  cells = Math.ceil(n / per);
  return { x: area.x, y: top, w: area.w, h, cols, rows: Math.ceil(cells / cols), side, cells, per };
}

function cellRect(grid: ResultsGrid, cell: number): Rect {
  const col = cell % grid.cols;
  const row = Math.floor(cell / grid.cols);
  return { x: grid.x + col * grid.side, y: grid.y + row * grid.side, w: grid.side, h: grid.side };
}

function title(
  ctx: CanvasRenderingContext2D,
  theme: Theme,
  text: string,
  x: number,
  y: number,
  align: CanvasTextAlign = 'left',
): void {
  ctx.font = `600 10.5px ${theme.font}`;
  ctx.fillStyle = theme.text3;
  ctx.textAlign = align;
  ctx.fillText(text.toUpperCase().split('').join(String.fromCharCode(8202)), x, y);
}

function drawQueue(ctx: CanvasRenderingContext2D, scene: PoolScene, layout: Layout): void {
  const { theme, store } = scene;
  const { queue } = layout;
  title(ctx, theme, 'Queue', queue.x, TITLE_Y);
  const queued = store.counts?.queued ?? 0;
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.text;
  ctx.font = `600 26px ${theme.font}`;
  ctx.fillText(queued.toLocaleString('en-US'), queue.x, queue.y + 22);
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text2;
  const paused = store.run?.paused && store.run.finishedAt === null;
  ctx.fillText(paused ? 'submission paused' : queued === 1 ? 'task waiting' : 'tasks waiting', queue.x, queue.y + 46);

  const boxH = 24;
  const maxBoxes = Math.max(0, Math.min(12, Math.floor((queue.h - 80) / (boxH + 4))));
  const next = scene.model.nextQueued(store, maxBoxes);
  let y = queue.y + 64;
  ctx.font = `11px ${theme.mono}`;
  ctx.textAlign = 'center';
  for (let i = 0; i < next.length; i++) {
    ctx.globalAlpha = Math.max(0.25, 1 - i / (maxBoxes + 2));
    roundRect(ctx, queue.x, y, queue.w, boxH, 5);
    ctx.fillStyle = theme.surface2;
    ctx.fill();
    ctx.strokeStyle = theme.border;
    ctx.stroke();
    ctx.fillStyle = theme.text2;
    ctx.fillText(`#${next[i]}`, queue.x + queue.w / 2, y + boxH / 2 + 0.5);
    y += boxH + 4;
  }
  ctx.globalAlpha = 1;
  if (queued > next.length && next.length > 0) {
    ctx.fillStyle = theme.text3;
    ctx.fillText(`+ ${(queued - next.length).toLocaleString('en-US')} more`, queue.x + queue.w / 2, y + 8);
  }
}

function drawCard(ctx: CanvasRenderingContext2D, scene: PoolScene, card: WorkerCard): void {
  const { theme } = scene;
  const { lane, x, y, w, h, current } = card;
  ctx.globalAlpha = card.alpha;
  roundRect(ctx, x, y, w, h, 7);
  ctx.fillStyle = theme.surface2;
  ctx.fill();
  ctx.fillStyle = workerColor(theme, lane.number);
  roundRect(ctx, x, y, 3.5, h, 2);
  ctx.fill();

  const state =
    lane.exitedAt !== null ? 'exited' : lane.readyAt === null ? 'starting' : lane.held > 0 ? 'busy' : 'idle';
  const cy = y + h / 2;
  ctx.textAlign = 'left';
  const twoLines = h >= 34 && current.x - x > 80;
  ctx.fillStyle = theme.text;
  ctx.font = `600 12px ${theme.font}`;
  ctx.fillText(`W${lane.number}`, x + 12, twoLines ? cy - 7 : cy);
  if (twoLines) {
    ctx.font = `10.5px ${theme.mono}`;
    ctx.fillStyle = theme.text3;
    ctx.fillText(lane.pid != null ? `pid ${lane.pid}` : 'pid …', x + 12, cy + 8);
  }

  // Current task: filled while working, dashed when idle, hatched while the process starts.
  const task = lane.exitedAt === null ? currentTask(scene.store, lane) : null;
  roundRect(ctx, current.x, current.y, current.w, current.h, 5);
  if (task !== null) {
    ctx.fillStyle = theme.running;
    ctx.fill();
    ctx.fillStyle = theme.dark ? theme.bg : '#fff';
    ctx.font = `600 11px ${theme.mono}`;
    ctx.textAlign = 'center';
    ctx.fillText(`#${task}`, current.x + current.w / 2, current.y + current.h / 2 + 0.5, current.w - 4);
  } else {
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = theme.text3;
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = theme.text3;
    ctx.font = `10.5px ${theme.font}`;
    ctx.textAlign = 'center';
    ctx.fillText(state, current.x + current.w / 2, current.y + current.h / 2 + 0.5, current.w - 4);
  }

  // Prefetched inbox: what it holds beyond the task it is running.
  const cpuW = w > 260 ? 70 : 0;
  const inboxX = current.x + current.w + 8;
  const inboxRight = x + w - cpuW - 10;
  const waiting = Math.max(0, lane.held - (task !== null ? 1 : 0));
  const box = Math.min(12, current.h * 0.55);
  const fit = Math.max(0, Math.floor((inboxRight - inboxX - 36) / (box + 3)));
  const shown = Math.min(Math.max(0, waiting), fit);
  ctx.fillStyle = theme.done;
  ctx.globalAlpha = card.alpha * 0.55;
  for (let i = 0; i < shown; i++) {
    roundRect(ctx, inboxX + i * (box + 3), cy - box / 2, box, box, 2.5);
    ctx.fill();
  }
  ctx.globalAlpha = card.alpha;
  if (waiting > shown) {
    ctx.fillStyle = theme.text2;
    ctx.font = `10.5px ${theme.mono}`;
    ctx.textAlign = 'left';
    ctx.fillText(`+${formatShort(waiting - shown)}`, inboxX + shown * (box + 3) + 2, cy);
  }
  card.inboxEnd = { x: inboxX + Math.min(shown, 6) * (box + 3), y: cy };

  if (cpuW && lane.exitedAt === null) {
    const cpu = lane.sample?.cpu ?? null;
    const bx = x + w - cpuW;
    ctx.font = `10.5px ${theme.font}`;
    ctx.textAlign = 'right';
    ctx.fillStyle = theme.text3;
    ctx.fillText(cpu === null ? 'cpu –' : `cpu ${Math.round(cpu)}%`, x + w - 10, cy - 6);
    ctx.fillStyle = theme.border;
    ctx.fillRect(bx, cy + 4, cpuW - 10, 3);
    ctx.fillStyle = theme.accent;
    ctx.fillRect(bx, cy + 4, ((cpuW - 10) * Math.min(100, cpu ?? 0)) / 100, 3);
  }
  ctx.globalAlpha = 1;
}

function currentTask(store: TaskStore, lane: Lane): number | null {
  const task = store.runningTask(lane);
  return task >= 0 ? task : null;
}

function drawCores(ctx: CanvasRenderingContext2D, scene: PoolScene, area: Rect): void {
  const { theme, store, cores } = scene;
  title(ctx, theme, `Cores · ${cores}`, area.x, area.y - 8);
  if (!scene.coreSampling) {
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.text3;
    ctx.textAlign = 'left';
    ctx.fillText('Core placement unavailable on this platform', area.x, area.y + area.h / 2);
    return;
  }
  const gap = 6;
  const perRow = Math.min(cores, Math.max(1, Math.floor((area.w + gap) / (46 + gap))));
  const rows = Math.ceil(cores / perRow);
  const bw = (area.w - (perRow - 1) * gap) / perRow;
  const bh = (area.h - (rows - 1) * 4) / rows;
  const onCore = new Map<number, Lane[]>();
  for (const lane of store.lanes.values()) {
    const core = lane.sample?.core;
    if (lane.exitedAt !== null || core == null) continue;
    onCore.set(core, [...(onCore.get(core) ?? []), lane]);
  }
  for (let c = 0; c < cores; c++) {
    const x = area.x + (c % perRow) * (bw + gap);
    const y = area.y + Math.floor(c / perRow) * (bh + 4);
    const here = onCore.get(c) ?? [];
    const active = here.some((l) => (l.sample?.cpu ?? 0) >= 5);
    roundRect(ctx, x, y, bw, bh, 6);
    ctx.fillStyle = active ? theme.surface2 : theme.surface;
    ctx.fill();
    ctx.strokeStyle = active ? theme.text3 : theme.border;
    ctx.stroke();
    if (bh >= 26) {
      ctx.font = `10px ${theme.mono}`;
      ctx.fillStyle = theme.text3;
      ctx.textAlign = 'left';
      ctx.fillText(`cpu${c}`, x + 6, y + 9);
    }
    // Worker chips: who last ran here, solid while using the CPU.
    let cx = x + 6;
    const cy = bh >= 26 ? y + bh - 10 : y + bh / 2;
    for (const lane of here) {
      const busy = (lane.sample?.cpu ?? 0) >= 5;
      const label = `W${lane.number}`;
      ctx.font = `600 10px ${theme.font}`;
      const tw = ctx.measureText(label).width + 8;
      if (cx + tw > x + bw - 2) break;
      ctx.globalAlpha = busy ? 1 : 0.35;
      roundRect(ctx, cx, cy - 7, tw, 14, 7);
      ctx.fillStyle = workerColor(theme, lane.number);
      ctx.fill();
      ctx.fillStyle = theme.dark ? theme.bg : '#fff';
      ctx.textAlign = 'center';
      ctx.fillText(label, cx + tw / 2, cy + 0.5);
      ctx.globalAlpha = 1;
      cx += tw + 3;
    }
  }
}

function drawResults(ctx: CanvasRenderingContext2D, scene: PoolScene, layout: Layout): void {
  const { theme, store, model } = scene;
  const { results, grid } = layout;
  const run = store.run;
  title(ctx, theme, 'Results', results.x, TITLE_Y);
  if (!run) return;
  const unordered = run.run.spec?.mode === 'imap_unordered';
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text2;
  ctx.textAlign = 'left';
  const order = unordered ? 'completion order' : 'input order';
  const full = run.run.spec ? `${order} · ${run.run.spec.mode}` : order;
  ctx.fillText(ctx.measureText(full).width <= results.w ? full : order, results.x, TITLE_Y + 16);

  const settled = store.orderLength;
  const inset = grid.side >= 8 ? 1.5 : grid.side >= 5 ? 0.5 : 0;
  const showText = grid.per === 1 && grid.side >= 26;
  for (let c = 0; c < grid.cells; c++) {
    const r = cellRect(grid, c);
    let fill: string | null = null;
    let alpha = 1;
    let task = -1;
    if (grid.per === 1) {
      task = unordered ? (c < settled ? store.order[c] : -1) : c;
      const state = task >= 0 ? store.state[task] : TaskState.queued;
      if (state === TaskState.done) fill = theme.done;
      else if (state === TaskState.failed) fill = theme.failed;
      else if (state === TaskState.cancelled) {
        fill = theme.text3;
        alpha = 0.25;
      }
    } else {
      const total = Math.min(grid.per, store.size - c * grid.per);
      const done = model.done[c] ?? 0;
      const failed = model.failed[c] ?? 0;
      if (failed) fill = theme.failed;
      else if (done) {
        fill = theme.done;
        alpha = 0.25 + (0.75 * done) / total;
      }
    }
    if (fill) {
      ctx.globalAlpha = alpha;
      ctx.fillStyle = fill;
      if (grid.side >= 8) {
        roundRect(ctx, r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset, Math.min(4, grid.side / 5));
        ctx.fill();
      } else ctx.fillRect(r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset);
      ctx.globalAlpha = 1;
    } else if (grid.side >= 8) {
      roundRect(ctx, r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset, Math.min(4, grid.side / 5));
      ctx.strokeStyle = theme.border;
      ctx.stroke();
    } else {
      ctx.fillStyle = theme.surface2;
      ctx.fillRect(r.x + inset, r.y + inset, r.w - 2 * inset, r.h - 2 * inset);
    }
    if (showText && task >= 0 && fill && store.state[task] === TaskState.done) {
      // Values are written only where they fit: a squeezed checksum is noise.
      ctx.fillStyle = theme.dark ? theme.bg : '#fff';
      ctx.font = `600 ${grid.side >= 36 ? 11 : 9.5}px ${theme.mono}`;
      ctx.textAlign = 'center';
      const value = pyRepr(Number.isNaN(store.result[task]) ? null : store.result[task]);
      const fits = ctx.measureText(value).width <= r.w - 6;
      // In completion order, which task landed where is the point: its id comes first.
      if (unordered) {
        const two = fits && grid.side >= 30;
        ctx.fillText(`#${task}`, r.x + r.w / 2, r.y + r.h / 2 + (two ? -5 : 0.5), r.w - 4);
        if (two) {
          ctx.globalAlpha = 0.8;
          ctx.font = `9px ${theme.mono}`;
          ctx.fillText(value, r.x + r.w / 2, r.y + r.h / 2 + 8);
          ctx.globalAlpha = 1;
        }
      } else if (fits) ctx.fillText(value, r.x + r.w / 2, r.y + r.h / 2 + 0.5);
    }
  }
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text3;
  ctx.textAlign = 'left';
  const note = grid.per > 1 ? ` · a cell is ${grid.per.toLocaleString('en-US')} tasks` : '';
  ctx.fillText(
    `${settled.toLocaleString('en-US')} / ${store.size.toLocaleString('en-US')}${note}`,
    results.x,
    Math.min(results.y + results.h - 6, grid.y + grid.rows * grid.side + 14),
  );
}

/** Individual flights while they are few; streams with a rate when they are not. */
function drawTraffic(ctx: CanvasRenderingContext2D, scene: PoolScene, layout: Layout): void {
  const { flights, time } = scene;
  if (flights.flights.length > MAX_DRAWN_FLIGHTS) {
    drawStreams(ctx, scene, layout);
    return;
  }
  // Labels help while a few tasks fly; a dozen labelled boxes at once are only clutter.
  const labelled = flights.flights.length <= LABELLED_FLIGHTS;
  for (const flight of flights.flights)
    drawFlight(ctx, scene, layout, flight, Math.min(1, (time - flight.born) / FLIGHT_MS), labelled);
}

function flightEnds(
  scene: PoolScene,
  layout: Layout,
  flight: Flight,
): [{ x: number; y: number }, { x: number; y: number }] | null {
  const card = layout.cards.get(flight.worker);
  if (!card) return null;
  if (flight.kind === 'dispatch') return [layout.stackTop, card.inboxEnd];
  const grid = layout.grid;
  if (!grid.cells) return null;
  const unordered = scene.store.run?.run.spec?.mode === 'imap_unordered';
  const cell = Math.min(grid.cells - 1, Math.floor((unordered ? flight.slot : flight.task) / grid.per));
  const r = cellRect(grid, cell);
  return [
    { x: card.current.x + card.current.w / 2, y: card.current.y + card.current.h / 2 },
    { x: r.x + r.w / 2, y: r.y + r.h / 2 },
  ];
}

function drawFlight(
  ctx: CanvasRenderingContext2D,
  scene: PoolScene,
  layout: Layout,
  flight: Flight,
  p: number,
  labelled: boolean,
): void {
  const ends = flightEnds(scene, layout, flight);
  if (!ends) return;
  const { theme } = scene;
  const [a, b] = ends;
  const e = 1 - (1 - p) ** 3;
  // A gentle arc reads as motion better than a straight slide.
  const x = a.x + (b.x - a.x) * e;
  const y = a.y + (b.y - a.y) * e - Math.sin(Math.PI * e) * 18;
  ctx.globalAlpha = p > 0.85 ? (1 - p) / 0.15 : 1;
  ctx.fillStyle = flight.kind === 'dispatch' ? theme.running : flight.failed ? theme.failed : theme.done;
  const label = flight.count > 1 ? `×${formatShort(flight.count)}` : `#${flight.task}`;
  if (labelled || flight.count > 1) {
    ctx.font = `600 10.5px ${theme.mono}`;
    const w = Math.max(26, ctx.measureText(label).width + 10);
    roundRect(ctx, x - w / 2, y - 9, w, 18, 5);
    ctx.fill();
    ctx.fillStyle = theme.dark ? theme.bg : '#fff';
    ctx.textAlign = 'center';
    ctx.fillText(label, x, y + 0.5);
  } else {
    roundRect(ctx, x - 5, y - 5, 10, 10, 3);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

function drawStreams(ctx: CanvasRenderingContext2D, scene: PoolScene, layout: Layout): void {
  const { theme, time, flights } = scene;
  const resultsAt = {
    x: layout.results.x - 6,
    y: layout.grid.y + Math.min(layout.grid.h, layout.grid.rows * layout.grid.side) / 2,
  };
  ctx.lineCap = 'round';
  for (const card of layout.cards.values()) {
    const { dispatch, result } = flights.rates(card.lane.worker, time);
    const legs: [number, { x: number; y: number }, { x: number; y: number }, string][] = [
      [dispatch, layout.stackTop, { x: card.x - 4, y: card.y + card.h / 2 }, theme.running],
      [result, { x: card.x + card.w + 4, y: card.y + card.h / 2 }, resultsAt, theme.done],
    ];
    for (const [rate, a, b, color] of legs) {
      if (rate < 1) continue;
      // Wider and faster with the rate, on a log scale: 10/s and 1M/s both read.
      const strength = Math.min(1, Math.log10(rate) / 6);
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.35 + 0.5 * strength;
      ctx.lineWidth = 1.5 + 3 * strength;
      ctx.setLineDash([2, 7]);
      ctx.lineDashOffset = -((time / 1000) * (40 + 160 * strength));
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.bezierCurveTo((a.x + b.x) / 2, a.y, (a.x + b.x) / 2, b.y, b.x, b.y);
      ctx.stroke();
    }
    if (result >= 1) {
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
      ctx.font = `10.5px ${theme.mono}`;
      ctx.fillStyle = theme.text2;
      ctx.textAlign = 'right';
      ctx.fillText(`${formatShort(result)}/s`, card.x + card.w - 10, card.y + card.h / 2 + (card.w > 260 ? 10 : 0));
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, Math.max(0, w), Math.max(0, h), Math.min(r, w / 2, h / 2));
}

function formatShort(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
