import { memo } from 'react';
import { workerColorVar } from '../draw/theme';
import { useApp, type WorkerRow } from '../store';

/** Every worker process of the pool with its pid, state and share of the work. */
export const WorkersPanel = memo(function WorkersPanel() {
  const workers = useApp((s) => s.run.workers);
  const live = workers.filter((w) => w.state !== 'exited');
  const exited = workers.filter((w) => w.state === 'exited');
  return (
    <section className="panel workers-panel" aria-labelledby="workers-title">
      <header className="panel-head">
        <h2 id="workers-title">Workers</h2>
        <span className="panel-meta" data-testid="worker-count">
          {live.length} live{exited.length ? ` · ${exited.length} exited` : ''}
        </span>
      </header>
      <ul className="worker-list" aria-labelledby="workers-title">
        {live.map((w) => (
          <WorkerItem key={w.worker} w={w} />
        ))}
        {exited.map((w) => (
          <WorkerItem key={w.worker} w={w} />
        ))}
        {workers.length === 0 && <li className="worker-empty">No worker processes yet.</li>}
      </ul>
    </section>
  );
});

function WorkerItem({ w }: { w: WorkerRow }) {
  // An exited worker is described by why it went: crashed, recycled, retired…
  const state = w.state === 'exited' ? (w.exitCause ?? 'exited') : w.state;
  return (
    <li
      className={`worker-item ${w.state}`}
      data-testid="worker"
      data-worker={w.worker}
      data-pid={w.pid ?? ''}
      data-state={w.state}
      aria-label={`Worker ${w.worker}, pid ${w.pid ?? 'unknown'}, ${w.state === 'exited' ? `exited (${state})` : state}, ${w.tasksDone} tasks done, ${Math.round(w.utilisation * 100)}% busy`}
    >
      <span className="dot" style={{ background: workerColorVar(w.worker) }} aria-hidden="true" />
      <span className="worker-name">W{w.worker}</span>
      <span className="worker-pid">{w.pid ?? '…'}</span>
      <span className={`worker-state ${w.state}`}>{state}</span>
      <span className="worker-tasks" data-testid="worker-tasks">
        {w.tasksDone.toLocaleString('en-US')}
      </span>
      <span className="util" aria-hidden="true">
        <span className="util-fill" style={{ width: `${Math.round(w.utilisation * 100)}%` }} />
      </span>
      <span className="worker-util">{Math.round(w.utilisation * 100)}%</span>
    </li>
  );
}
