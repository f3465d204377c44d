import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatDuration } from '../../../shared/format';
import { LIMITS } from '../../../shared/run-spec';
import { useApp } from '../store';
import { useBoxProblem, useFormProblem } from '../views/form';
import { Field, NumberInput, Segmented, StepSlider } from '../views/ui';
import { BACKEND_INFO } from './compare-model';
import { blockedReason, EmptyNote, JobBar } from './parts';
import { SweepChart } from './SweepChart';
import { useTeach } from './teach-runtime';
import type { SweepPoint } from './teach-slice';

const pct = (x: number) => `${Math.round(100 * x)} %`;

/** How many workers? The same work at every pool size from 1 to twice the cores, against the ideal and Amdahl. */
export const SweepView = memo(function SweepView() {
  return (
    <div className="teach-grid two">
      <SweepSettings />
      <div className="teach-main">
        <SweepResults />
      </div>
    </div>
  );
});

const SweepSettings = memo(function SweepSettings() {
  const { sweep } = useTeach();
  const settings = useApp((s) => s.sweep.settings);
  const set = useApp((s) => s.setSweepSettings);
  const status = useApp((s) => s.sweep.status);
  const progress = useApp((s) => s.sweep.progress);
  const cores = useApp((s) => s.host?.cores ?? null);
  const busy = useApp((s) => s.teachBusy);
  // The live pool's run, even while a trace replays in the views.
  const liveRunning = useApp((s) => s.liveRun.status === 'running');
  const tasksProblem = useBoxProblem('sweep', 'Tasks');
  const costProblem = useBoxProblem('sweep', 'Task cost');
  const problem = useFormProblem('sweep');
  const running = status === 'running';
  const maxSize = settings.maxSize ?? 2 * (cores ?? 1);
  return (
    <aside className="controls teach-settings" aria-label="Sweep settings">
      <div className="controls-scroll">
        <section className="control-group" aria-labelledby="sweep-work">
          <h2 id="sweep-work">Work</h2>
          <Field label="Workload" tip="cpu tasks compute, so they need a core each; io tasks wait, so they do not.">
            <Segmented
              label="Sweep workload"
              options={['cpu', 'io'] as const}
              value={settings.workload}
              disabled={running}
              onChange={(workload) => set({ workload })}
            />
          </Field>
          <Field
            label="Tasks"
            tip="How many tasks each pool size runs, one per message (chunksize 1)."
            disabled={running}
            value={
              <NumberInput
                label="Sweep tasks"
                value={settings.tasks}
                {...LIMITS.tasks}
                disabled={running}
                onChange={(tasks) => set({ tasks })}
                onProblem={tasksProblem}
              />
            }
          >
            {null}
          </Field>
          <Field
            label="Task cost"
            tip="How long each task computes or waits."
            disabled={running}
            value={
              <NumberInput
                label="Sweep task cost"
                value={settings.costMs}
                {...LIMITS.costMs}
                integer={false}
                suffix="ms"
                disabled={running}
                onChange={(costMs) => set({ costMs })}
                onProblem={costProblem}
              />
            }
          >
            {null}
          </Field>
        </section>
        <section className="control-group" aria-labelledby="sweep-pool">
          <h2 id="sweep-pool">Pool</h2>
          <Field label="Backend" tip="Which kind of worker every pool size uses.">
            <Segmented
              label="Sweep backend"
              options={['process', 'thread', 'gil'] as const}
              names={{ gil: BACKEND_INFO.gil.name }}
              value={settings.backend}
              disabled={running}
              onChange={(backend) => set({ backend })}
            />
          </Field>
          <Field
            label="Largest pool"
            value={`1 … ${maxSize} workers`}
            disabled={running}
            tip="The sweep runs every pool size from one worker up to this; twice the cores by default, to show what lies past them."
          >
            <StepSlider
              label="Largest pool"
              stops={Array.from({ length: Math.max(8, 4 * (cores ?? 1)) - 1 }, (_, i) => i + 2)}
              value={maxSize}
              disabled={running}
              onChange={(n) => set({ maxSize: n })}
              format={(n) => `up to ${n} workers`}
              marks={cores ? [{ value: cores, label: `${cores} cores` }] : undefined}
            />
          </Field>
        </section>
      </div>
      <JobBar
        label="Sweep"
        status={status}
        progress={progress}
        blocked={problem ?? blockedReason(busy, 'sweep', liveRunning)}
        onRun={() => void sweep.run()}
        onCancel={() => sweep.cancel()}
        tip="Run the workload at each pool size in turn, on the same pool resized between runs."
      />
    </aside>
  );
});

const SweepResults = memo(function SweepResults() {
  const { points, serialFraction, cores, status, error, settings } = useApp(
    useShallow((s) => ({
      points: s.sweep.points,
      serialFraction: s.sweep.serialFraction,
      cores: s.sweep.cores,
      status: s.sweep.status,
      error: s.sweep.error,
      settings: s.sweep.settings,
    })),
  );
  if (status === 'idle')
    return (
      <section className="panel sweep-results" aria-label="Sweep">
        <EmptyNote title="How many workers pay off?">
          The same tasks run at every pool size from one worker to twice the cores. Speedup climbs with each worker
          until the cores run out; past that, more workers only take turns.
        </EmptyNote>
      </section>
    );
  const maxSize = Math.max(settings.maxSize ?? 2 * (cores ?? 1), ...points.map((p) => p.workers));
  return (
    <section className="panel sweep-results" aria-labelledby="sweep-title">
      <header className="panel-head">
        <h2 id="sweep-title">Pool size sweep</h2>
        <span className="panel-meta">
          {settings.tasks} × {settings.workload} {settings.costMs} ms · {BACKEND_INFO[settings.backend].name}
          {cores ? ` · ${cores} cores` : ''}
        </span>
        {status !== 'running' && status !== 'done' && <span className={`status-pill ${status}`}>{status}</span>}
      </header>
      {serialFraction !== null && (
        <p className="reading" data-testid="sweep-reading">
          {sweepReading(points, serialFraction, cores)}
        </p>
      )}
      {error && (
        <p className="output-error" role="alert">
          {error}
        </p>
      )}
      <div className="sweep-charts">
        <SweepChart measure="speedup" points={points} maxSize={maxSize} cores={cores} serialFraction={serialFraction} />
        <SweepChart
          measure="efficiency"
          points={points}
          maxSize={maxSize}
          cores={cores}
          serialFraction={serialFraction}
        />
      </div>
      <table className="data-table" aria-label="Measured per pool size">
        <thead>
          <tr>
            <th scope="col">Workers</th>
            <th scope="col">Wall</th>
            <th scope="col">Speedup</th>
            <th scope="col">Efficiency</th>
            <th scope="col">Amdahl fit</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr
              key={p.workers}
              data-testid="sweep-row"
              className={cores !== null && p.workers > cores ? 'past-cores' : undefined}
            >
              <th scope="row">{p.workers}</th>
              <td>{formatDuration(p.wallMs)}</td>
              <td>{p.speedup.toFixed(2)}×</td>
              <td>{pct(p.efficiency)}</td>
              <td>{p.amdahl.toFixed(2)}×</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
});

/** The fitted serial fraction, and where the speedup stopped growing. */
function sweepReading(points: SweepPoint[], serialFraction: number, cores: number | null): string {
  const fit = `Serial fraction (Amdahl fit up to ${cores ?? '?'} workers): ${(100 * serialFraction).toFixed(1)} %`;
  const best = points.reduce<SweepPoint | null>((a, p) => (a && a.speedup >= p.speedup ? a : p), null);
  if (!best) return `${fit}.`;
  const beyond = cores !== null ? points.filter((p) => p.workers > cores) : [];
  const flat = beyond.length > 0 && beyond.every((p) => p.speedup < best.speedup * 1.1);
  return `${fit}. Best: ${best.speedup.toFixed(2)}× on ${best.workers} workers${
    flat ? `; past ${cores} cores more workers only take turns` : ''
  }.`;
}
