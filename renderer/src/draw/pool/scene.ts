/** What every painter of the pool view reads: the frozen layout and the data, never each other's output. */
import type { MachineSample } from '../../../../shared/events';
import type { TaskStore } from '../../../../shared/task-store';
import type { FlightTracker } from '../flights';
import type { Theme } from '../theme';
import type { PoolLayout } from './layout';
import type { CorePlacement, PoolModel } from './model';

export interface PoolScene {
  store: TaskStore;
  model: PoolModel;
  flights: FlightTracker;
  theme: Theme;
  layout: PoolLayout;
  /** Live workers on cores or waiting for one (null where core placement is not measured). */
  placement: CorePlacement | null;
  /** Why there is no placement, said in the cores strip (a platform that cannot tell, a trace that does not record it). */
  coresNote: string | null;
  /** The machine at the last sample (other programs' CPU, each core's busy share); null where not measured. */
  machine: MachineSample | null;
  /** Local animation clock (performance.now). */
  time: number;
  /** The host's clock (which keeps going after a run ends, so exits can fade). */
  now: number;
}

export function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, Math.max(0, w), Math.max(0, h), Math.max(0, Math.min(r, w / 2, h / 2)));
}

/** A section title: small capitals, spaced. */
export function sectionTitle(ctx: CanvasRenderingContext2D, theme: Theme, text: string, x: number, y: number): void {
  ctx.font = `600 10.5px ${theme.font}`;
  ctx.fillStyle = theme.text3;
  ctx.textAlign = 'left';
  ctx.fillText(text.toUpperCase().split('').join(String.fromCharCode(8202)), x, y);
}

/** Text on a worker's colour. */
export function onColor(theme: Theme): string {
  return theme.dark ? theme.bg : '#fff';
}
