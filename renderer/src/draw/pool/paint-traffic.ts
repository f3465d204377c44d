import { formatCompact } from '../../../../shared/format';
import { FLIGHT_MS, MAX_DRAWN_FLIGHTS, type Flight } from '../flights';
import { cellRect, inboxSlots, workerAnchor, type Point } from './layout';
import { onColor, roundRect, type PoolScene } from './scene';

/** Up to this many flights in the air carry their task id. */
const LABELLED_FLIGHTS = 8;

/** Individual flights while they are few; streams with a rate when they are not. */
export function paintTraffic(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { flights, time } = scene;
  if (flights.flights.length > MAX_DRAWN_FLIGHTS) {
    paintStreams(ctx, scene);
    return;
  }
  // Labels help while a few tasks fly; a dozen labelled boxes at once are only clutter.
  const labelled = flights.flights.length <= LABELLED_FLIGHTS;
  for (const flight of flights.flights)
    paintFlight(ctx, scene, flight, Math.min(1, (time - flight.born) / FLIGHT_MS), labelled);
}

function flightEnds(scene: PoolScene, flight: Flight): [Point, Point] | null {
  const { layout, store } = scene;
  const anchor = workerAnchor(layout, flight.worker);
  if (!anchor) return null;
  if (flight.kind === 'dispatch') {
    const card = layout.workers.cards.find((c) => c.worker === flight.worker);
    const lane = store.lanes.get(flight.worker);
    if (!card || !lane) return [layout.stackTop, anchor.inbox];
    const waiting = Math.max(0, lane.held - (store.runningTask(lane) >= 0 ? 1 : 0));
    return [layout.stackTop, inboxSlots(card, waiting).end];
  }
  const grid = layout.results.grid;
  if (!grid.cells) return null;
  const unordered = store.run?.run.spec?.mode === 'imap_unordered';
  const cell = Math.min(grid.cells - 1, Math.floor((unordered ? flight.slot : flight.task) / grid.per));
  const r = cellRect(grid, cell);
  return [anchor.current, { x: r.x + r.w / 2, y: r.y + r.h / 2 }];
}

function paintFlight(
  ctx: CanvasRenderingContext2D,
  scene: PoolScene,
  flight: Flight,
  p: number,
  labelled: boolean,
): void {
  const ends = flightEnds(scene, flight);
  if (!ends) return;
  const { theme } = scene;
  const [a, b] = ends;
  const e = 1 - (1 - p) ** 3;
  // A gentle arc reads as motion better than a straight slide.
  const x = a.x + (b.x - a.x) * e;
  const y = a.y + (b.y - a.y) * e - Math.sin(Math.PI * e) * 18;
  ctx.globalAlpha = p > 0.85 ? (1 - p) / 0.15 : 1;
  ctx.fillStyle = flight.kind === 'dispatch' ? theme.running : flight.failed ? theme.failed : theme.done;
  const label = flight.count > 1 ? `×${formatCompact(flight.count)}` : `#${flight.task}`;
  if (labelled || flight.count > 1) {
    ctx.font = `600 10.5px ${theme.mono}`;
    const w = Math.max(26, ctx.measureText(label).width + 10);
    roundRect(ctx, x - w / 2, y - 9, w, 18, 5);
    ctx.fill();
    ctx.fillStyle = onColor(theme);
    ctx.textAlign = 'center';
    ctx.fillText(label, x, y + 0.5);
  } else {
    roundRect(ctx, x - 5, y - 5, 10, 10, 3);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

function paintStreams(ctx: CanvasRenderingContext2D, scene: PoolScene): void {
  const { theme, time, flights, layout } = scene;
  const { grid } = layout.results;
  const resultsAt = { x: layout.results.area.x - 6, y: grid.y + Math.min(grid.h, grid.rows * grid.side) / 2 };
  ctx.lineCap = 'round';
  const workers = [
    ...layout.workers.cards.map((c) => ({
      worker: c.worker,
      rect: c.rect,
      rateAt: { x: c.rect.x + c.rect.w - 10, y: c.rect.y + c.rect.h / 2 + (c.cpu ? 10 : 0) },
    })),
    ...layout.workers.tiles.map((t) => ({ worker: t.worker, rect: t.rect, rateAt: null })),
  ];
  for (const { worker, rect, rateAt } of workers) {
    const { dispatch, result } = flights.rates(worker, time);
    const cy = rect.y + rect.h / 2;
    const legs: [number, Point, Point, string][] = [
      [dispatch, layout.stackTop, { x: rect.x - 4, y: cy }, theme.running],
      [result, { x: rect.x + rect.w + 4, y: cy }, resultsAt, theme.done],
    ];
    for (const [rate, a, b, color] of legs) {
      if (rate < 1) continue;
      // Wider and faster with the rate, on a log scale: 10/s and 1M/s both read.
      const strength = Math.min(1, Math.log10(rate) / 6);
      ctx.strokeStyle = color;
      ctx.globalAlpha = (0.35 + 0.5 * strength) * (rateAt ? 1 : 0.25);
      ctx.lineWidth = 1.5 + 3 * strength;
      ctx.setLineDash([2, 7]);
      ctx.lineDashOffset = -((time / 1000) * (40 + 160 * strength));
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.bezierCurveTo((a.x + b.x) / 2, a.y, (a.x + b.x) / 2, b.y, b.x, b.y);
      ctx.stroke();
    }
    if (result >= 1 && rateAt) {
      ctx.globalAlpha = 1;
      ctx.setLineDash([]);
      ctx.font = `10.5px ${theme.mono}`;
      ctx.fillStyle = theme.text2;
      ctx.textAlign = 'right';
      ctx.fillText(`${formatCompact(result)}/s`, rateAt.x, rateAt.y);
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
}
