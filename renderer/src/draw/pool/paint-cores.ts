import { formatDuration } from '../../../../shared/format';
import { workerColor } from '../theme';
import type { Rect } from './layout';
import type { Placed } from './model';
import { onColor, roundRect, sectionTitle, type PoolScene } from './scene';

const CHIP_H = 14;
/** Where chips start under a box's label. */
const CHIPS_TOP = 15;

/**
 * The machine's cores, each with the workers that last ran on it (solid while
 * computing), and beside them the workers waiting for a core with the share of
 * the last sample they waited. Stopped and stalled workers are outlined in red
 * and say for how long.
 */
export function paintCores(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { layout, theme, placement } = scene;
  const cores = layout.cores;
  if (!cores) return;
  sectionTitle(ctx, theme, placement ? `Cores · ${cores.boxes.length}` : 'Cores', cores.title.x, cores.title.y);
  // Cores the pool does not use are not idle when other programs use them: say so.
  const others = scene.machine?.othersCpu ?? null;
  if (others !== null && others >= 10) {
    ctx.font = `10.5px ${theme.font}`;
    ctx.fillStyle = others >= 50 ? theme.warnText : theme.text3;
    ctx.textAlign = 'left';
    ctx.fillText(
      `other programs are using ${(others / 100).toFixed(1)} of them`,
      cores.title.x + 70,
      cores.title.y,
      cores.area.w - 70,
    );
  }
  if (!placement) {
    ctx.font = `12px ${theme.font}`;
    ctx.fillStyle = theme.text3;
    ctx.textAlign = 'left';
    ctx.fillText(
      scene.coresNote ?? 'Which core each worker runs on is not measured here.',
      cores.area.x,
      cores.area.y + cores.area.h / 2,
      cores.area.w,
    );
    return;
  }
  const busy = scene.machine?.coresBusy;
  cores.boxes.forEach((box, c) => {
    const here = placement.onCore[c] ?? [];
    // A core is busy when something ran on it: a worker placed here, or workers taking turns (all "waiting").
    const share = busy?.[c];
    const active = here.some((p) => p.cpu >= 5 && !p.stuck) || (share !== undefined && share >= 50);
    roundRect(ctx, box.x, box.y, box.w, box.h, 6);
    ctx.fillStyle = active ? theme.surface2 : theme.surface;
    ctx.fill();
    ctx.strokeStyle = active ? theme.text3 : theme.border;
    ctx.stroke();
    const labelled = box.h >= 30;
    if (labelled) {
      ctx.font = `10px ${theme.mono}`;
      ctx.fillStyle = theme.text3;
      ctx.textAlign = 'left';
      ctx.fillText(`cpu${c}`, box.x + 6, box.y + 8);
      if (share !== undefined) {
        ctx.textAlign = 'right';
        ctx.fillStyle = share >= 50 ? theme.text2 : theme.text3;
        ctx.fillText(`${Math.round(share)}% busy`, box.x + box.w - 6, box.y + 8);
      }
    }
    chips(
      ctx,
      scene,
      here,
      box,
      labelled ? CHIPS_TOP : 3,
      (p) => (p.stuck ? `W${p.number} ${p.stuck.state} ${formatDuration(p.stuck.ms)}` : `W${p.number}`),
      // Solid while it computes; faded when it only last ran here.
      (p) => p.stuck !== null || p.cpu >= 5,
    );
  });

  const { waiting } = cores;
  const queue = [...placement.waiting, ...placement.unplaced];
  roundRect(ctx, waiting.x, waiting.y, waiting.w, waiting.h, 6);
  ctx.fillStyle = placement.waiting.length ? theme.surface2 : theme.surface;
  ctx.fill();
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = placement.waiting.length ? theme.coreWait : theme.border;
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = `600 10px ${theme.font}`;
  ctx.fillStyle = placement.waiting.length ? theme.coreWait : theme.text3;
  ctx.textAlign = 'left';
  ctx.fillText('waiting for a core', waiting.x + 6, waiting.y + 8, waiting.w - 12);
  chips(
    ctx,
    scene,
    queue,
    waiting,
    CHIPS_TOP,
    (p) => (p.waitingPct === null ? `W${p.number} …` : `W${p.number} ${Math.round(p.waitingPct)}%`),
    (p) => p.waitingPct !== null,
  );
}

/** Worker chips left to right, in as many lines as fit; what does not fit is counted as "+N". */
function chips(
  ctx: CanvasRenderingContext2D,
  scene: PoolScene,
  placed: Placed[],
  box: Rect,
  top: number,
  label: (p: Placed) => string,
  solid: (p: Placed) => boolean,
): void {
  const { theme } = scene;
  ctx.font = `600 10px ${theme.font}`;
  const lines = Math.max(1, Math.floor((box.h - top - 2) / (CHIP_H + 2)));
  const left = box.x + 6;
  const right = box.x + box.w - 4;
  const moreW = ctx.measureText('+99').width + 6;
  let line = 0;
  let x = left;
  for (let i = 0; i < placed.length; i++) {
    const p = placed[i];
    const text = label(p);
    const w = ctx.measureText(text).width + 10;
    // On the last line, keep room to say how many did not fit.
    const need = () => w + (line === lines - 1 && i < placed.length - 1 ? moreW + 3 : 0);
    if (x + need() > right && x > left && line < lines - 1) {
      line++;
      x = left;
    }
    const y = box.y + top + line * (CHIP_H + 2);
    if (x + need() > right) {
      ctx.fillStyle = theme.text2;
      ctx.textAlign = 'left';
      ctx.fillText(`+${placed.length - i}`, x, y + CHIP_H / 2 + 0.5);
      return;
    }
    ctx.globalAlpha = solid(p) ? 1 : 0.4;
    roundRect(ctx, x, y, w, CHIP_H, 7);
    if (p.stuck) {
      ctx.fillStyle = theme.surface;
      ctx.fill();
      ctx.strokeStyle = theme.failed;
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.lineWidth = 1;
      ctx.fillStyle = theme.failed;
    } else {
      ctx.fillStyle = workerColor(theme, p.number);
      ctx.fill();
      ctx.fillStyle = onColor(theme);
    }
    ctx.textAlign = 'center';
    ctx.fillText(text, x + w / 2, y + CHIP_H / 2 + 0.5);
    ctx.globalAlpha = 1;
    x += w + 3;
  }
}
