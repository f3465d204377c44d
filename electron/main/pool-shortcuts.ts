/**
 * What the menu's pool shortcuts do, acting on the hub directly in the main
 * process (so a cluster backend's pool is the one resized). Starting a run is
 * not here: the run's settings live in the renderer.
 */
import type { Frame } from '../../shared/protocol';
import { LIMITS } from '../../shared/run-spec';
import type { Hub } from '../engine/hub';

export type PoolControls = Pick<Hub, 'size' | 'running' | 'resize' | 'cancel' | 'pause' | 'resume'>;

/** A shortcut has no one to tell of a refusal (a Python program cannot be paused): it does nothing. */
const quietly = (action: () => unknown) => {
  try {
    void Promise.resolve(action()).catch(() => {});
  } catch {
    // refused
  }
};

export class PoolShortcuts {
  private paused = false;

  constructor(private readonly pool: PoolControls) {}

  /** Follows the frame stream: the pool does not expose whether submission is paused. */
  observe(frame: Frame): void {
    for (const event of frame.events) {
      if (event.type === 'submission') this.paused = event.paused;
      else if (event.type === 'run-started' || event.type === 'run-finished') this.paused = false;
    }
  }

  /** Pause or resume submission; false when no run is going (starting one needs the renderer). */
  togglePause(): boolean {
    if (!this.pool.running) return false;
    quietly(() => (this.paused ? this.pool.resume() : this.pool.pause()));
    return true;
  }

  /** Cancel the run now, in-flight tasks included; false when idle. */
  cancel(): boolean {
    if (!this.pool.running) return false;
    quietly(() => this.pool.cancel('kill'));
    return true;
  }

  grow(): void {
    this.resizeBy(1);
  }

  shrink(): void {
    this.resizeBy(-1);
  }

  private resizeBy(delta: number): void {
    const size = Math.min(LIMITS.poolSize.max, Math.max(LIMITS.poolSize.min, this.pool.size + delta));
    if (size !== this.pool.size) quietly(() => this.pool.resize(size));
  }
}
