/**
 * Hooks a canvas into the shared draw loop: keeps its backing store at the
 * element's size × devicePixelRatio (ResizeObserver) and repaints only when the
 * painter is dirty, animating, resized or the theme changed.
 */
import type { DrawLoop } from './loop';
import { onThemeChange } from './theme';

/** What a canvas view does each animation frame. */
export interface Painter {
  /** Whether the data it shows moved since it last painted. */
  dirty(time: number): boolean;
  /** Paints at CSS-pixel size; returns true while something animates. */
  paint(ctx: CanvasRenderingContext2D, width: number, height: number, time: number): boolean;
}

/** Starts painting `canvas` from the loop; returns the detach function. */
export function attachCanvas(canvas: HTMLCanvasElement, loop: DrawLoop, painter: Painter): () => void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return () => {};
  let width = 0;
  let height = 0;
  let dpr = 0;
  let stale = true;
  let animating = false;
  const observer = new ResizeObserver(([entry]) => {
    width = entry.contentRect.width;
    height = entry.contentRect.height;
    stale = true;
    loop.invalidate();
  });
  observer.observe(canvas);
  const offTheme = onThemeChange(() => {
    stale = true;
    loop.invalidate();
  });
  const offLoop = loop.add({
    frame(time) {
      if (width < 1 || height < 1) return false;
      const ratio = window.devicePixelRatio || 1;
      const resized =
        ratio !== dpr || canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio);
      if (!stale && !resized && !animating && !painter.dirty(time)) return false;
      if (resized) {
        dpr = ratio;
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
      }
      stale = false;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      animating = painter.paint(ctx, width, height, time);
      return animating;
    },
  });
  return () => {
    observer.disconnect();
    offTheme();
    offLoop();
  };
}
