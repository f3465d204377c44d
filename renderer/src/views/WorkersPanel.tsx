import { memo } from 'react';
import { formatCount, formatDuration, formatPercent } from '../../../shared/format';
import { workerColorVar } from '../draw/theme';
import { useApp, type WorkerRow } from '../store';
import { Tip } from './ui';

/** "4 migrations" or, where the scheduler's count is not readable, "4 core changes seen". */
function movesText(w: WorkerRow): string {
  if (w.migrations === null) return 'moves between cores not measured';
  const n = formatCount(w.migrations);
  return w.migrationsFrom === 'core-changes' ? `${n} core changes seen` : `${n} migrations`;
}

/** What a worker is doing, in a word or two; stopped and stalled workers say for how long. */
function stateText(w: WorkerRow): string {
  if (w.state === 'exited') return w.exitCause ?? 'exited';
  if ((w.state === 'stopped' || w.state === 'stalled') && w.stalledMs !== null)
    return `${w.state} ${formatDuration(w.stalledMs)}`;
  return w.state;
}

/** Every worker of the pool with its pid, state, share of the work and moves between cores. */
export const WorkersPanel = memo(function WorkersPanel() {
  const workers = useApp((s) => s.run.workers);
  const live = workers.filter((w) => w.state !== 'exited');
  const exited = workers.filter((w) => w.state === 'exited');
  const counted = workers.find((w) => w.migrationsFrom !== null)?.migrationsFrom ?? null;
  const replaying = useApp((s) => s.replay !== null);
  return (
    <section className="panel workers-panel" aria-labelledby="workers-title">
      <header className="panel-head">
        <h2 id="workers-title">Workers</h2>
        <span className="panel-meta" data-testid="worker-count">
          {live.length} live{exited.length ? ` · ${exited.length} exited` : ''}
        </span>
      </header>
      {workers.length > 0 && (
        <div className="worker-item worker-head" aria-hidden="true">
          <span />
          <span>worker</span>
          <span>pid</span>
          <span>state</span>
          <span className="num">tasks</span>
          <span className="num">busy</span>
          <Tip
            side="left"
            content={
              counted === 'core-changes'
                ? 'Core changes seen: how often a sample found the worker on another core than the last one. The scheduler’s own count is not readable here, so moves between samples are missed.'
                : counted === 'scheduler'
                  ? 'Migrations: how often the scheduler moved the worker to another core since it started.'
                  : replaying
                    ? 'A trace does not record moves between cores.'
                    : 'Moves between cores are not measured on this platform.'
            }
          >
            <span className="num moves-head" tabIndex={0} data-testid="moves-head">
              moves
            </span>
          </Tip>
        </div>
      )}
      <ul className="worker-list" aria-labelledby="workers-title">
        {live.map((w) => (
          <WorkerItem key={w.worker} w={w} />
        ))}
        {exited.map((w) => (
          <WorkerItem key={w.worker} w={w} />
        ))}
        {workers.length === 0 && <li className="worker-empty">No worker processes yet.</li>}
      </ul>
      {counted === 'core-changes' && (
        <p className="worker-foot" data-testid="moves-note">
          moves: core changes seen between samples (the scheduler’s own count is not readable here)
        </p>
      )}
      {workers.length > 0 && counted === null && !replaying && live.some((w) => w.pid !== null) && (
        <p className="worker-foot" data-testid="moves-note">
          moves between cores are not measured on this platform
        </p>
      )}
    </section>
  );
});

function WorkerItem({ w }: { w: WorkerRow }) {
  const state = stateText(w);
  const busy = formatPercent(w.utilisation);
  const waiting =
    w.waitingPct !== null && w.state !== 'exited'
      ? `, waiting for a core ${Math.round(w.waitingPct)}% of the last interval`
      : '';
  return (
    <li
      className={`worker-item ${w.state}`}
      data-testid="worker"
      data-worker={w.worker}
      data-number={w.number}
      data-pid={w.pid ?? ''}
      data-state={w.state}
      aria-label={`Worker ${w.number}${w.name ? ` (${w.name})` : ''}, pid ${w.pid ?? 'unknown'}, ${w.state === 'exited' ? `exited (${state})` : state}, ${w.tasksDone} tasks done, ${busy} busy${waiting}, ${movesText(w)}`}
      title={w.name ?? undefined}
    >
      <span className="dot" style={{ background: workerColorVar(w.number) }} aria-hidden="true" />
      <span className="worker-name" data-testid="worker-name">
        W{w.number}
      </span>
      <span className="worker-pid" data-testid="worker-pid">
        {w.pid ?? '…'}
      </span>
      <span className={`worker-state ${w.state}`} title={state}>
        {state}
      </span>
      <span className="worker-tasks num" data-testid="worker-tasks">
        {formatCount(w.tasksDone)}
      </span>
      <span className="worker-util num">{busy}</span>
      <span className="worker-moves num" data-testid="worker-moves" title={movesText(w)}>
        {w.migrations === null ? '–' : formatCount(w.migrations)}
      </span>
    </li>
  );
}
