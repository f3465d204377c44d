/**
 * A PNG of what the canvases in `root` show right now, laid out as on screen:
 * each canvas on its panel with the panel's heading, under a title strip. The
 * canvases already hold device-pixel backing stores, so they are copied 1:1 at
 * devicePixelRatio, not redrawn.
 */
import { theme } from '../draw/theme';

const TITLE_H = 44;
const PAD = 12;

export interface PngCaption {
  title: string;
  detail: string;
}

export function viewPng(root: HTMLElement, caption: PngCaption): Promise<Blob> {
  const canvases = [...root.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.getClientRects().length > 0);
  if (canvases.length === 0) return Promise.reject(new Error('there is no view on screen to capture'));
  const panels = canvases.map((canvas) => ({ canvas, panel: canvas.closest<HTMLElement>('.panel') ?? canvas }));
  const rects = panels.map(({ panel }) => panel.getBoundingClientRect());
  const left = Math.min(...rects.map((r) => r.left));
  const top = Math.min(...rects.map((r) => r.top));
  const width = Math.max(...rects.map((r) => r.right)) - left + 2 * PAD;
  const height = Math.max(...rects.map((r) => r.bottom)) - top + TITLE_H + PAD;
  const dpr = window.devicePixelRatio || 1;

  const out = document.createElement('canvas');
  out.width = Math.round(width * dpr);
  out.height = Math.round(height * dpr);
  const ctx = out.getContext('2d');
  if (!ctx) return Promise.reject(new Error('the browser could not make an image'));
  ctx.scale(dpr, dpr);
  const t = theme();
  ctx.fillStyle = t.bg;
  ctx.fillRect(0, 0, width, height);

  ctx.textBaseline = 'middle';
  ctx.fillStyle = t.text;
  ctx.font = `650 15px ${t.font}`;
  ctx.fillText(caption.title, PAD, TITLE_H / 2);
  const titleW = ctx.measureText(caption.title).width;
  ctx.fillStyle = t.text3;
  ctx.font = `12px ${t.font}`;
  const detailX = PAD + titleW + 12;
  ctx.fillText(ellipsize(ctx, caption.detail, width - PAD - detailX), detailX, TITLE_H / 2);

  // Screen position → image position.
  const x = (clientX: number) => clientX - left + PAD;
  const y = (clientY: number) => clientY - top + TITLE_H;
  panels.forEach(({ canvas, panel }, i) => {
    const r = rects[i];
    ctx.beginPath();
    ctx.roundRect(x(r.left) + 0.5, y(r.top) + 0.5, r.width - 1, r.height - 1, 10);
    ctx.fillStyle = t.surface;
    ctx.fill();
    ctx.strokeStyle = t.border;
    ctx.stroke();
    const heading = panel.querySelector('h2');
    if (heading) {
      const h = heading.getBoundingClientRect();
      ctx.fillStyle = t.text;
      ctx.font = `600 13px ${t.font}`;
      ctx.fillText(heading.textContent ?? '', x(h.left), y(h.top + h.height / 2));
    }
    const c = canvas.getBoundingClientRect();
    ctx.drawImage(canvas, x(c.left), y(c.top), c.width, c.height);
  });

  return new Promise((resolve, reject) =>
    out.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the PNG'))),
      'image/png',
    ),
  );
}

/** `text`, cut with an ellipsis to fit `max` pixels in the context's current font. */
function ellipsize(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let cut = text;
  while (cut.length > 0 && ctx.measureText(`${cut}…`).width > max) cut = cut.slice(0, -1);
  return cut ? `${cut.trimEnd()}…` : '';
}
