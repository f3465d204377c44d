import { memo, useLayoutEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { DASH, formatCount, formatDuration, formatPercent, formatTimes, plural } from '../../../shared/format';
import { describeLoad, machineBusy } from '../machine-load';
import { LIMITS } from '../../../shared/run-spec';
import { useApp } from '../store';
import { useBoxProblem, useFormProblem } from '../views/form';
import { pythonRequestFor } from '../views/python-form';
import { Field, NumberInput, Segmented, StepSlider } from '../views/ui';
import { BACKEND_INFO } from './compare-model';
import { sweepEstimateMs } from './estimate';
import { sweepReading } from './sweep-model';
import { blockedReason, JobBar } from './parts';
import { SweepChart } from './SweepChart';
import { useTeach } from './teach-runtime';

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
  const python = settings.target === 'python';
  const program = useSweepProgram(python);
  const maxSize = settings.maxSize ?? 2 * (cores ?? 1);
  const estimate = sweepEstimateMs(
    { costMs: settings.costMs, cpuBound: settings.workload === 'cpu' },
    settings.tasks,
    maxSize,
    cores ?? 1,
    settings.backend,
  );
  return (
    <aside className="controls teach-settings" aria-label="Sweep settings">
      <div className="controls-scroll">
        <section className="control-group" aria-labelledby="sweep-work">
          <h2 id="sweep-work">Work</h2>
          <Field
            label="Target"
            tip="What every pool size runs: a built-in workload, or the Python program chosen in the Live view (Source → Python program) with every pool it creates sized to the pool size of the step."
            hint={python ? <span data-testid="sweep-program">{program}</span> : undefined}
          >
            <Segmented
              label="Sweep target"
              options={['workload', 'python'] as const}
              names={{ workload: 'built-in workload', python: 'Python program' }}
              value={settings.target}
              disabled={running}
              onChange={(target) => set({ target })}
            />
          </Field>
          {!python && (
            <>
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
                tip="How many tasks each pool size runs, one per message (chunksize 1). The same limit as a live run: 1 to 1,000,000."
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
                tip="How long each task computes or waits, in milliseconds: 0 to 60,000, as in a live run."
                disabled={running}
                hint={
                  <span data-testid="sweep-estimate">
                    About {formatDuration(estimate, { about: true })} for the {plural(maxSize, 'pool size')} on this
                    machine.
                  </span>
                }
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
            </>
          )}
        </section>
        <section className="control-group" aria-labelledby="sweep-pool">
          <h2 id="sweep-pool">Pool</h2>
          {!python && (
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
          )}
          <Field
            label="Largest pool"
            value={`1 … ${plural(maxSize, 'worker')}`}
            disabled={running}
            tip="The sweep runs every pool size from one worker up to this; twice the cores by default, to show what lies past them."
          >
            <StepSlider
              label="Largest pool"
              stops={Array.from({ length: Math.max(8, 4 * (cores ?? 1)) - 1 }, (_, i) => i + 2)}
              value={maxSize}
              disabled={running}
              onChange={(n) => set({ maxSize: n })}
              format={(n) => `up to ${plural(n, 'worker')}`}
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

/** Which program a Python sweep runs, in words; what is wrong with the Live view's boxes blocks the sweep. */
function useSweepProgram(python: boolean): string {
  const form = useApp((s) => s.python);
  const made = useMemo(() => pythonRequestFor({ ...form, useSlider: true }, 1), [form]);
  const problem = python && !made.ok ? Object.values(made.problems)[0] : undefined;
  useLayoutEffect(() => {
    const text = problem ? `in the Live view, ${problem.charAt(0).toLowerCase()}${problem.slice(1)}` : null;
    useApp.getState().setProblem('sweep', 'Python program', text);
  }, [problem]);
  useLayoutEffect(() => () => useApp.getState().setProblem('sweep', 'Python program', null), []);
  const program = made.ok ? made.request.program : null;
  const name =
    program?.kind === 'example'
      ? `${program.name}.py`
      : program?.kind === 'path'
        ? program.path.split(/[\\/]/).pop()
        : program
          ? 'the pasted code'
          : 'the program set in the Live view';
  return `Runs ${name} once per pool size, every pool it creates sized to it (set it in Live → Source → Python program).`;
}

const SweepResults = memo(function SweepResults() {
  const { points, serialFraction, cores, status, error, settings, machine } = useApp(
    useShallow((s) => ({
      points: s.sweep.points,
      serialFraction: s.sweep.serialFraction,
      cores: s.sweep.cores,
      status: s.sweep.status,
      error: s.sweep.error,
      settings: s.sweep.settings,
      machine: s.sweep.machine,
    })),
  );
  const hostCores = useApp((s) => s.host?.cores ?? null);
  const shownCores = cores ?? hostCores;
  const maxSize = Math.max(settings.maxSize ?? 2 * (shownCores ?? 1), ...points.map((p) => p.workers));
  const pending = Array.from({ length: maxSize }, (_, i) => i + 1).filter((n) => !points.some((p) => p.workers === n));
  const busyRuns = points.filter((p) => machineBusy(machine[p.runId]));
  return (
    <section className="panel sweep-results" aria-labelledby="sweep-title">
      <header className="panel-head">
        <h2 id="sweep-title">Pool size sweep</h2>
        <span className="panel-meta">
          {settings.target === 'python'
            ? 'Python program'
            : `${formatCount(settings.tasks)} × ${settings.workload} ${formatDuration(settings.costMs, { trim: true })} · ${BACKEND_INFO[settings.backend].name}`}
          {shownCores ? ` · ${plural(shownCores, 'core')}` : ''}
        </span>
        {status !== 'idle' && status !== 'running' && status !== 'done' && (
          <span className={`status-pill ${status}`}>{status}</span>
        )}
      </header>
      {status === 'idle' ? (
        <div className="teach-intro" data-testid="sweep-intro">
          <h3>How many workers pay off?</h3>
          <p>
            Press <strong>Sweep</strong> and the same tasks run at every pool size from one worker up to{' '}
            {plural(maxSize, 'worker')}. Speedup climbs with each worker until the cores run out; past that, more
            workers only take turns. The charts below fill in a point per pool size, against the ideal (one core per
            worker) and Amdahl’s law fitted to what was measured; the table gives each run’s numbers.
          </p>
        </div>
      ) : (
        <p className="reading" data-testid="sweep-reading">
          {sweepReading(points, serialFraction, shownCores)}
        </p>
      )}
      {busyRuns.length > 0 && (
        <p className="reading warn" role="note" data-testid="machine-note">
          The machine was busy during {busyRuns.length === 1 ? 'the run on' : 'the runs on'}{' '}
          {busyRuns.map((p) => p.workers).join(', ')}{' '}
          {busyRuns.length === 1 && busyRuns[0].workers === 1 ? 'worker' : 'workers'}:{' '}
          {describeLoad(machine[busyRuns[0].runId], shownCores ?? 1)}. Those speedups are lower than the pool can do.
        </p>
      )}
      {error && (
        <p className="output-error" role="alert">
          {error}
        </p>
      )}
      <div className="sweep-charts">
        <SweepChart
          measure="speedup"
          points={points}
          maxSize={maxSize}
          cores={shownCores}
          serialFraction={serialFraction}
        />
        <SweepChart
          measure="efficiency"
          points={points}
          maxSize={maxSize}
          cores={shownCores}
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
              className={shownCores !== null && p.workers > shownCores ? 'past-cores' : undefined}
            >
              <th scope="row">{p.workers}</th>
              <td>{formatDuration(p.wallMs)}</td>
              <td>{formatTimes(p.speedup)}</td>
              <td>{formatPercent(p.efficiency)}</td>
              <td data-testid="sweep-fit">{Number.isFinite(p.amdahl) ? formatTimes(p.amdahl) : DASH}</td>
            </tr>
          ))}
          {pending.map((n) => (
            <tr key={n} className={`pending${shownCores !== null && n > shownCores ? ' past-cores' : ''}`}>
              <th scope="row">{n}</th>
              {Array.from({ length: 4 }, (_, i) => (
                <td key={i}>{DASH}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
});
