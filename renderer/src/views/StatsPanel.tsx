import { memo } from 'react';
import { formatDuration } from '../../../shared/format';
import type { RunStats } from '../../../shared/stats';
import { useApp } from '../store';
import { LiveChart } from './LiveChart';
import { Tip } from './ui';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
const rate = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M/s` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k/s` : `${x.toFixed(x < 10 ? 1 : 0)}/s`;

interface MetricProps {
  id: string;
  label: string;
  tip: string;
  value: string;
  sub?: string;
  tone?: 'warn';
}

function Metric({ id, label, tip, value, sub, tone }: MetricProps) {
  return (
    <Tip content={tip} side="left">
      <div className={`metric${tone ? ` ${tone}` : ''}`} tabIndex={0}>
        <dt>{label}</dt>
        <dd data-testid={`stat-${id}`}>{value}</dd>
        {sub && <dd className="metric-sub">{sub}</dd>}
      </div>
    </Tip>
  );
}

/** How much of the task time went to waiting for a core: oversubscription, said in words. */
function coreWait(s: RunStats | null): string | undefined {
  if (!s) return undefined;
  if (s.coreWaitShare === null) return s.missing.coreWait;
  return `${pct(s.coreWaitShare)} of it waiting for a core`;
}

/** Live numbers of the run (from computeStats), updated at most ten times a second. */
export const StatsPanel = memo(function StatsPanel() {
  const stats = useApp((s) => s.run.stats);
  const status = useApp((s) => s.run.status);
  const paused = useApp((s) => s.run.paused);
  const shown = status === 'running' && paused ? 'paused' : status;
  const s = stats;
  const dash = '–';
  return (
    <section className="panel stats-panel" aria-labelledby="stats-title">
      <header className="panel-head">
        <h2 id="stats-title">Run</h2>
        <span className={`status-pill ${shown}`} data-testid="run-status">
          {shown === 'idle' ? 'no run yet' : shown}
        </span>
      </header>
      <dl className="metrics">
        <Metric
          id="elapsed"
          label="Elapsed"
          tip="Wall-clock time since the run started."
          value={s ? formatDuration(s.elapsedMs) : dash}
        />
        <Metric
          id="done"
          label="Done"
          tip="Tasks that finished successfully, out of all submitted."
          value={s ? s.done.toLocaleString('en-US') : dash}
          sub={
            s
              ? `of ${s.total.toLocaleString('en-US')}${s.failed ? ` · ${s.failed.toLocaleString('en-US')} failed` : ''}${s.cancelled ? ` · ${s.cancelled.toLocaleString('en-US')} cancelled` : ''}`
              : undefined
          }
          tone={s && s.failed ? 'warn' : undefined}
        />
        <Metric
          id="throughput"
          label="Throughput"
          tip="Settled tasks per second of wall time."
          value={s ? rate(s.throughput) : dash}
        />
        <Metric
          id="queue"
          label="Queue"
          tip="Tasks not yet handed to any worker."
          value={s ? s.queued.toLocaleString('en-US') : dash}
          sub={s ? `${s.running.toLocaleString('en-US')} in flight` : undefined}
        />
        <Metric
          id="speedup"
          label="Speedup"
          tip="Total CPU time of the tasks divided by wall time: how many cores' worth of work ran at once. It cannot exceed the cores; the ideal is the pool size or the core count, whichever is smaller."
          value={s?.speedup != null ? `×${s.speedup.toFixed(2)}` : dash}
          sub={
            s
              ? s.speedup === null
                ? s.missing.speedup
                : `of ×${s.ideal.toFixed(s.ideal % 1 ? 1 : 0)} ideal`
              : undefined
          }
        />
        <Metric
          id="efficiency"
          label="Efficiency"
          tip="Speedup over its ideal: 100% means every core the pool could use was computing all the time."
          value={s?.efficiency != null ? pct(s.efficiency) : dash}
        />
        <Metric
          id="utilisation"
          label="Utilisation"
          tip="Task time of all workers over the time each was in the pool. A task that waits for a core counts as busy here; the line below says how much of its time that was."
          value={s ? pct(s.utilisation) : dash}
          sub={coreWait(s)}
          tone={s?.coreWaitShare != null && s.coreWaitShare > 0.1 ? 'warn' : undefined}
        />
        <Metric
          id="latency"
          label="Dispatch latency"
          tip="Mean time from a chunk being sent (or its worker coming free) to its first task starting: the cost of one trip to a worker."
          value={s?.dispatchLatencyMs != null ? formatDuration(s.dispatchLatencyMs) : dash}
          sub={s?.dispatchLatencyMs === null ? s.missing.dispatchLatency : undefined}
        />
        <Metric
          id="imbalance"
          label="Load imbalance"
          tip="How much longer the busiest worker worked than the average worker: 0% is perfectly even."
          value={s ? pct(s.loadImbalance) : dash}
        />
      </dl>
      <div className="charts">
        <LiveChart kind="throughput" title="Throughput" />
        <LiveChart kind="utilisation" title="Utilisation" />
      </div>
    </section>
  );
});
