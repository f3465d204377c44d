/** Small pieces the teaching views share: the run bar with its progress, and empty notes. */
import type { ReactNode } from 'react';
import { formatCount, plural } from '../../../shared/format';
import { Tip } from '../views/ui';
import type { JobStatus, Progress } from './teach-slice';

interface JobBarProps {
  /** The Run button's text. */
  label: string;
  status: JobStatus;
  progress: Progress | null;
  /** Why Run is not possible now, if it is not. */
  blocked: string | null;
  onRun: () => void;
  onCancel: () => void;
  /** What the run does, for the tooltip. */
  tip: string;
}

/** Run and Cancel with a progress bar: what a compare or a sweep is doing, and how far it got. */
export function JobBar({ label, status, progress, blocked, onRun, onCancel, tip }: JobBarProps) {
  const running = status === 'running';
  const share = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  return (
    <div className="job-bar">
      {running ? (
        <div className="job-progress" role="status" aria-live="polite" data-testid="job-progress">
          <div className="job-progress-text">
            <span>{progress?.label ?? 'Starting…'}</span>
            {progress && (
              <span className="job-progress-count">
                {/* A program's task count is known only once it has run. */}
                {progress.total > 0
                  ? `${formatCount(progress.done)} / ${plural(progress.total, 'task')}`
                  : plural(progress.done, 'task')}
              </span>
            )}
          </div>
          <div
            className="meter"
            role="progressbar"
            aria-label="Progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 100)}
          >
            <span style={{ width: `${share * 100}%` }} />
          </div>
        </div>
      ) : (
        blocked && <p className="job-note">{blocked}</p>
      )}
      <div className="job-buttons">
        <Tip content={tip}>
          <button type="button" className="btn primary" onClick={onRun} disabled={running || blocked !== null}>
            <svg viewBox="0 0 16 16" aria-hidden="true">
              <path d="M4 2.5v11l9-5.5z" />
            </svg>
            {label}
          </button>
        </Tip>
        <button type="button" className="btn" onClick={onCancel} disabled={!running}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function EmptyNote({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="teach-empty">
      <h3>{title}</h3>
      <p>{children}</p>
    </div>
  );
}

/** Why a teaching job cannot start now: another job or a live run holds the pool. */
export function blockedReason(
  busy: 'scenario' | 'compare' | 'sweep' | null,
  self: 'scenario' | 'compare' | 'sweep',
  liveRunning: boolean,
): string | null {
  if (busy !== null && busy !== self) return `The ${busy} is using the pool; it can run when that is done.`;
  if (liveRunning && busy === null) return 'A run is going on the pool; this can start when it ends.';
  return null;
}
