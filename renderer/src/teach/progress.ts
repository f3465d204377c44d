/**
 * Progress of a job made of several runs (a comparison, a sweep), published to
 * React at most ten times a second: the current phase, and tasks settled so far
 * out of all the job's tasks, read from the running run's TaskStore.
 */
import type { Session } from '../../../shared/jobs/session';
import type { Progress } from './teach-slice';

const PUBLISH_MS = 100;

export class ProgressTicker {
  private label = '';
  private runId: number | null = null;
  /** Tasks of the runs already finished. */
  private base = 0;
  private last: Progress | null = null;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly session: Session,
    private readonly total: number,
    private readonly publish: (progress: Progress) => void,
  ) {
    this.timer = setInterval(() => this.tick(), PUBLISH_MS);
  }

  phase(label: string): void {
    this.label = label;
    this.tick();
  }

  runStarted(runId: number): void {
    this.runId = runId;
  }

  runFinished(tasks: number): void {
    this.base += tasks;
    this.runId = null;
    this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const counts = this.runId !== null ? this.session.history.store(this.runId)?.counts : null;
    const running = counts ? counts.done + counts.failed + counts.cancelled : 0;
    const next = { label: this.label, done: this.base + running, total: this.total };
    if (this.last && this.last.label === next.label && this.last.done === next.done) return;
    this.last = next;
    this.publish(next);
  }
}
