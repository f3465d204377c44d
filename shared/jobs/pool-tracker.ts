/**
 * Which workers are alive right now, told by the frames alone. The scenario,
 * compare and sweep runners wait on it ("five workers ready", "every worker
 * exited"), and each recorded run is seeded with it, since a run's workers
 * usually started before the run did.
 */
import type { EventOf, LaneInfo, Millis, PoolEvent } from '../events';
import type { Backend } from '../run-spec';

export interface LiveWorker {
  worker: number;
  pid: number | null;
  spawnedAt: Millis;
  readyAt: Millis | null;
  lane?: LaneInfo;
}

export class PoolTracker {
  readonly live = new Map<number, LiveWorker>();
  /** The size the pool was last set to (0 once closed); null until a frame said. */
  size: number | null = null;
  backend: Backend | null = null;
  /** When the last worker exited, on the host's clock. */
  lastExitAt = -Infinity;

  /** Highest worker id seen: ids only grow, so a sample naming a lower unknown id is stale. */
  private maxWorker = 0;

  apply(event: PoolEvent): void {
    switch (event.type) {
      case 'pool-resized':
        this.size = event.poolSize;
        this.backend = event.backend;
        return;
      case 'worker-spawned':
        this.maxWorker = Math.max(this.maxWorker, event.worker);
        this.live.set(event.worker, {
          worker: event.worker,
          pid: event.pid,
          spawnedAt: event.at,
          readyAt: null,
          ...(event.lane ? { lane: event.lane } : {}),
        });
        return;
      case 'worker-ready': {
        this.maxWorker = Math.max(this.maxWorker, event.worker);
        const known = this.live.get(event.worker);
        this.live.set(event.worker, {
          ...known,
          worker: event.worker,
          pid: event.pid,
          spawnedAt: known?.spawnedAt ?? event.at,
          readyAt: event.at,
        });
        return;
      }
      case 'worker-exited':
        this.live.delete(event.worker);
        this.lastExitAt = Math.max(this.lastExitAt, event.at);
        return;
      case 'sample':
        // A page that connected after its workers started learns of them from samples.
        for (const s of event.workers) {
          if (s.worker <= this.maxWorker) continue;
          this.maxWorker = s.worker;
          this.live.set(s.worker, { worker: s.worker, pid: s.pid, spawnedAt: event.at, readyAt: event.at });
        }
        return;
      default:
        return;
    }
  }

  /** Workers that are alive and have said they are ready. */
  ready(): LiveWorker[] {
    return [...this.live.values()].filter((w) => w.readyAt !== null);
  }

  /**
   * A sample taken just before a worker exited can arrive after its exit: keep
   * only live workers, so no consumer grows a lane for a process that is gone.
   */
  liveSample(event: EventOf<'sample'>): EventOf<'sample'> {
    const workers = event.workers.filter((s) => this.live.has(s.worker));
    return workers.length === event.workers.length ? event : { ...event, workers };
  }

  /** The pool as it is now, told as the events that made it so (to seed a new run's store). */
  presentEvents(at: Millis): PoolEvent[] {
    const events: PoolEvent[] = [];
    if (this.size !== null && this.backend !== null)
      events.push({ type: 'pool-resized', at, poolSize: this.size, backend: this.backend });
    for (const w of this.live.values()) {
      events.push({
        type: 'worker-spawned',
        worker: w.worker,
        pid: w.pid,
        at: w.spawnedAt,
        ...(w.lane ? { lane: w.lane } : {}),
      });
      if (w.readyAt !== null && w.pid !== null)
        events.push({ type: 'worker-ready', worker: w.worker, pid: w.pid, at: w.readyAt });
    }
    return events;
  }
}
