import { memo } from 'react';
import { formatCount, formatDuration, formatPercent, formatRate, formatTimes, plural } from '../../../shared/format';
import type { RunStats } from '../../../shared/stats';
import { WORKLOADS } from '../../../shared/workloads';
import { useApp } from '../store';
import { BACKEND_INFO } from './compare-model';
import { HISTORY_LIMITS, type HistoryEntry } from '../../../shared/jobs/history';
import { wallSpeedup } from '../../../shared/figures';
import { EmptyNote } from './parts';
import { RunTimeline } from './RunTimeline';
import { useTeach } from './teach-runtime';

const wall = (e: HistoryEntry) => (e.finishedAt === null ? null : e.finishedAt - e.startedAt);

/** What a run was, in one line: workload, size, backend, mode and chunking. */
function describe(e: HistoryEntry): string {
  const { spec } = e.run;
  if (!spec) return e.run.title;
  const cost = WORKLOADS[spec.workload].usesCost ? ` · ${formatDuration(spec.costMs, { trim: true })}` : '';
  const workers = spec.backend === 'serial' ? 1 : spec.poolSize;
  return `${spec.workload} × ${formatCount(spec.tasks)}${cost} · ${plural(workers, `${BACKEND_INFO[spec.backend].name} worker`)} · ${spec.mode} · chunks of ${formatCount(e.run.chunksize)}`;
}

/** The same work on one worker, if the history has such a run: what a wall speedup is measured against. */
function serialTwin(e: HistoryEntry, entries: HistoryEntry[]): HistoryEntry | null {
  const spec = e.run.spec;
  if (!spec) return null;
  const same = (o: HistoryEntry) => {
    const t = o.run.spec;
    return (
      t !== undefined &&
      o.status === 'completed' &&
      (t.backend === 'serial' || t.poolSize === 1) &&
      t.workload === spec.workload &&
      t.tasks === spec.tasks &&
      t.costMs === spec.costMs &&
      t.distribution === spec.distribution &&
      t.seed === spec.seed &&
      t.from === spec.from
    );
  };
  return entries.find(same) ?? null;
}

/** "1.93× of 2" (cores busy), then "1.88× vs serial" where a one-worker run of the same work was measured. */
function speedups(e: HistoryEntry, entries: HistoryEntry[]): string {
  const parts: string[] = [];
  if (e.stats?.speedup != null)
    parts.push(`${formatTimes(e.stats.speedup)} of ${formatTimes(e.stats.ideal, { whole: true })}`);
  const twin = serialTwin(e, entries);
  const ms = wall(e);
  const base = twin ? wall(twin) : null;
  if (twin && twin !== e && ms !== null && base !== null) parts.push(`${formatTimes(wallSpeedup(base, ms))} vs serial`);
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

/** Every run of the session, newest first; pick two to compare them side by side. */
export const HistoryView = memo(function HistoryView() {
  return (
    <div className="teach-grid history">
      <HistoryList />
      <div className="teach-main">
        <HistoryDetail />
      </div>
    </div>
  );
});

const HistoryList = memo(function HistoryList() {
  const entries = useApp((s) => s.history);
  const picked = useApp((s) => s.historyPick);
  const toggle = useApp((s) => s.toggleHistoryPick);
  return (
    <section className="panel history-list" aria-labelledby="history-title">
      <header className="panel-head">
        <h2 id="history-title">Runs</h2>
        <span className="panel-meta">{entries.length ? 'pick two to compare' : ''}</span>
      </header>
      {entries.length === 0 ? (
        <p className="history-empty">Every run of this session — live, scenario, compare and sweep — is listed here.</p>
      ) : (
        <ul aria-label="Runs, newest first">
          {entries.map((e) => {
            const ms = wall(e);
            const on = picked.includes(e.runId);
            return (
              <li key={e.runId} data-testid="history-item" data-run={e.runId} data-source={e.origin}>
                <label className={`history-item${on ? ' picked' : ''}`}>
                  <input type="checkbox" checked={on} onChange={() => toggle(e.runId)} />
                  <span className="history-text">
                    <span className="history-line">
                      <strong>Run {e.number}</strong>
                      <span className={`source-badge ${e.origin}`}>{e.origin}</span>
                      {e.label && <span className="history-label">{e.label}</span>}
                      {on && <span className="pick-tag">{picked.indexOf(e.runId) === 0 ? 'A' : 'B'}</span>}
                    </span>
                    <span className="history-spec">{describe(e)}</span>
                    <span className="history-stats">
                      {e.status === 'running'
                        ? 'running…'
                        : `${e.status} · ${ms === null ? '–' : formatDuration(ms)}${speedups(e, entries)}`}
                    </span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
});

interface Metric {
  label: string;
  value: (s: RunStats) => number | null;
  format: (x: number) => string;
  /** Whether more is better, to say which run did better. */
  higher: boolean;
}

const METRICS: Metric[] = [
  { label: 'Wall', value: (s) => s.elapsedMs, format: formatDuration, higher: false },
  { label: 'Throughput', value: (s) => s.throughput, format: (x) => formatRate(x, 'tasks'), higher: true },
  { label: 'Speedup (cores busy)', value: (s) => s.speedup, format: formatTimes, higher: true },
  { label: 'Efficiency', value: (s) => s.efficiency, format: formatPercent, higher: true },
  { label: 'Utilisation', value: (s) => s.utilisation, format: formatPercent, higher: true },
  { label: 'Dispatch latency', value: (s) => s.dispatchLatencyMs, format: formatDuration, higher: false },
  { label: 'Load imbalance', value: (s) => s.loadImbalance, format: formatPercent, higher: false },
  { label: 'Done', value: (s) => s.done, format: (x) => formatCount(x), higher: true },
  { label: 'Failed', value: (s) => s.failed, format: (x) => formatCount(x), higher: false },
];

/** B against A: a ratio for times and rates, a difference for shares and counts. */
function delta(metric: Metric, a: number, b: number): { text: string; better: boolean | null } {
  if (a === b) return { text: 'same', better: null };
  const better = metric.higher ? b > a : b < a;
  const difference = metric.format === formatPercent || metric.label === 'Done' || metric.label === 'Failed';
  if (difference || a === 0) {
    const d = b - a;
    return { text: `${d > 0 ? '+' : '−'}${metric.format(Math.abs(d))}`, better };
  }
  return { text: formatTimes(b / a), better };
}

const HistoryDetail = memo(function HistoryDetail() {
  const { session } = useTeach();
  const entries = useApp((s) => s.history);
  const picked = useApp((s) => s.historyPick);
  const runs = picked.flatMap((id) => entries.filter((e) => e.runId === id));
  if (runs.length === 0)
    return (
      <section className="panel history-detail" aria-label="Run details">
        <EmptyNote title="Compare any two runs">
          Tick a run on the left to see its numbers and timeline, and a second one to put them side by side on one time
          axis.
        </EmptyNote>
      </section>
    );
  const [a, b] = runs;
  const walls = runs.map((e) => wall(e) ?? 0);
  const t1 = Math.max(1, ...walls) * 1.02;
  return (
    <section className="panel history-detail" aria-labelledby="history-detail-title">
      <header className="panel-head">
        <h2 id="history-detail-title">{b ? `Run ${a.number} and run ${b.number}` : `Run ${a.number}`}</h2>
      </header>
      <div className="history-body">
        <table
          className="data-table diff-table"
          aria-label={b ? 'The two runs compared' : 'Run statistics'}
          data-testid="history-diff"
        >
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col">A · run {a.number}</th>
              {b && <th scope="col">B · run {b.number}</th>}
              {b && <th scope="col">B vs A</th>}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Setup</th>
              <td className="spec-cell">{describe(a)}</td>
              {b && <td className="spec-cell">{describe(b)}</td>}
              {b && <td />}
            </tr>
            {METRICS.map((metric) => {
              const va = a.stats ? metric.value(a.stats) : null;
              const vb = b?.stats ? metric.value(b.stats) : null;
              const d = va !== null && vb !== null ? delta(metric, va, vb) : null;
              return (
                <tr key={metric.label}>
                  <th scope="row">{metric.label}</th>
                  <td>{va === null ? '–' : metric.format(va)}</td>
                  {b && <td>{vb === null ? '–' : metric.format(vb)}</td>}
                  {b && (
                    <td className={d?.better === true ? 'better' : d?.better === false ? 'worse' : undefined}>
                      {d?.text ?? '–'}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="stack">
          {runs.map((e, i) => {
            const store = session.history.store(e.runId);
            const origin = store?.run?.startedAt;
            return (
              <div key={e.runId} className="stack-row">
                <div className="stack-head">
                  <span className="pick-tag">{i === 0 ? 'A' : 'B'}</span>
                  <strong>Run {e.number}</strong>
                  <span>{describe(e)}</span>
                </div>
                {store && origin !== undefined ? (
                  <RunTimeline
                    store={store}
                    origin={origin}
                    range={{ t0: 0, t1 }}
                    height={34 + Math.min(8, Math.max(1, store.lanes.size)) * 22}
                    label={`Timeline of run ${e.number}`}
                  />
                ) : (
                  <p className="history-dropped">
                    Only the newest {HISTORY_LIMITS.runs} runs (up to {formatCount(HISTORY_LIMITS.tasks)} tasks in all)
                    keep their tasks; this one kept its summary.
                  </p>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
});
