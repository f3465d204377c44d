/**
 * Where everything of the pool view goes, as a pure function of the canvas
 * size and what there is to show (how many workers, cores and tasks). The
 * result is frozen: painters read it and never write it, so the order they
 * paint in does not matter, and the layout can be tested without a canvas.
 *
 *   QUEUE │ WORKERS (cards, or tiles when there are too many)  │ RESULTS
 *         │ CORES: one box per core, then "waiting for a core" │
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Point {
  x: number;
  y: number;
}

/** One worker as the layout needs it: who, and how faded (exited workers linger, fading). */
export interface LaneSlot {
  worker: number;
  number: number;
  alpha: number;
}

export interface PoolLayoutInput {
  width: number;
  height: number;
  lanes: readonly LaneSlot[];
  /** Logical cores of the machine; 0 when unknown. */
  cores: number;
  /** Tasks of the run (the results grid's size); 0 before any run. */
  tasks: number;
}

export interface WorkerCard {
  worker: number;
  number: number;
  alpha: number;
  rect: Rect;
  /** Where its name goes, and its pid under it when there is room for two lines. */
  name: Point;
  pid: Point | null;
  /** The task it is running (a flight's source and target). */
  current: Rect;
  /** Its inbox: boxes of `box` px from x to right, centred on y. */
  inbox: { x: number; right: number; y: number; box: number };
  /** Its CPU meter, when the card is wide enough. */
  cpu: Rect | null;
}

/** A worker drawn as a small tile, when cards would not fit. */
export interface WorkerTile {
  worker: number;
  number: number;
  alpha: number;
  rect: Rect;
  /** Whether its number fits inside. */
  labelled: boolean;
}

export interface ResultsGrid extends Rect {
  cols: number;
  rows: number;
  side: number;
  cells: number;
  /** Tasks per cell (1 unless the run has more tasks than cells). */
  per: number;
}

export interface CoresLayout {
  area: Rect;
  title: Point;
  /** One box per core, in core order. */
  boxes: Rect[];
  /** Where workers waiting for a core are shown. */
  waiting: Rect;
}

export interface PoolLayout {
  width: number;
  height: number;
  queue: { area: Rect; title: Point; count: Point; caption: Point; boxes: Rect[] };
  /** Where dispatch flights take off. */
  stackTop: Point;
  workers: {
    area: Rect;
    mode: 'cards' | 'tiles';
    cards: WorkerCard[];
    tiles: WorkerTile[];
  };
  cores: CoresLayout | null;
  results: { area: Rect; title: Point; caption: Point; grid: ResultsGrid };
}

const PAD = 16;
const TITLE_Y = 20;
const GAP = 36;
/** Below this, a card cannot hold a name and a task box: workers become tiles. */
const MIN_CARD_H = 16;
const MAX_CARD_H = 54;
const QUEUE_BOX_H = 24;
const MAX_QUEUE_BOXES = 12;
/** Below this cell side, a cell stands for several tasks. */
const MIN_CELL = 5;
const MAX_CELL = 44;
const MIN_CORE_W = 46;
const MIN_WAITING_W = 130;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function poolLayout(input: PoolLayoutInput): PoolLayout {
  const { width, height, lanes, cores, tasks } = input;
  const qw = clamp(width * 0.13, 104, 150);
  const rw = clamp(width * 0.27, 170, 320);
  const mx = PAD + qw + GAP;
  // The cores strip runs under the workers and the results, so the "waiting" box has room to list a crowd.
  const coresH = cores > 0 ? clamp(height * 0.2, 44, 80) : 0;
  const bottom = height - PAD - (coresH ? coresH + 18 : 0);
  const queueArea = { x: PAD, y: TITLE_Y + 14, w: qw, h: Math.max(0, height - TITLE_Y - 14 - PAD) };
  const resultsArea = { x: width - PAD - rw, y: TITLE_Y + 30, w: rw, h: Math.max(0, bottom - TITLE_Y - 30) };
  const mw = Math.max(80, resultsArea.x - GAP - mx);
  const workersArea = { x: mx, y: TITLE_Y + 14, w: mw, h: Math.max(0, bottom - TITLE_Y - 14) };
  const coresArea = { x: mx, y: height - PAD - coresH, w: Math.max(80, width - PAD - mx), h: coresH };

  const boxes: Rect[] = [];
  const fit = Math.max(0, Math.min(MAX_QUEUE_BOXES, Math.floor((queueArea.h - 80) / (QUEUE_BOX_H + 4))));
  for (let i = 0; i < fit; i++)
    boxes.push({ x: queueArea.x, y: queueArea.y + 64 + i * (QUEUE_BOX_H + 4), w: qw, h: QUEUE_BOX_H });

  const layout: PoolLayout = {
    width,
    height,
    queue: {
      area: queueArea,
      title: { x: queueArea.x, y: TITLE_Y },
      count: { x: queueArea.x, y: queueArea.y + 22 },
      caption: { x: queueArea.x, y: queueArea.y + 46 },
      boxes,
    },
    stackTop: { x: queueArea.x + qw / 2, y: queueArea.y + 74 },
    workers: { area: workersArea, ...placeWorkers(workersArea, lanes) },
    cores: coresH ? placeCores(coresArea, cores) : null,
    results: {
      area: resultsArea,
      title: { x: resultsArea.x, y: TITLE_Y },
      caption: { x: resultsArea.x, y: TITLE_Y + 16 },
      grid: resultsGrid(tasks, resultsArea),
    },
  };
  return deepFreeze(layout);
}

/** Cards in one to three columns while they are tall enough to read; tiles beyond that. */
function placeWorkers(area: Rect, lanes: readonly LaneSlot[]): Pick<PoolLayout['workers'], 'mode' | 'cards' | 'tiles'> {
  const n = lanes.length;
  if (n === 0) return { mode: 'cards', cards: [], tiles: [] };
  let cols = 1;
  let rowH = area.h / n;
  if (rowH < 22 && n > 1) {
    cols = area.w > 520 ? 3 : 2;
    rowH = area.h / Math.ceil(n / cols);
  }
  if (rowH < MIN_CARD_H) return { mode: 'tiles', cards: [], tiles: placeTiles(area, lanes) };
  rowH = Math.min(rowH, MAX_CARD_H);
  const gap = rowH > 30 ? 8 : rowH > 20 ? 4 : 2;
  const colGap = 10;
  const colW = (area.w - (cols - 1) * colGap) / cols;
  const perCol = Math.ceil(n / cols);
  // A few workers sit in the middle of their area rather than hanging from the top.
  const offset = Math.max(0, (area.h - perCol * rowH) / 2);
  const cards = lanes.map((lane, i): WorkerCard => {
    const col = Math.floor(i / perCol);
    const row = i % perCol;
    const x = area.x + col * (colW + colGap);
    const y = area.y + offset + row * rowH;
    const h = rowH - gap;
    // The name column fits "W100" and a seven-digit pid under it.
    const labelW = colW > 300 ? 104 : colW > 180 ? 64 : 48;
    const twoLines = h >= 34 && labelW >= 64;
    const boxH = Math.min(26, h - 4);
    const cy = y + h / 2;
    const current = { x: x + labelW, y: cy - boxH / 2, w: Math.min(64, Math.max(34, colW * 0.16)), h: boxH };
    const cpuW = colW > 260 ? 70 : 0;
    return {
      worker: lane.worker,
      number: lane.number,
      alpha: lane.alpha,
      rect: { x, y, w: colW, h },
      name: { x: x + 12, y: twoLines ? cy - 7 : cy },
      pid: twoLines ? { x: x + 12, y: cy + 8 } : null,
      current,
      inbox: {
        x: current.x + current.w + 8,
        right: x + colW - cpuW - 10,
        y: cy,
        box: Math.min(12, boxH * 0.55),
      },
      cpu: cpuW ? { x: x + colW - cpuW, y: cy - 10, w: cpuW - 10, h: 20 } : null,
    };
  });
  return { mode: 'cards', cards, tiles: [] };
}

/** The largest square tiles that fit every worker, in rows, each with a 1 px gap. */
function placeTiles(area: Rect, lanes: readonly LaneSlot[]): WorkerTile[] {
  const n = lanes.length;
  let side = Math.floor(Math.sqrt((area.w * area.h) / n));
  while (side > 2 && Math.floor(area.w / side) * Math.floor(area.h / side) < n) side--;
  side = Math.max(2, Math.min(side, 40));
  const cols = Math.max(1, Math.floor(area.w / side));
  const gap = side >= 8 ? 2 : side >= 4 ? 1 : 0;
  return lanes.map((lane, i) => ({
    worker: lane.worker,
    number: lane.number,
    alpha: lane.alpha,
    rect: {
      x: area.x + (i % cols) * side,
      y: area.y + Math.floor(i / cols) * side,
      w: side - gap,
      h: side - gap,
    },
    labelled: side >= 26,
  }));
}

/** Core boxes left to right (in rows when many), and the waiting box at the right end. */
function placeCores(area: Rect, cores: number): CoresLayout {
  const gap = 6;
  const waitingW = clamp(area.w * 0.45, Math.min(MIN_WAITING_W, area.w * 0.5), 360);
  const coresW = Math.max(0, area.w - waitingW - gap);
  const perRow = Math.min(cores, Math.max(1, Math.floor((coresW + gap) / (MIN_CORE_W + gap))));
  const rows = Math.ceil(cores / perRow);
  const bw = (coresW - (perRow - 1) * gap) / perRow;
  const bh = (area.h - (rows - 1) * 4) / rows;
  const boxes: Rect[] = [];
  for (let c = 0; c < cores; c++)
    boxes.push({ x: area.x + (c % perRow) * (bw + gap), y: area.y + Math.floor(c / perRow) * (bh + 4), w: bw, h: bh });
  return {
    area,
    title: { x: area.x, y: area.y - 8 },
    boxes,
    waiting: { x: area.x + coresW + gap, y: area.y, w: waitingW, h: area.h },
  };
}

/** The largest square cell that fits every task; below 5 px, cells stand for several tasks. */
export function resultsGrid(tasks: number, area: Rect): ResultsGrid {
  const top = area.y + 6;
  const h = Math.max(0, area.h - 28);
  if (tasks <= 0 || area.w < MIN_CELL || h < MIN_CELL)
    return { x: area.x, y: top, w: area.w, h, cols: 0, rows: 0, side: 0, cells: 0, per: 1 };
  let side = Math.floor(Math.sqrt((area.w * h) / tasks));
  while (side > MIN_CELL && Math.floor(area.w / side) * Math.floor(h / side) < tasks) side--;
  side = Math.min(side, MAX_CELL);
  let cells = tasks;
  if (side < MIN_CELL) {
    side = MIN_CELL;
    cells = Math.floor(area.w / side) * Math.floor(h / side);
  }
  const cols = Math.max(1, Math.floor(area.w / side));
  const per = Math.ceil(tasks / cells);
  cells = Math.ceil(tasks / per);
  return { x: area.x, y: top, w: area.w, h, cols, rows: Math.ceil(cells / cols), side, cells, per };
}

export function cellRect(grid: ResultsGrid, cell: number): Rect {
  const col = cell % grid.cols;
  const row = Math.floor(cell / grid.cols);
  return { x: grid.x + col * grid.side, y: grid.y + row * grid.side, w: grid.side, h: grid.side };
}

/** How many of `waiting` inbox tasks a card shows as boxes (the rest as "+N"), and where a flight lands. */
export function inboxSlots(card: WorkerCard, waiting: number): { shown: number; end: Point } {
  const { x, right, y, box } = card.inbox;
  const fit = Math.max(0, Math.floor((right - x - 36) / (box + 3)));
  const shown = Math.min(Math.max(0, waiting), fit);
  return { shown, end: { x: x + Math.min(shown, 6) * (box + 3), y } };
}

/** Where a worker is drawn, card or tile: flights fly to and from its centre. */
export function workerAnchor(
  layout: PoolLayout,
  worker: number,
): { current: Point; inbox: Point; left: Point; right: Point } | null {
  const card = layout.workers.cards.find((c) => c.worker === worker);
  if (card) {
    const { current, rect } = card;
    const centre = { x: current.x + current.w / 2, y: current.y + current.h / 2 };
    return {
      current: centre,
      inbox: { x: card.inbox.x, y: card.inbox.y },
      left: { x: rect.x - 4, y: rect.y + rect.h / 2 },
      right: { x: rect.x + rect.w + 4, y: rect.y + rect.h / 2 },
    };
  }
  const tile = layout.workers.tiles.find((t) => t.worker === worker);
  if (!tile) return null;
  const centre = { x: tile.rect.x + tile.rect.w / 2, y: tile.rect.y + tile.rect.h / 2 };
  return { current: centre, inbox: centre, left: centre, right: centre };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
