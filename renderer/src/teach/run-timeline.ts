/**
 * The live timeline's drawing (drawTimeline) over any TaskStore: a recorded
 * run, one backend of a comparison, a scenario from its first step to its last.
 * Several of them share one time axis when given the same range; markers label
 * moments such as "pool.close()" with a line across the rows.
 */
import type { TaskStore } from '../../../shared/task-store';
import type { Painter } from '../draw/canvas';
import { theme, type Theme } from '../draw/theme';
import { drawTimeline, timelineLayout, type TimelineScene } from '../draw/timeline';
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
    drawTimeline(ctx, scene);
    if (this.view.markers?.length) drawMarkers(ctx, scene, this.view.markers);
    const data = ctx.canvas.dataset;
    data.rows = String(this.index.rows.length);
    data.tasks = String(store.orderLength);
    data.waits = String(store.waits.length);
    return false;
  }
}

/** A dashed line per marker across the rows, labelled at the bottom; labels that would collide step up. */
export function drawMarkers(ctx: CanvasRenderingContext2D, scene: TimelineScene, markers: readonly Marker[]): void {
  const { plotX, plotW, top } = timelineLayout(scene);
  const t: Theme = scene.theme;
  const msPerPx = (scene.range.t1 - scene.range.t0) / plotW;
  const label = 16;
  ctx.save();
  ctx.font = `600 10.5px ${t.font}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const rightEdges: number[] = [];
  for (const marker of [...markers].sort((a, b) => a.at - b.at)) {
    const x = Math.round(plotX + (marker.at - scene.origin - scene.range.t0) / msPerPx) + 0.5;
    if (x < plotX - 1 || x > plotX + plotW + 1) continue;
    ctx.strokeStyle = t.text2;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, top - 4);
    ctx.lineTo(x, scene.height - 2);
    ctx.stroke();
    ctx.setLineDash([]);
    const w = ctx.measureText(marker.label).width + 10;
    // Near the right edge the label hangs to the left of its line.
    const left = x + w + 2 > plotX + plotW ? x - w - 2 : x + 2;
    let level = rightEdges.findIndex((edge) => edge < left);
    if (level < 0) level = rightEdges.length;
    rightEdges[level] = left + w;
    const y = scene.height - 4 - label / 2 - level * (label + 3);
    ctx.fillStyle = t.surface;
    ctx.globalAlpha = 0.92;
    ctx.fillRect(left, y - label / 2, w, label);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = t.border;
    ctx.strokeRect(left + 0.5, y - label / 2 + 0.5, w - 1, label - 1);
    ctx.fillStyle = t.text;
    ctx.fillText(marker.label, left + 5, y);
  }
  ctx.restore();
}
