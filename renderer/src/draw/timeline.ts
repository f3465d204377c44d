/**
 * The Gantt timeline: one row per worker slot, task bars coloured by state,
 * worker start-up hatched and exits marked. Pure function of its scene.
 *
 * A row belongs to one worker process at a time: a worker that starts after
 * another has exited may take its row, as a new segment with its own label, so
 * nothing one process did is ever drawn under another's name.
 *
 * Inside each task bar, the share of its time it spent runnable but waiting for
 * a core is drawn as its own state: a striped band along the bar's bottom, as
 * tall as that share (the wait is spread through the task, not at one end).
 *
 * Level of detail: a task at least a couple of pixels wide is a bar; narrower
 * ones are summarised per pixel column — busy share of the column as opacity,
 * waiting share as the band — found with two binary searches and two prefix
 * sums, so the cost is bounded by the canvas width, not the number of tasks.
 */
import { PHASE_KINDS, type PhaseKind } from '../../../shared/events';
import { formatTick } from '../../../shared/format';
import { TaskState, type Lane, type TaskStore } from '../../../shared/task-store';
import type { TimeRange } from './timeline-camera';
import type { FailKind, LaneTasks, TimelineIndex } from './timeline-index';
import { workerColor, type Theme } from './theme';

export interface TimelineScene {
  store: TaskStore;
  index: TimelineIndex;
  theme: Theme;
  /** CSS pixels; the caller has scaled the context for devicePixelRatio. */
  width: number;
  height: number;
  range: TimeRange;
  /** The run's start on the host clock: time 0 of the axis. */
  origin: number;
  /** The host's "now", absolute. */
  now: number;
  highlight: number | null;
  /** Pixels kept free under the rows (for markers' labels). */
  bottom?: number;
}

const AXIS = 24;
const BOTTOM = 6;
const MAX_ROW = 48;
/** Narrower than this, a task is summarised into its pixel column. */
const MIN_BAR_PX = 2;
/** Opacity steps of density marks: enough to read, few enough for neighbours to merge. */
const DENSITY_LEVELS = 8;
/** Steps of a column's waiting share: a band height every 12.5%. */
const WAIT_LEVELS = 8;
/** Approximate advance of the gutter's fonts (600 11px UI, 10px mono), so the layout needs no canvas. */
const NAME_CHAR_PX = 7.2;
const PID_CHAR_PX = 6.2;
const DOT_PX = 20;

export interface TimelineLayout {
  plotX: number;
  plotW: number;
  top: number;
  rowH: number;
  /** Where the pid column of the gutter ends (pids are right-aligned to it). */
  pidRight: number;
}

/** The gutter fits the longest worker number and pid of the rows: a seven-digit pid is never cut. */
export function gutterWidth(store: TaskStore, index: TimelineIndex): number {
  let nameChars = 2;
  let pidChars = 0;
  for (const row of index.rows) {
    for (const worker of row.workers) {
      const lane = store.lanes.get(worker);
      nameChars = Math.max(nameChars, 1 + String(lane?.number ?? worker).length);
      if (lane?.pid != null) pidChars = Math.max(pidChars, String(lane.pid).length);
    }
  }
  return Math.ceil(DOT_PX + nameChars * NAME_CHAR_PX + (pidChars ? 10 + pidChars * PID_CHAR_PX : 0) + 10);
}

export function timelineLayout(
  scene: Pick<TimelineScene, 'width' | 'height' | 'index' | 'store' | 'bottom'>,
): TimelineLayout {
  const rows = Math.max(1, scene.index.rows.length);
  const plotX = Math.max(64, gutterWidth(scene.store, scene.index));
  const plotW = Math.max(1, scene.width - plotX - 8);
  const rowH = Math.max(4, Math.min(MAX_ROW, (scene.height - AXIS - BOTTOM - (scene.bottom ?? 0)) / rows));
  return { plotX, plotW, top: AXIS, rowH, pidRight: plotX - 10 };
}

/** What the axis labels say, for tests and assistive tech: the visible ticks in order. */
export function axisTicks(range: TimeRange, plotW: number): string[] {
  const msPerPx = (range.t1 - range.t0) / plotW;
  const step = niceStep(msPerPx * 90);
  const labels: string[] = [];
  for (let t = Math.ceil(range.t0 / step) * step; t <= range.t1; t += step) labels.push(formatTick(t, step));
  return labels;
}

export function drawTimeline(ctx: CanvasRenderingContext2D, scene: TimelineScene): void {
  const { width, height, theme, store, index, range, origin } = scene;
  const layout = timelineLayout(scene);
  const { plotX, plotW, top, rowH } = layout;
  const msPerPx = (range.t1 - range.t0) / plotW;
  const toX = (t: number) => plotX + (t - origin - range.t0) / msPerPx;

  ctx.clearRect(0, 0, width, height);
  ctx.font = `11px ${theme.font}`;
  ctx.textBaseline = 'middle';
  drawAxis(ctx, scene, layout, msPerPx);

  const rowsBottom = top + rowH * index.rows.length;
  ctx.save();
  ctx.beginPath();
  ctx.rect(plotX, top, plotW, Math.max(0, height - top));
  ctx.clip();
  for (let r = 0; r < index.rows.length; r++) {
    const y = top + r * rowH;
    if (r % 2 === 1) {
      ctx.fillStyle = theme.surface2;
      ctx.fillRect(plotX, y, plotW, rowH);
    }
    const pad = rowH > 12 ? 3 : 1;
    const workers = index.rows[r].workers;
    for (const worker of workers) {
      const lane = store.lanes.get(worker);
      const tasks = index.lanes.get(worker);
      if (lane) drawLifetime(ctx, scene, lane, y + pad, rowH - 2 * pad, toX);
      if (tasks) drawTasks(ctx, scene, tasks, y + pad, rowH - 2 * pad, msPerPx, plotX);
      if (tasks?.waitCount) drawLockWaits(ctx, scene, tasks, y + pad, rowH - 2 * pad, toX);
      if (tasks?.phases.length) drawPhases(ctx, scene, tasks, y + pad, rowH - 2 * pad, toX);
      if (lane) drawRunning(ctx, scene, lane, y + pad, rowH - 2 * pad, toX);
      if (tasks) drawFailures(ctx, scene, tasks, y + pad, rowH - 2 * pad, toX);
      if (lane?.exitedAt != null) drawExit(ctx, scene, lane, y, rowH, toX(lane.exitedAt));
    }
    // A row that more than one process used labels each one where its segment begins.
    if (workers.length > 1 && rowH >= 12) drawSegmentLabels(ctx, scene, workers, y, rowH, toX, layout);
  }
  if (scene.highlight !== null) drawHighlight(ctx, scene, layout, toX);
  if (store.run && store.run.finishedAt === null) {
    const x = Math.round(toX(scene.now)) + 0.5;
    ctx.strokeStyle = theme.accent;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x, Math.max(rowsBottom, top + 8));
    ctx.stroke();
  }
  ctx.restore();
  drawGutter(ctx, scene, layout);
}

function drawAxis(ctx: CanvasRenderingContext2D, scene: TimelineScene, layout: TimelineLayout, msPerPx: number): void {
  const { theme, range, height } = scene;
  const { plotX, plotW, top } = layout;
  const step = niceStep(msPerPx * 90);
  ctx.fillStyle = theme.text3;
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.beginPath();
  const first = Math.ceil(range.t0 / step) * step;
  for (let t = first; t <= range.t1; t += step) {
    const x = Math.round(plotX + (t - range.t0) / msPerPx) + 0.5;
    if (x < plotX || x > plotX + plotW) continue;
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x, height - 2);
    ctx.fillText(formatTick(t, step), Math.max(plotX + 16, Math.min(x, plotX + plotW - 24)), top / 2);
  }
  ctx.stroke();
}

/** Each row's current (latest) worker: its colour, its number and its pid, right-aligned so any pid fits. */
function drawGutter(ctx: CanvasRenderingContext2D, scene: TimelineScene, layout: TimelineLayout): void {
  const { theme, index, store } = scene;
  const { top, rowH, pidRight } = layout;
  for (let r = 0; r < index.rows.length; r++) {
    const workers = index.rows[r].workers;
    const worker = workers[workers.length - 1];
    const lane = store.lanes.get(worker);
    const cy = top + r * rowH + rowH / 2;
    const dot = Math.min(4, rowH / 3);
    ctx.globalAlpha = lane?.exitedAt != null ? 0.45 : 1;
    ctx.fillStyle = workerColor(theme, lane?.number ?? worker);
    ctx.beginPath();
    ctx.arc(10, cy, dot, 0, Math.PI * 2);
    ctx.fill();
    if (rowH >= 11) {
      ctx.fillStyle = theme.text;
      ctx.font = `600 11px ${theme.font}`;
      ctx.textAlign = 'left';
      ctx.fillText(`W${lane?.number ?? worker}`, DOT_PX, cy);
      if (lane?.pid != null) {
        ctx.fillStyle = theme.text3;
        ctx.font = `10px ${theme.mono}`;
        ctx.textAlign = 'right';
        ctx.fillText(String(lane.pid), pidRight, cy);
      }
    }
    ctx.globalAlpha = 1;
  }
  ctx.textAlign = 'left';
  ctx.font = `11px ${theme.font}`;
}

/** The rows as drawn, for tests and assistive tech: each segment's worker, pid and span (ms from the run's start). */
export function describeRows(
  store: TaskStore,
  index: TimelineIndex,
  origin: number,
  now: number,
): { worker: string; pid: number | null; from: number; to: number | null }[][] {
  return index.rows.map((row) =>
    row.workers.map((worker) => {
      const lane = store.lanes.get(worker);
      return {
        worker: `W${lane?.number ?? worker}`,
        pid: lane?.pid ?? null,
        from: Math.round((lane?.spawnedAt ?? now) - origin),
        to: lane?.exitedAt != null ? Math.round(lane.exitedAt - origin) : null,
      };
    }),
  );
}

/** One segment of a row, in canvas pixels, with the width of its chip. */
export interface ChipSegment {
  x0: number;
  x1: number;
  w: number;
}

/**
 * Where each segment's chip goes (null: not drawn). A chip starts where its
 * segment does, or at the plot's left edge while the segment runs on from
 * before it; a segment too short for its chip still gets one, and the next
 * chip moves right to clear it, so a process that lived a few pixels is
 * named too. A chip pushed past its own segment's end, or out of the plot, is
 * not drawn, so labels never drift far from what they name.
 */
export function placeChips(segments: readonly ChipSegment[], plotX: number, plotRight: number): (number | null)[] {
  let clearFrom = plotX + 2;
  return segments.map(({ x0, x1, w }) => {
    if (x1 < plotX || x0 > plotRight) return null;
    const x = Math.max(x0 + 1, clearFrom);
    if (x > Math.max(x1, x0 + 1) + 4 || x + w > plotRight + 4) return null;
    clearFrom = x + w + 2;
    return x;
  });
}

/** A chip naming the worker of each segment of a row that more than one process used (placeChips). */
function drawSegmentLabels(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  workers: number[],
  y: number,
  h: number,
  toX: (t: number) => number,
  layout: TimelineLayout,
): void {
  const { theme, store } = scene;
  ctx.font = `600 10px ${theme.font}`;
  ctx.textAlign = 'center';
  const chipH = Math.min(14, h - 4);
  const lanes = workers.map((worker) => store.lanes.get(worker)).filter((lane) => lane !== undefined);
  const segments = lanes.map((lane) => ({
    x0: toX(lane.spawnedAt),
    x1: toX(lane.exitedAt ?? scene.now),
    w: ctx.measureText(`W${lane.number}`).width + 8,
  }));
  const placed = placeChips(segments, layout.plotX, layout.plotX + layout.plotW);
  for (let i = 0; i < lanes.length; i++) {
    const x = placed[i];
    if (x === null) continue;
    const lane = lanes[i];
    const { w } = segments[i];
    ctx.fillStyle = workerColor(theme, lane.number);
    ctx.globalAlpha = lane.exitedAt !== null ? 0.6 : 0.95;
    ctx.beginPath();
    ctx.roundRect(x, y + 2, w, chipH, 4);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.dark ? theme.bg : '#fff';
    ctx.fillText(`W${lane.number}`, x + w / 2, y + 2 + chipH / 2 + 0.5);
  }
  ctx.textAlign = 'left';
}

/** The worker's life: a faint track while alive (idle gaps show as bare track), start-up hatched. */
function drawLifetime(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  lane: Lane,
  y: number,
  h: number,
  toX: (t: number) => number,
): void {
  const { theme } = scene;
  const end = lane.exitedAt ?? scene.now;
  const ready = lane.readyAt ?? end;
  const x0 = toX(ready);
  const x1 = toX(end);
  ctx.fillStyle = theme.grid;
  ctx.fillRect(x0, y + h / 2 - 0.5, Math.max(0, x1 - x0), 1);
  const s0 = toX(lane.spawnedAt);
  if (x0 - s0 >= 0.5) {
    ctx.fillStyle = hatch(ctx, theme, theme.startup) ?? theme.startup;
    ctx.fillRect(s0, y + h * 0.2, Math.max(1, x0 - s0), h * 0.6);
  }
}

/** The striped band of a bar's waiting share: washed out, then striped, along the bar's bottom. */
function coreWaitBand(
  ctx: CanvasRenderingContext2D,
  theme: Theme,
  x: number,
  y: number,
  w: number,
  h: number,
  share: number,
): void {
  if (!(share > 0) || w <= 0) return;
  const bandH = Math.max(1, h * Math.min(1, share));
  const by = y + h - bandH;
  ctx.globalAlpha = 0.6;
  ctx.fillStyle = theme.surface;
  ctx.fillRect(x, by, w, bandH);
  ctx.globalAlpha = 1;
  ctx.fillStyle = hatch(ctx, theme, theme.coreWait, 'back') ?? theme.coreWait;
  ctx.fillRect(x, by, w, bandH);
}

function drawTasks(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  tasks: LaneTasks,
  y: number,
  h: number,
  msPerPx: number,
  plotX: number,
): void {
  const { store, theme, range, origin } = scene;
  const { start, end, state, coreWait } = store;
  tasks.sort(start, end, coreWait);
  const tStart = origin + range.t0;
  const tEnd = origin + range.t1;
  const n = tasks.length;
  const ids = tasks.ids;
  // The task before the first one starting in view may still be running into it.
  let k = Math.max(0, tasks.lowerBound(start, tStart) - 1);
  // Density marks of one opacity and one waiting share in adjacent columns merge into one
  // rectangle, so a busy stretch of a million tasks costs a handful of fills, not one per column.
  let runX = 0;
  let runEnd = -1;
  let runLevel = -1;
  let runWait = 0;
  const flush = () => {
    if (runLevel < 0) return;
    ctx.globalAlpha = 0.35 + (0.65 * runLevel) / DENSITY_LEVELS;
    ctx.fillStyle = theme.done;
    ctx.fillRect(runX, y, runEnd - runX, h);
    ctx.globalAlpha = 1;
    coreWaitBand(ctx, theme, runX, y, runEnd - runX, h, runWait / WAIT_LEVELS);
    runLevel = -1;
  };
  while (k < n) {
    const id = ids[k];
    const s = start[id];
    if (s > tEnd) break;
    const x0 = plotX + (s - tStart) / msPerPx;
    const duration = end[id] - s;
    const w = duration / msPerPx;
    if (w >= MIN_BAR_PX) {
      flush();
      // Failed tasks are drawn in their own pass, on top.
      if (state[id] !== TaskState.failed) {
        const barW = w >= 4 ? w - 1 : w;
        ctx.fillStyle = theme.done;
        ctx.fillRect(x0, y, barW, h);
        if (coreWait[id] > 0 && duration > 0) coreWaitBand(ctx, theme, x0, y, barW, h, coreWait[id] / duration);
      }
      k++;
      continue;
    }
    // Everything starting in this pixel column becomes one density mark.
    const col = Math.floor(x0);
    const j = tasks.lowerBound(start, tStart + (col + 1 - plotX) * msPerPx, k + 1);
    // Opaque when the column is busy or crowded: a burst of tiny tasks shows as well as one long one.
    const busy = tasks.cum[j] - tasks.cum[k];
    const intensity = Math.max(Math.min(1, busy / msPerPx), Math.min(1, (j - k) / 12));
    const level = Math.round(intensity * DENSITY_LEVELS);
    const waited = tasks.cumWait[j] - tasks.cumWait[k];
    const wait = busy > 0 ? Math.round(Math.min(1, waited / busy) * WAIT_LEVELS) : 0;
    if (level === runLevel && wait === runWait && col === runEnd) runEnd = col + 1;
    else {
      flush();
      runX = col;
      runEnd = col + 1;
      runLevel = level;
      runWait = wait;
    }
    k = j;
  }
  flush();
}

/** How the legend names a phase kind. */
export const PHASE_NAMES: Record<PhaseKind, string> = {
  compute: 'compute',
  transfer: 'transfer',
  deserialize: 'deserialize',
  // One colour, one name: reading and writing spilled data are both the disk.
  'disk-read': 'disk',
  'disk-write': 'disk',
  'attempt-lost': 'attempt lost with its worker',
  'attempt-retried': 'attempt retried',
  'attempt-recomputed': 'recomputed',
};

/** A phase's fill; null for compute (the bar's own colour) and for attempts, which are outlined. */
export function phaseColor(theme: Theme, kind: PhaseKind): string | null {
  if (kind === 'transfer') return theme.transfer;
  if (kind === 'deserialize') return theme.deserialize;
  if (kind === 'disk-read' || kind === 'disk-write') return theme.disk;
  return null;
}

/**
 * A cluster task's phases beside its compute, filled over its bar, and
 * attempts that did not count, outlined where they ran. Only tasks with more
 * than one phase have any, so these are few.
 */
function drawPhases(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  tasks: LaneTasks,
  y: number,
  h: number,
  toX: (t: number) => number,
): void {
  const { store, width, theme } = scene;
  const { start, end, kind } = store.phases;
  for (const i of tasks.phases) {
    const a = toX(start[i]);
    const b = Math.max(a + 1, toX(end[i]));
    if (b < 0 || a > width) continue;
    const name = PHASE_KINDS[kind[i]];
    if (name === undefined || name === 'compute') continue;
    const fill = phaseColor(theme, name);
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fillRect(a, y, b - a, h);
    } else {
      ctx.strokeStyle = name === 'attempt-lost' ? theme.failed : theme.text3;
      ctx.lineWidth = 1;
      ctx.setLineDash(name === 'attempt-lost' ? [] : [3, 2]);
      ctx.strokeRect(a + 0.5, y + 0.5, Math.max(1, b - a - 1), h - 1);
      ctx.setLineDash([]);
    }
  }
}

/**
 * GIL backend: stretches a thread spent waiting for the lock, hatched over its task.
 * Waits closer than a pixel merge, so the cost is bounded by the width.
 */
function drawLockWaits(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  tasks: LaneTasks,
  y: number,
  h: number,
  toX: (t: number) => number,
): void {
  const { store, range, origin, width, theme } = scene;
  const { start, end } = store.waits;
  const stripes = hatch(ctx, theme, theme.wait) ?? theme.wait;
  // Washed out, then striped: time the thread held a task but could not compute.
  const mark = (x: number, w: number) => {
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = theme.surface;
    ctx.fillRect(x, y, w, h);
    ctx.globalAlpha = 1;
    ctx.fillStyle = stripes;
    ctx.fillRect(x, y, w, h);
  };
  let k = Math.max(0, tasks.lowerBoundWait(start, origin + range.t0) - 1);
  let x0 = -1;
  let x1 = -1;
  for (; k < tasks.waitCount; k++) {
    const i = tasks.waits[k];
    const a = toX(start[i]);
    if (a > width) break;
    const b = Math.max(a + 1, toX(end[i]));
    if (a <= x1 + 1) x1 = Math.max(x1, b);
    else {
      if (x1 > x0) mark(x0, x1 - x0);
      x0 = a;
      x1 = b;
    }
  }
  if (x1 > x0) mark(x0, x1 - x0);
}

/**
 * The task a worker is on right now, from its start (or best estimate) to now;
 * its waiting band is the worker's share of the last sample spent waiting for a core.
 */
function drawRunning(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  lane: Lane,
  y: number,
  h: number,
  toX: (t: number) => number,
): void {
  const task = runningTask(scene.store, lane);
  if (task === null) return;
  const s = runningStart(scene.store, lane, task);
  const x0 = toX(s);
  const w = Math.max(1.5, toX(scene.now) - x0);
  ctx.fillStyle = scene.theme.running;
  ctx.fillRect(x0, y, w, h);
  const waiting = lane.sample?.waitingPct;
  if (waiting != null) coreWaitBand(ctx, scene.theme, x0, y, w, h, waiting / 100);
}

function drawFailures(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  tasks: LaneTasks,
  y: number,
  h: number,
  toX: (t: number) => number,
): void {
  const { store, theme } = scene;
  for (const f of tasks.failures) {
    const x0 = toX(store.start[f.task]);
    const x1 = toX(store.end[f.task]);
    if (x1 < 0 || x0 > scene.width) continue;
    const w = Math.max(3, x1 - x0);
    const color = failColor(theme, f.kind);
    ctx.fillStyle = color;
    ctx.fillRect(x0, y, w, h);
    // A notch above the bar keeps even a 3 px failure findable at a glance.
    ctx.beginPath();
    ctx.moveTo(x0 + w / 2 - 4, y - 1);
    ctx.lineTo(x0 + w / 2 + 4, y - 1);
    ctx.lineTo(x0 + w / 2, y + 4);
    ctx.closePath();
    ctx.fill();
  }
}

function drawExit(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  lane: Lane,
  y: number,
  h: number,
  x: number,
): void {
  const { theme } = scene;
  const bad = lane.exitCause === 'crashed' || lane.exitCause === 'timed-out' || lane.exitCause === 'startup-failed';
  ctx.strokeStyle = bad ? theme.failed : theme.text3;
  ctx.lineWidth = 1.5;
  const cy = y + h / 2;
  const r = Math.min(4, h / 4);
  ctx.beginPath();
  ctx.moveTo(x, y + 2);
  ctx.lineTo(x, y + h - 2);
  ctx.moveTo(x + 2, cy - r);
  ctx.lineTo(x + 2 + 2 * r, cy + r);
  ctx.moveTo(x + 2, cy + r);
  ctx.lineTo(x + 2 + 2 * r, cy - r);
  ctx.stroke();
  ctx.lineWidth = 1;
}

function drawHighlight(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  layout: TimelineLayout,
  toX: (t: number) => number,
): void {
  const { store, index, theme } = scene;
  const task = scene.highlight;
  if (task === null || task >= store.size) return;
  const row = index.rowOf.get(store.worker[task]);
  if (row === undefined) return;
  const s = store.start[task];
  if (!Number.isFinite(s)) return;
  const e = Number.isFinite(store.end[task]) ? store.end[task] : scene.now;
  const x0 = toX(s);
  const w = Math.max(3, toX(e) - x0);
  const y = layout.top + row * layout.rowH;
  ctx.strokeStyle = theme.text;
  ctx.lineWidth = 2;
  ctx.strokeRect(x0 - 1, y + 1, w + 2, layout.rowH - 2);
  ctx.lineWidth = 1;
}

/** What a worker is executing: the reported task, else the head of its inbox. */
export function runningTask(store: TaskStore, lane: Lane): number | null {
  if (lane.exitedAt !== null || !store.run || store.run.finishedAt !== null) return null;
  const task = store.runningTask(lane);
  return task >= 0 ? task : null;
}

/** When the running task started; short tasks are not reported as started, so estimate. */
export function runningStart(store: TaskStore, lane: Lane, task: number): number {
  const s = store.start[task];
  if (Number.isFinite(s)) return s;
  return Math.max(lane.lastEnd, store.dispatchedAt[task], lane.readyAt ?? -Infinity);
}

export function failColor(theme: Theme, kind: FailKind): string {
  return kind === 'timeout' ? theme.timeout : kind === 'crash' ? theme.crash : theme.failed;
}

/** The task under (x, y) in CSS pixels, or null. */
export function hitTestTimeline(scene: TimelineScene, x: number, y: number): number | null {
  const { store, index, range, origin } = scene;
  const layout = timelineLayout(scene);
  if (x < layout.plotX || y < layout.top) return null;
  const r = Math.floor((y - layout.top) / layout.rowH);
  const row = index.rows[r];
  if (!row) return null;
  const msPerPx = (range.t1 - range.t0) / layout.plotW;
  const t = origin + range.t0 + (x - layout.plotX) * msPerPx;
  let best: number | null = null;
  let bestDistance = 3 * msPerPx;
  const consider = (task: number, s: number, e: number, minPx: number) => {
    const half = Math.max(0, minPx * msPerPx - (e - s)) / 2;
    const distance = t < s - half ? s - half - t : t > e + half ? t - e - half : 0;
    // Failures and running tasks are drawn on top, so they win ties.
    if (minPx > 1 ? distance <= bestDistance : distance < bestDistance) {
      best = task;
      bestDistance = distance;
    }
  };
  for (const worker of row.workers) {
    const lane = store.lanes.get(worker);
    const tasks = index.lanes.get(worker);
    if (tasks) {
      tasks.sort(store.start, store.end, store.coreWait);
      const k = tasks.lowerBound(store.start, t);
      for (const j of [k - 1, k]) {
        if (j < 0 || j >= tasks.length) continue;
        const id = tasks.ids[j];
        consider(id, store.start[id], store.end[id], 1);
      }
      for (const f of tasks.failures) consider(f.task, store.start[f.task], store.end[f.task], 3);
    }
    const running = lane ? runningTask(store, lane) : null;
    if (lane && running !== null) consider(running, runningStart(store, lane, running), scene.now, 2);
  }
  return best;
}

const patterns = new WeakMap<Theme, Map<string, CanvasPattern | null>>();

/** Diagonal stripes in `color`, made once per theme: rising (/) or, for a second kind of wait, falling (\). */
function hatch(
  ctx: CanvasRenderingContext2D,
  theme: Theme,
  color: string,
  direction: 'forward' | 'back' = 'forward',
): CanvasPattern | null {
  let byColor = patterns.get(theme);
  if (!byColor) patterns.set(theme, (byColor = new Map()));
  const key = `${color}/${direction}`;
  if (!byColor.has(key)) {
    const tile = document.createElement('canvas');
    tile.width = tile.height = direction === 'back' ? 4 : 6;
    const t = tile.getContext('2d');
    const n = tile.width;
    if (t) {
      t.strokeStyle = color;
      t.lineWidth = 1.5;
      t.beginPath();
      if (direction === 'back') {
        t.moveTo(-1, -1);
        t.lineTo(n + 1, n + 1);
      } else {
        t.moveTo(-1, n + 1);
        t.lineTo(n + 1, -1);
      }
      t.stroke();
    }
    byColor.set(key, ctx.createPattern(tile, 'repeat'));
  }
  return byColor.get(key) ?? null;
}

/** 1, 2 or 5 × 10^k milliseconds, at least `min`. */
export function niceStep(min: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(min, 1e-6)));
  for (const m of [1, 2, 5, 10]) if (m * power >= min) return m * power;
  return 10 * power;
}
