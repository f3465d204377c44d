/**
 * The live timeline's drawing (drawTimeline) over any TaskStore: a recorded
 * run, one backend of a comparison, a scenario from its first step to its last.
 * Several of them share one time axis when given the same range; markers label
 * moments such as "pool.close()" with a line across the rows.
 */
import type { TaskStore } from '../../../shared/task-store';
import type { Painter } from '../draw/canvas';
import { theme, type Theme } from '../draw/theme';
import { describeRows, drawTimeline, timelineLayout, type TimelineScene } from '../draw/timeline';
import type { TimeRange } from '../draw/timeline-camera';
import { TimelineIndex } from '../draw/timeline-index';

export interface Marker {
  /** Host clock, like the store's times. */
  at: number;
  label: string;
}

export interface RunTimelineView {
  /** Time 0 of the axis (host clock); by default the first worker's spawn or the run's start. */
  origin?: number;
  /** Milliseconds from origin; by default everything the store has seen. */
  range?: TimeRange;
  markers?: readonly Marker[];
}

/** Where a store's story starts: its first worker's spawn, or its run's start. */
export function storeOrigin(store: TaskStore): number {
  let origin = store.run?.startedAt ?? Infinity;
  for (const lane of store.lanes.values()) origin = Math.min(origin, lane.spawnedAt);
  return Number.isFinite(origin) ? origin : store.lastFrameAt;
}

/** The latest time a store knows of: its last frame, or its run's end. */
export function storeEnd(store: TaskStore): number {
  return Math.max(store.lastFrameAt, store.run?.finishedAt ?? -Infinity);
}

export class RunTimelinePainter implements Painter {
  private readonly index = new TimelineIndex();
  private view: RunTimelineView = {};
  private viewVersion = 0;
  private seen = { store: -1, view: -1 };

  constructor(private readonly store: TaskStore) {}

  setView(view: RunTimelineView): void {
    this.view = view;
    this.viewVersion++;
  }

  dirty(): boolean {
    return this.seen.store !== this.store.version || this.seen.view !== this.viewVersion;
  }

  paint(ctx: CanvasRenderingContext2D, width: number, height: number): boolean {
    const store = this.store;
    this.seen = { store: store.version, view: this.viewVersion };
    this.index.update(store);
    const origin = this.view.origin ?? storeOrigin(store);
    const now = storeEnd(store);
    const range = this.view.range ?? { t0: 0, t1: Math.max(1, (now - origin) * 1.03) };
    const scene: TimelineScene = {
      store,
      index: this.index,
      theme: theme(),
      width,
      height,
      range,
      origin,
      now,
      highlight: null,
    };
    // Markers' labels get a strip of their own under the rows, never over a bar.
    const labels = this.view.markers?.length ? placeMarkers(ctx, scene, this.view.markers) : null;
    if (labels) scene.bottom = labels.height;
    drawTimeline(ctx, scene);
    if (labels) drawMarkers(ctx, scene, labels);
    const data = ctx.canvas.dataset;
    data.rows = String(this.index.rows.length);
    data.tasks = String(store.orderLength);
    data.waits = String(store.waits.length);
    data.segments = JSON.stringify(describeRows(store, this.index, origin, now));
    if (labels)
      data.markers = JSON.stringify(
        labels.placed.map((p) => ({ label: p.label, x: p.x, left: p.left, w: p.w, level: p.level })),
      );
    return false;
  }
}

const LABEL_H = 16;
const LABEL_GAP = 3;

interface PlacedMarker {
  label: string;
  /** The marker's line. */
  x: number;
  /** Its label's box. */
  left: number;
  w: number;
  /** Row of labels, 0 at the bottom: labels that would overlap step up. */
  level: number;
}

/** Where each marker's label goes, so none overlaps another; and how tall the strip under the rows must be. */
export function placeMarkers(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  markers: readonly Marker[],
): { placed: PlacedMarker[]; height: number } {
  const { plotX, plotW } = timelineLayout(scene);
  const msPerPx = (scene.range.t1 - scene.range.t0) / plotW;
  ctx.font = `600 10.5px ${scene.theme.font}`;
  const placed: PlacedMarker[] = [];
  for (const marker of [...markers].sort((a, b) => a.at - b.at)) {
    const x = Math.round(plotX + (marker.at - scene.origin - scene.range.t0) / msPerPx) + 0.5;
    if (x < plotX - 1 || x > plotX + plotW + 1) continue;
    const w = ctx.measureText(marker.label).width + 10;
    // Near the right edge the label hangs to the left of its line.
    const left = x + w + 2 > plotX + plotW ? x - w - 2 : x + 2;
    // The lowest row where it clears every label already there.
    let level = 0;
    while (placed.some((p) => p.level === level && left < p.left + p.w + 4 && p.left < left + w + 4)) level++;
    placed.push({ label: marker.label, x, left, w, level });
  }
  const levels = placed.length ? Math.max(...placed.map((p) => p.level)) + 1 : 0;
  return { placed, height: levels ? levels * (LABEL_H + LABEL_GAP) + 4 : 0 };
}

/** A dashed line per marker across the rows, labelled in the strip under them. */
export function drawMarkers(
  ctx: CanvasRenderingContext2D,
  scene: TimelineScene,
  labels: { placed: PlacedMarker[]; height: number },
): void {
  const { top } = timelineLayout(scene);
  const t: Theme = scene.theme;
  ctx.save();
  ctx.font = `600 10.5px ${t.font}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const { label, x, left, w, level } of labels.placed) {
    const y = scene.height - 4 - LABEL_H / 2 - level * (LABEL_H + LABEL_GAP);
    ctx.strokeStyle = t.text2;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x, y - LABEL_H / 2);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = t.surface;
    ctx.fillRect(left, y - LABEL_H / 2, w, LABEL_H);
    ctx.strokeStyle = t.border;
    ctx.strokeRect(left + 0.5, y - LABEL_H / 2 + 0.5, w - 1, LABEL_H - 1);
    ctx.fillStyle = t.text;
    ctx.fillText(label, left + 5, y);
  }
  ctx.restore();
}
