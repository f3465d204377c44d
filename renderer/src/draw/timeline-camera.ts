/**
 * Which slice of time the timeline shows. It starts fitting the whole run,
 * follows "now" after a zoom that keeps the right edge live, and stays put once
 * the user pans into the past — until asked to follow again.
 */
export type CameraMode = 'fit' | 'follow' | 'free';

/** Milliseconds relative to the run's start. */
export interface TimeRange {
  t0: number;
  t1: number;
}

const MIN_SPAN_MS = 0.01;
const MAX_SPAN_MS = 7 * 24 * 3600 * 1000;
/** A young run still shows a second, so its first tasks do not fill the whole width. */
const FIT_MIN_MS = 1000;
/** Room to the right of "now" while following, so the newest bar is not flush against the edge. */
const LEAD = 0.03;

export class TimelineCamera {
  mode: CameraMode = 'fit';
  private span = FIT_MIN_MS;
  private start = 0;
  /** Bumps on every change the user makes, so views know to redraw. */
  version = 0;
  /** While the run goes on, the fitted view leaves room to grow; once it ended, it fits exactly. */
  live = false;

  range(now: number): TimeRange {
    if (this.mode === 'fit') {
      const t1 = this.live ? Math.max(now * (1 + LEAD), FIT_MIN_MS) : Math.max(now * (1 + LEAD), MIN_SPAN_MS);
      return { t0: 0, t1 };
    }
    if (this.mode === 'follow') {
      const t1 = now + this.span * LEAD;
      // Nothing happened before the run began: a span longer than the run so far starts at 0.
      return t1 - this.span < 0 ? { t0: 0, t1: this.span } : { t0: t1 - this.span, t1 };
    }
    return { t0: this.start, t1: this.start + this.span };
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under `anchor` (0…1 across the plot) still. */
  zoom(factor: number, anchor: number, now: number): void {
    const { t0, t1 } = this.range(now);
    const span = clamp((t1 - t0) * factor, MIN_SPAN_MS, MAX_SPAN_MS);
    const at = t0 + (t1 - t0) * anchor;
    const start = at - span * anchor;
    const atEdge = this.mode !== 'free' && anchor > 0.9;
    if (this.mode !== 'free' && start <= 0 && start + span >= now) {
      this.mode = 'fit';
    } else if (atEdge) {
      // Zooming at the live edge keeps following.
      this.mode = 'follow';
      this.span = span;
    } else {
      this.mode = 'free';
      this.span = span;
      this.start = Math.max(0, start);
    }
    this.version++;
  }

  /** Moves the view by `ms` (positive = later). */
  pan(ms: number, now: number): void {
    const { t0, t1 } = this.range(now);
    this.span = t1 - t0;
    // The run's start is the left edge of everything there is to see.
    this.start = Math.max(0, t0 + ms);
    this.mode = 'free';
    // Panning back to the live edge resumes following.
    if (ms > 0 && this.start + this.span >= now + this.span * LEAD) this.mode = 'follow';
    this.version++;
  }

  fit(): void {
    this.mode = 'fit';
    this.version++;
  }

  follow(now: number): void {
    const { t0, t1 } = this.range(now);
    this.span = Math.min(t1 - t0, Math.max(now, FIT_MIN_MS));
    this.mode = this.span >= now ? 'fit' : 'follow';
    this.version++;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
