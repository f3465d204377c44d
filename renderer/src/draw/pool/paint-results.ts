import { formatCompact, formatCount, pyRepr } from '../../../../shared/format';
import { TaskState } from '../../../../shared/task-store';
import { cellRect } from './layout';
import { onColor, roundRect, sectionTitle, type PoolScene } from './scene';

/** Smallest font a cell's value is written in before it is left out. */
const MIN_VALUE_PX = 7.5;

/**
 * A result's text for a cell: Python's repr where it fits, else compact
 * ("12.3K"), at a font size that fits the cell; null where nothing readable fits.
 */
export function cellText(
  value: string,
  side: number,
  measure: (text: string, px: number) => number,
): { text: string; px: number } | null {
  const room = side - 6;
  const base = side >= 36 ? 11 : 9.5;
  const digits = /^-?\d+$/.test(value) ? value.replace('-', '').length : 0;
  const compact = digits > 3 ? formatCompact(Number(value)) : value;
  const candidates = value === compact ? [value] : [value, compact];
  // Whole at the usual size if it fits; else smaller, as the shorter of the two, while still readable.
  for (const text of candidates) if (measure(text, base) <= room) return { text, px: base };
  // The shorter of the two; the exact value when they are as long.
  const text = candidates.reduce((a, b) => (measure(b, base) < measure(a, base) ? b : a));
  const px = (base * room) / measure(text, base);
  return px >= MIN_VALUE_PX ? { text, px } : null;
}

/** Results filling in: in input order, or in completion order for imap_unordered; a cell per task or per bucket. */
export function paintResults(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { theme, store, model, layout } = scene;
  const { results } = layout;
  const { grid } = results;
  const run = store.run;
  sectionTitle(ctx, theme, 'Results', results.title.x, results.title.y);
  if (!run) return;
  const unordered = run.run.spec?.mode === 'imap_unordered';
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text2;
  ctx.textAlign = 'left';
  const order = unordered ? 'completion order' : 'input order';
  const full = run.run.spec ? `${order} · ${run.run.spec.mode}` : order;
  ctx.fillText(ctx.measureText(full).width <= results.area.w ? full : order, results.caption.x, results.caption.y);

  const settled = store.orderLength;
  const inset = grid.side >= 8 ? 1.5 : grid.side >= 5 ? 0.5 : 0;
  // A cpu task's result is a checksum: written in every cell it is only noise.
  const showText = grid.per === 1 && grid.side >= 20 && run.run.spec?.workload !== 'cpu';
  const measure = (text: string, px: number) => {
    ctx.font = `600 ${px}px ${theme.mono}`;
    return ctx.measureText(text).width;
  };
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
      ctx.fillStyle = onColor(theme);
      ctx.textAlign = 'center';
      const raw = store.resultText.get(task) ?? pyRepr(Number.isNaN(store.result[task]) ? null : store.result[task]);
      // In completion order, which task landed where is the point: its id comes first.
      const first = cellText(unordered ? `#${task}` : raw, grid.side, measure);
      if (!first) continue;
      const second = unordered && grid.side >= 30 ? cellText(raw, grid.side, measure) : null;
      ctx.font = `600 ${first.px}px ${theme.mono}`;
      ctx.fillText(first.text, r.x + r.w / 2, r.y + r.h / 2 + (second ? -5 : 0.5));
      if (second) {
        ctx.globalAlpha = 0.8;
        ctx.font = `${Math.min(9, second.px)}px ${theme.mono}`;
        ctx.fillText(second.text, r.x + r.w / 2, r.y + r.h / 2 + 8);
        ctx.globalAlpha = 1;
      }
    }
  }
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text3;
  ctx.textAlign = 'left';
  const count = `${formatCount(settled)} / ${formatCount(store.size)}`;
  const note = grid.per > 1 ? ` · ${formatCompact(grid.per)} a cell` : '';
  const y = Math.min(results.area.y + results.area.h - 6, grid.y + grid.rows * grid.side + 14);
  ctx.fillText(ctx.measureText(count + note).width <= results.area.w ? count + note : count, results.area.x, y);
}
