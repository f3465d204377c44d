/**
 * The pool view: the queue on the left, one card per worker in the middle (its
 * current task and prefetched inbox), the machine's cores beneath, and results
 * filling in on the right. Tasks fly between them (see ../flights.ts).
 *
 * Order of work each frame: bring the model and the flights up to date, lay
 * out (pure, frozen), then paint each part from that layout.
 */
import type { MachineSample } from '../../../../shared/events';
import type { TaskStore } from '../../../../shared/task-store';
import type { FlightTracker } from '../flights';
import type { Theme } from '../theme';
import { poolLayout, type LaneSlot, type PoolLayout } from './layout';
import { placeOnCores, type PoolModel } from './model';
import { paintCores } from './paint-cores';
import { paintQueue } from './paint-queue';
import { paintResults } from './paint-results';
import { paintTraffic } from './paint-traffic';
import { paintWorkers } from './paint-workers';
import type { PoolScene } from './scene';

/** How long an exited worker's card lingers, fading, so exits are seen. */
export const EXIT_FADE_MS = 900;

export interface PoolFrame {
  store: TaskStore;
  model: PoolModel;
  flights: FlightTracker;
  theme: Theme;
  width: number;
  height: number;
  /** Local animation clock (performance.now). */
  time: number;
  /** The host's clock. */
  now: number;
  cores: number;
  /** Why core placement is not shown, where it is not: null to show it. */
  coresNote: string | null;
  /** The machine at the last sample (other programs' CPU, each core's busy share); null where not measured. */
  machine: MachineSample | null;
}

/** The workers the view shows: live ones, and exited ones while they fade. */
export function laneSlots(store: TaskStore, now: number): LaneSlot[] {
  const slots: LaneSlot[] = [];
  for (const lane of store.lanes.values()) {
    const alpha = lane.exitedAt === null ? 1 : 1 - (now - lane.exitedAt) / EXIT_FADE_MS;
    if (alpha > 0) slots.push({ worker: lane.worker, number: lane.number, alpha: Math.min(1, alpha) });
  }
  return slots;
}

/** Draws one frame; returns whether anything is still moving (flights, fades). */
export function drawPool(ctx: CanvasRenderingContext2D, frame: PoolFrame): { moving: boolean; layout: PoolLayout } {
  const { store, width, height, now, cores } = frame;
  const lanes = laneSlots(store, now);
  const layout = poolLayout({ width, height, lanes, cores, tasks: store.run ? store.size : 0 });
  frame.model.update(store, layout.results.grid.cells);
  // Flights that landed go before anything is painted, so every painter sees the same ones.
  const flying = frame.flights.prune(frame.time);
  const scene: PoolScene = {
    store,
    model: frame.model,
    flights: frame.flights,
    theme: frame.theme,
    layout,
    placement: frame.coresNote === null && cores > 0 ? placeOnCores(store.lanes.values(), cores) : null,
    coresNote: frame.coresNote,
    machine: frame.machine,
    time: frame.time,
    now,
  };
  ctx.clearRect(0, 0, width, height);
  ctx.textBaseline = 'middle';
  paintQueue(ctx, scene);
  paintWorkers(ctx, scene);
  paintCores(ctx, scene);
  paintResults(ctx, scene);
  paintTraffic(ctx, scene);
  return { moving: flying || lanes.some((l) => l.alpha < 1), layout };
}
