import { memo } from 'react';
import { DASH, formatCount, formatDuration, formatPercent, formatRate, formatTimes } from '../../../shared/format';
import type { RunStats } from '../../../shared/stats';
import { describeLoad, machineBusy } from '../machine-load';
import { useApp } from '../store';
import { LiveChart } from './LiveChart';
import { Tip } from './ui';

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
        {sub && (
          <dd className="metric-sub" data-testid={`stat-${id}-sub`}>
            {sub}
          </dd>
        )}
      </div>
    </Tip>
  );
}

/** How much of the task time went to waiting for a core: oversubscription, said in words. */
function coreWait(s: RunStats | null): string | undefined {
  if (!s) return undefined;
  if (s.coreWaitShare === null) return s.missing.coreWait;
  return `${formatPercent(s.coreWaitShare)} waiting for a core`;
}

function done(s: RunStats): string {
  const parts = [`of ${formatCount(s.total)}`];
  if (s.failed) parts.push(`${formatCount(s.failed)} failed`);
  if (s.cancelled) parts.push(`${formatCount(s.cancelled)} cancelled`);
  return parts.join(' · ');
}

/** Other programs took enough of the machine during the run that its figures are not this pool's alone. */
const BusyMachine = memo(function BusyMachine() {
  const busy = useApp((s) => machineBusy(s.run.machine));
  const cores = useApp((s) => s.host?.cores ?? 1);
  const said = useApp((s) => describeLoad(s.run.machine, s.host?.cores ?? 1));
  if (!busy || !said) return null;
  return (
    <Tip
      side="left"
      content={`During this run ${said}. The pool had less than the ${cores} cores to itself, so its speedup and times are lower than it can do; run again when the machine is quieter.`}
    >
      <span className="status-pill busy-machine" tabIndex={0} data-testid="machine-busy">
        machine busy
      </span>
    </Tip>
  );
});

/** Live numbers of the run (from computeStats), updated at most ten times a second. */
export const StatsPanel = memo(function StatsPanel() {
  const s = useApp((state) => state.run.stats);
  const status = useApp((state) => state.run.status);
  const paused = useApp((state) => state.run.paused);
  const shown = status === 'running' && paused ? 'paused' : status;
  const replaying = useApp((state) => state.replay !== null);
  return (
    <section className="panel stats-panel" aria-labelledby="stats-title">
      <header className="panel-head">
        <h2 id="stats-title">Run</h2>
        <BusyMachine />
        <span className={`status-pill ${shown}`} data-testid="run-status">
          {shown === 'idle' ? 'no run yet' : shown}
        </span>
      </header>
      <dl className="metrics">
        <Metric
          id="elapsed"
          label="Elapsed"
          tip="Wall-clock time since the run started."
          value={s ? formatDuration(s.elapsedMs) : DASH}
        />
        <Metric
          id="done"
          label="Done"
          tip="Tasks that finished successfully, out of all submitted."
          value={s ? formatCount(s.done) : DASH}
          sub={s ? done(s) : undefined}
          tone={s && s.failed ? 'warn' : undefined}
        />
        <Metric
          id="throughput"
          label="Throughput"
          tip="Finished tasks per second of wall time."
          value={s ? formatRate(s.throughput) : DASH}
        />
        <Metric
          id="queue"
          label="Queue"
          tip="Tasks not yet handed to any worker; “at workers” are the ones running or waiting in a worker’s inbox."
          value={s ? formatCount(s.queued) : DASH}
          sub={s ? `${formatCount(s.running)} at workers` : undefined}
        />
        <Metric
          id="speedup"
          label="Speedup"
          tip="Total CPU time of the tasks divided by wall time: how many cores’ worth of work ran at once. It cannot exceed the cores; the ideal is the pool size or the core count, whichever is smaller."
          value={s?.speedup != null ? formatTimes(s.speedup) : DASH}
          sub={
            s
              ? s.speedup === null
                ? s.missing.speedup
                : // A trace does not say how many cores its machine had.
                  `of ${formatTimes(s.ideal, { whole: true })} ideal${replaying ? ', a core each' : ''}`
              : undefined
          }
        />
        <Metric
          id="efficiency"
          label="Efficiency"
          tip="Speedup over its ideal: 100% means every core the pool could use was computing all the time."
          value={s?.efficiency != null ? formatPercent(s.efficiency) : DASH}
        />
        <Metric
          id="utilisation"
          label="Utilisation"
          tip="Task time of all workers over the time each was in the pool. A task that waits for a core counts as busy here; the line below says how much of the task time that was."
          value={s ? formatPercent(s.utilisation) : DASH}
          sub={coreWait(s)}
          tone={s?.coreWaitShare != null && s.coreWaitShare > 0.1 ? 'warn' : undefined}
        />
        <Metric
          id="latency"
          label="Dispatch latency"
          tip="Mean time from a chunk being sent (or its worker coming free) to its first task starting: the cost of one trip to a worker."
          value={s?.dispatchLatencyMs != null ? formatDuration(s.dispatchLatencyMs) : DASH}
          sub={
            s && s.dispatchLatencyMs === null
              ? replaying
                ? 'a trace records when tasks started, not when they were sent'
                : s.missing.dispatchLatency
              : undefined
          }
        />
        <Metric
          id="imbalance"
          label="Load imbalance"
          tip="How much busier the busiest worker was than the average, each over its own time in the pool (a worker that joined late is not counted idle before it came): 0% is perfectly even."
          value={s ? formatPercent(s.loadImbalance) : DASH}
        />
      </dl>
      <div className="charts">
        <LiveChart kind="throughput" title="Throughput" />
        <LiveChart kind="utilisation" title="Busy" />
      </div>
    </section>
  );
});
