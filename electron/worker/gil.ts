import { now } from '../engine/clock';

/**
 * A model of CPython's global interpreter lock over shared memory, for the
 * `gil` backend's threads. Cell 0 holds the owning lane (0 = free), cell 1
 * counts threads waiting. As in CPython, a holder keeps the lock while it
 * computes and offers it at checkpoints once its switch interval has passed and
 * someone is waiting; waiting for I/O releases it.
 */
export class Gil {
  private acquiredAt = 0;
  held = false;

  constructor(
    private readonly cells: Int32Array,
    private readonly lane: number,
    /** Told about every wait for the lock: [start, end] on the shared clock. */
    private readonly onWait: (start: number, end: number) => void,
  ) {}

  acquire(): void {
    if (this.held) return;
    if (Atomics.compareExchange(this.cells, 0, 0, this.lane) !== 0) {
      const start = now();
      Atomics.add(this.cells, 1, 1);
      for (;;) {
        const owner = Atomics.load(this.cells, 0);
        if (owner === 0 && Atomics.compareExchange(this.cells, 0, 0, this.lane) === 0) break;
        // Woken by a release; the timeout only guards against a holder that died.
        Atomics.wait(this.cells, 0, owner, 5);
      }
      Atomics.sub(this.cells, 1, 1);
      this.onWait(start, now());
    }
    this.held = true;
    this.acquiredAt = now();
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    Atomics.store(this.cells, 0, 0);
    Atomics.notify(this.cells, 0, 1);
  }

  /** Called often while holding the lock: hands it over once the interval is up and another thread waits. */
  checkpoint(switchIntervalMs: number): void {
    if (!this.held || now() - this.acquiredAt < switchIntervalMs) return;
    if (Atomics.load(this.cells, 1) === 0) {
      this.acquiredAt = now();
      return;
    }
    this.release();
    // CPython's forced switch: the old holder waits until a waiter has taken the lock.
    const offeredAt = now();
    while (Atomics.load(this.cells, 0) === 0 && now() - offeredAt < 1);
    this.acquire();
  }
}
