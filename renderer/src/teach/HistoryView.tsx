import { memo } from 'react';
import { formatCount, formatMs } from '../../../shared/format';
import type { RunStats } from '../../../shared/stats';
import { WORKLOADS } from '../../../shared/workloads';
import { useApp } from '../store';
import { BACKEND_INFO } from './compare-model';
import type { HistoryEntry } from './history';
import { HISTORY_LIMITS } from './history';
import { EmptyNote } from './parts';
import { RunTimeline } from './RunTimeline';
import { useTeach } from './teach-runtime';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)} %`;
const wall = (e: HistoryEntry) => (e.finishedAt === null ? null : e.finishedAt - e.startedAt);

/** What a run was, in one line: workload, size, backend, mode and chunking. */
function describe(e: HistoryEntry): string {
  const { spec } = e;
  const cost = WORKLOADS[spec.workload].usesCost ? ` · ${formatMs(spec.costMs)}` : '';
  const workers = spec.backend === 'serial' ? 1 : spec.poolSize;
  return `${spec.workload} × ${formatCount(spec.tasks)}${cost} · ${workers} ${BACKEND_INFO[spec.backend].name} worker${workers === 1 ? '' : 's'} · ${spec.mode} · chunk ${e.chunksize}`;
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
              <li key={e.runId} data-testid="history-item" data-run={e.runId} data-source={e.source}>
                <label className={`history-item${on ? ' picked' : ''}`}>
                  <input type="checkbox" checked={on} onChange={() => toggle(e.runId)} />
                  <span className="history-text">
                    <span className="history-line">
                      <strong>Run {e.runId}</strong>
                      <span className={`source-badge ${e.source}`}>{e.source}</span>
                      {e.label && <span className="history-label">{e.label}</span>}
                      {on && <span className="pick-tag">{picked.indexOf(e.runId) === 0 ? 'A' : 'B'}</span>}
                    </span>
                    <span className="history-spec" title={describe(e)}>
                      {describe(e)}
                    </span>
                    <span className="history-stats">
                      {e.status === 'running'
                        ? 'running…'
                        : `${e.status} · ${ms === null ? '–' : formatMs(ms)}${e.stats ? ` · ${e.stats.speedup.toFixed(2)}×` : ''}`}
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
  value: (s: RunStats) => number;
  format: (x: number) => string;
  /** Whether more is better, to say which run did better. */
  higher: boolean;
}

const METRICS: Metric[] = [
  { label: 'Wall', value: (s) => s.elapsedMs, format: formatMs, higher: false },
  { label: 'Throughput', value: (s) => s.throughput, format: (x) => `${formatCount(x)} tasks/s`, higher: true },
  { label: 'Speedup', value: (s) => s.speedup, format: (x) => `${x.toFixed(2)}×`, higher: true },
  { label: 'Efficiency', value: (s) => s.efficiency, format: pct, higher: true },
  { label: 'Utilisation', value: (s) => s.utilisation, format: pct, higher: true },
  { label: 'Dispatch latency', value: (s) => s.dispatchLatencyMs, format: formatMs, higher: false },
  { label: 'Load imbalance', value: (s) => s.loadImbalance, format: pct, higher: false },
  { label: 'Done', value: (s) => s.done, format: (x) => formatCount(x), higher: true },
  { label: 'Failed', value: (s) => s.failed, format: (x) => formatCount(x), higher: false },
];

/** B against A: a ratio for times and rates, a difference for shares and counts. */
function delta(metric: Metric, a: number, b: number): { text: string; better: boolean | null } {
  if (a === b) return { text: 'same', better: null };
  const better = metric.higher ? b > a : b < a;
  const difference = metric.format === pct || metric.label === 'Done' || metric.label === 'Failed';
  if (difference || a === 0) {
    const d = b - a;
    return { text: `${d > 0 ? '+' : '−'}${metric.format(Math.abs(d))}`, better };
  }
  return { text: `${(b / a).toFixed(2)}×`, better };
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
        <h2 id="history-detail-title">{b ? `Run ${a.runId} and run ${b.runId}` : `Run ${a.runId}`}</h2>
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
              <th scope="col">A · run {a.runId}</th>
              {b && <th scope="col">B · run {b.runId}</th>}
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
                  <strong>Run {e.runId}</strong>
                  <span>{describe(e)}</span>
                </div>
                {store && origin !== undefined ? (
                  <RunTimeline
                    store={store}
                    origin={origin}
                    range={{ t0: 0, t1 }}
                    height={34 + Math.min(8, Math.max(1, store.lanes.size)) * 22}
                    label={`Timeline of run ${e.runId}`}
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
