import { formatCount } from '../../../../shared/format';
import { roundRect, sectionTitle, type PoolScene } from './scene';

/** The queue: how many tasks wait, and the next few by id. */
export function paintQueue(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { theme, store, layout } = scene;
  const { queue } = layout;
  sectionTitle(ctx, theme, 'Queue', queue.title.x, queue.title.y);
  const queued = store.counts?.queued ?? 0;
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.text;
  ctx.font = `600 26px ${theme.font}`;
  ctx.fillText(formatCount(queued), queue.count.x, queue.count.y, queue.area.w);
  ctx.font = `11px ${theme.font}`;
  ctx.fillStyle = theme.text2;
  const paused = store.run?.paused && store.run.finishedAt === null;
  ctx.fillText(
    paused ? 'submission paused' : queued === 1 ? 'task waiting' : 'tasks waiting',
    queue.caption.x,
    queue.caption.y,
  );

  const next = scene.model.nextQueued(store, queue.boxes.length);
  ctx.font = `11px ${theme.mono}`;
  ctx.textAlign = 'center';
  for (let i = 0; i < next.length; i++) {
    const box = queue.boxes[i];
    ctx.globalAlpha = Math.max(0.25, 1 - i / (queue.boxes.length + 2));
    roundRect(ctx, box.x, box.y, box.w, box.h, 5);
    ctx.fillStyle = theme.surface2;
    ctx.fill();
    ctx.strokeStyle = theme.border;
    ctx.stroke();
    ctx.fillStyle = theme.text2;
    ctx.fillText(`#${next[i]}`, box.x + box.w / 2, box.y + box.h / 2 + 0.5, box.w - 8);
  }
  ctx.globalAlpha = 1;
  const last = queue.boxes[next.length - 1];
  if (queued > next.length && last) {
    ctx.fillStyle = theme.text3;
    ctx.fillText(`+ ${formatCount(queued - next.length)} more`, last.x + last.w / 2, last.y + last.h + 12, last.w);
  }
}
