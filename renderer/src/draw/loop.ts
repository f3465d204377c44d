/**
 * One requestAnimationFrame loop for every canvas. A view draws only when its
 * data moved (or it is animating) and the loop stops entirely when no view asks
 * for another frame. Hidden windows get no animation frames at all, so a slow
 * timer keeps views' incremental state (indices, animations) from falling behind.
 */
export interface LoopView {
  /** Paints if anything changed; returns true to be called again next frame. */
  frame(time: number): boolean;
}

const HIDDEN_INTERVAL_MS = 250;

export class DrawLoop {
  private readonly views = new Set<LoopView>();
  private raf = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
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
    this.onFrameTime?.(performance.now() - begin, time);
    if (again && !this.raf && !this.timer) this.schedule();
  };
}
