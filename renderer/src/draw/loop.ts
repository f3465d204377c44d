/**
 * One requestAnimationFrame loop for every canvas. A view draws only when its
 * data moved (or it is animating) and the loop stops entirely when no view asks
 * for another frame. Hidden windows get no animation frames at all, so a slow
 * timer keeps views' incremental state (indices, animations) from falling behind.
 *
 * Drawing paces itself: a software-rendered canvas costs about as much again to
 * rasterise as its drawing calls take, so after a frame whose drawing took d ms
 * the next waits until PACE·d ms have passed. Light frames still draw at the
 * display's rate; heavy ones leave the main thread time to take in frames, which
 * is what keeps the page up with a run of a million tasks.
 */
export interface LoopView {
  /** Paints if anything changed; returns true to be called again next frame. */
  frame(time: number): boolean;
}

const HIDDEN_INTERVAL_MS = 250;
const PACE = 4;

export class DrawLoop {
  private readonly views = new Set<LoopView>();
  private raf = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** No drawing before this (a rAF timestamp). */
  private nextDrawAt = 0;
  /** Called with how long each frame's drawing took, for the benchmark. */
  onFrameTime: ((ms: number, time: number) => void) | null = null;

  constructor() {
    document.addEventListener('visibilitychange', () => {
      if (!this.raf && !this.timer) return;
      this.cancel();
      this.schedule();
    });
  }

  add(view: LoopView): () => void {
    this.views.add(view);
    this.invalidate();
    return () => void this.views.delete(view);
  }

  /** Something changed: draw on the next frame. */
  invalidate(): void {
    if (!this.raf && !this.timer) this.schedule();
  }

  private schedule(): void {
    if (document.hidden) this.timer = setTimeout(() => this.tick(performance.now()), HIDDEN_INTERVAL_MS);
    else this.raf = requestAnimationFrame(this.tick);
  }

  private cancel(): void {
    cancelAnimationFrame(this.raf);
    if (this.timer) clearTimeout(this.timer);
    this.raf = 0;
    this.timer = null;
  }

  private readonly tick = (time: number): void => {
    this.raf = 0;
    this.timer = null;
    if (time < this.nextDrawAt && !document.hidden) return this.schedule();
    const begin = performance.now();
    let again = false;
    for (const view of this.views) {
      try {
        if (view.frame(time)) again = true;
      } catch (error) {
        // A broken view must not stop the others from drawing.
        reportError(error);
      }
    }
    const drawMs = performance.now() - begin;
    this.nextDrawAt = time + PACE * drawMs;
    this.onFrameTime?.(drawMs, time);
    if (again && !this.raf && !this.timer) this.schedule();
  };
}
