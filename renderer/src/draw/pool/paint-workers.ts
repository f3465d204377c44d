import { formatCompact } from '../../../../shared/format';
import type { Lane } from '../../../../shared/task-store';
import { workerColor } from '../theme';
import { inboxSlots, type WorkerCard, type WorkerTile } from './layout';
import { onColor, roundRect, type PoolScene } from './scene';

/** The workers: a card each (name, pid, current task, inbox, CPU), or a tile each when there are too many. */
export function paintWorkers(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { layout, theme, store } = scene;
  const { workers } = layout;
  if (workers.cards.length === 0 && workers.tiles.length === 0) {
    ctx.fillStyle = theme.text3;
    ctx.font = `12px ${theme.font}`;
    ctx.textAlign = 'center';
    ctx.fillText('Starting worker processes…', workers.area.x + workers.area.w / 2, workers.area.y + 40);
    return;
  }
  for (const card of workers.cards) {
    const lane = store.lanes.get(card.worker);
    if (lane) paintCard(ctx, scene, card, lane);
  }
  for (const tile of workers.tiles) {
    const lane = store.lanes.get(tile.worker);
    if (lane) paintTile(ctx, scene, tile, lane);
  }
  ctx.globalAlpha = 1;
}

function laneState(lane: Lane): 'exited' | 'starting' | 'stopped' | 'stalled' | 'busy' | 'idle' {
  if (lane.exitedAt !== null) return 'exited';
  if (lane.readyAt === null) return 'starting';
  if (lane.sample?.stalledMs != null) return lane.sample.state === 'stopped' ? 'stopped' : 'stalled';
  return lane.held > 0 ? 'busy' : 'idle';
}

function paintCard(ctx: CanvasRenderingContext2D, scene: PoolScene, card: WorkerCard, lane: Lane): void {
  const { theme, store } = scene;
  const { rect, current } = card;
  ctx.globalAlpha = card.alpha;
  roundRect(ctx, rect.x, rect.y, rect.w, rect.h, 7);
  ctx.fillStyle = theme.surface2;
  ctx.fill();
  ctx.fillStyle = workerColor(theme, lane.number);
  roundRect(ctx, rect.x, rect.y, 3.5, rect.h, 2);
  ctx.fill();

  const state = laneState(lane);
  ctx.textAlign = 'left';
  ctx.fillStyle = theme.text;
  ctx.font = `600 12px ${theme.font}`;
  ctx.fillText(`W${lane.number}`, card.name.x, card.name.y, current.x - card.name.x - 4);
  if (card.pid) {
    ctx.font = `10.5px ${theme.mono}`;
    ctx.fillStyle = theme.text3;
    ctx.fillText(lane.pid != null ? `pid ${lane.pid}` : 'pid …', card.pid.x, card.pid.y, current.x - card.pid.x - 4);
  }

  // Current task: filled while working, dashed when idle, hatched while the process starts.
  const running = lane.exitedAt === null ? store.runningTask(lane) : -1;
  roundRect(ctx, current.x, current.y, current.w, current.h, 5);
  if (running >= 0 && state !== 'stopped' && state !== 'stalled') {
    ctx.fillStyle = theme.running;
    ctx.fill();
    ctx.fillStyle = onColor(theme);
    ctx.font = `600 11px ${theme.mono}`;
    ctx.textAlign = 'center';
    ctx.fillText(`#${running}`, current.x + current.w / 2, current.y + current.h / 2 + 0.5, current.w - 4);
  } else {
    const stuck = state === 'stopped' || state === 'stalled';
    ctx.setLineDash(stuck ? [] : [3, 3]);
    ctx.strokeStyle = stuck ? theme.failed : theme.text3;
    ctx.lineWidth = stuck ? 1.5 : 1;
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
    ctx.fillStyle = stuck ? theme.failed : theme.text3;
    ctx.font = `${stuck ? '600 ' : ''}10.5px ${theme.font}`;
    ctx.textAlign = 'center';
    ctx.fillText(state, current.x + current.w / 2, current.y + current.h / 2 + 0.5, current.w - 4);
  }

  // Prefetched inbox: what it holds beyond the task it is running.
  const waiting = Math.max(0, lane.held - (running >= 0 ? 1 : 0));
  const { shown } = inboxSlots(card, waiting);
  const { x, y, box } = card.inbox;
  ctx.fillStyle = theme.done;
  ctx.globalAlpha = card.alpha * 0.55;
  for (let i = 0; i < shown; i++) {
    roundRect(ctx, x + i * (box + 3), y - box / 2, box, box, 2.5);
    ctx.fill();
  }
  ctx.globalAlpha = card.alpha;
  if (waiting > shown) {
    ctx.fillStyle = theme.text2;
    ctx.font = `10.5px ${theme.mono}`;
    ctx.textAlign = 'left';
    ctx.fillText(
      `+${formatCompact(waiting - shown)}`,
      x + shown * (box + 3) + 2,
      y,
      card.inbox.right - x - shown * (box + 3),
    );
  }

  if (card.cpu && lane.exitedAt === null) {
    const cpu = lane.sample?.cpu ?? null;
    const { x: bx, y: by, w } = card.cpu;
    ctx.font = `10.5px ${theme.font}`;
    ctx.textAlign = 'right';
    ctx.fillStyle = theme.text3;
    ctx.fillText(cpu === null ? 'cpu –' : `cpu ${Math.round(cpu)}%`, bx + w, by + 4);
    ctx.fillStyle = theme.border;
    ctx.fillRect(bx, by + 14, w, 3);
    ctx.fillStyle = theme.accent;
    ctx.fillRect(bx, by + 14, (w * Math.min(100, cpu ?? 0)) / 100, 3);
  }
  ctx.globalAlpha = 1;
}

/** A small square per worker: its colour while busy, an outline while idle, red while stopped or stalled. */
function paintTile(ctx: CanvasRenderingContext2D, scene: PoolScene, tile: WorkerTile, lane: Lane): void {
  const { theme } = scene;
  const { x, y, w, h } = tile.rect;
  const state = laneState(lane);
  ctx.globalAlpha = tile.alpha;
  if (state === 'stopped' || state === 'stalled') ctx.fillStyle = theme.failed;
  else if (state === 'busy') ctx.fillStyle = workerColor(theme, lane.number);
  else ctx.fillStyle = theme.surface2;
  ctx.fillRect(x, y, w, h);
  if (state === 'idle' || state === 'starting') {
    ctx.strokeStyle = theme.border;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }
  if (tile.labelled) {
    ctx.fillStyle = state === 'busy' || state === 'stopped' || state === 'stalled' ? onColor(theme) : theme.text2;
    ctx.font = `600 9.5px ${theme.font}`;
    ctx.textAlign = 'center';
    ctx.fillText(`W${lane.number}`, x + w / 2, y + h / 2 + 0.5, w - 2);
  }
  ctx.globalAlpha = 1;
}
