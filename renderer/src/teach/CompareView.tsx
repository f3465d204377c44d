import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { DASH, formatBytes, formatDuration, formatTimes, plural } from '../../../shared/format';
import { BACKENDS, LIMITS, type Backend } from '../../../shared/run-spec';
import { describeLoad, machineBusy, type MachineLoad } from '../machine-load';
import { useApp } from '../store';
import { useBoxProblem, useFormProblem } from '../views/form';
import { Field, NumberInput, Segmented, StepSlider, Tip } from '../views/ui';
import { BACKEND_INFO, COMPARE_PRESETS, compareReading, shownSpeedup } from './compare-model';
import { compareEstimateMs } from './estimate';
import { compareOrder } from '../../../shared/jobs/compare';
import { blockedReason, JobBar } from './parts';
import { RunTimeline } from './RunTimeline';
import { useTeach } from './teach-runtime';
import type { CompareRow } from './teach-slice';

/** "a", "a and b", "a, b and c". */
const andList = (words: string[]) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;

/** Axis plus a readable row per worker, up to a point. */
const laneHeight = (workers: number) => 34 + Math.min(workers, 8) * 20;

/** The assignment's Q2 table, measured: one workload on two to four backends, side by side. */
export const CompareView = memo(function CompareView() {
  return (
    <div className="teach-grid two">
      <CompareSettings />
      <div className="teach-main">
        <CompareResults />
        <CompareTimelines />
      </div>
    </div>
  );
});

const CompareSettings = memo(function CompareSettings() {
  const { compare } = useTeach();
  const settings = useApp((s) => s.compare.settings);
  const set = useApp((s) => s.setCompareSettings);
  const status = useApp((s) => s.compare.status);
  const progress = useApp((s) => s.compare.progress);
  const cores = useApp((s) => s.host?.cores ?? null);
  const busy = useApp((s) => s.teachBusy);
  // The live pool's run, even while a trace replays in the views.
  const liveRunning = useApp((s) => s.liveRun.status === 'running');
  const tasksProblem = useBoxProblem('compare', 'Tasks');
  const problem = useFormProblem('compare');
  const running = status === 'running';
  const poolSize = settings.poolSize ?? cores ?? 1;
  const maxPool = Math.max(8, 2 * (cores ?? 1));
  const preset = COMPARE_PRESETS[settings.preset].spec;
  const estimate = compareEstimateMs(
    { costMs: preset.costMs ?? 0, cpuBound: preset.workload === 'cpu' },
    settings.tasks,
    poolSize,
    cores ?? 1,
    settings.backends,
  );
  const toggle = (backend: Backend, on: boolean) =>
    set({ backends: on ? [...settings.backends, backend] : settings.backends.filter((b) => b !== backend) });
  const blocked =
    problem ??
    (settings.backends.length < 2
      ? 'Pick at least two backends to compare.'
      : blockedReason(busy, 'compare', liveRunning));
  return (
    <aside className="controls teach-settings" aria-label="Compare settings">
      <div className="controls-scroll">
        <section className="control-group" aria-labelledby="compare-work">
          <h2 id="compare-work">Work</h2>
          <Field
            label="Workload"
            tip="CPU-bound tasks compute the whole time, so only truly parallel workers help. I/O-bound tasks mostly wait, and waiting needs no core."
            hint={COMPARE_PRESETS[settings.preset].summary}
          >
            <Segmented
              label="Workload"
              options={['cpu', 'io'] as const}
              names={{ cpu: COMPARE_PRESETS.cpu.label, io: COMPARE_PRESETS.io.label }}
              value={settings.preset}
              disabled={running}
              onChange={(preset) => set({ preset })}
            />
          </Field>
          <Field
            label="Tasks"
            tip="How many tasks each backend runs, one per message (chunksize 1). The same limit as a live run: 1 to 1,000,000."
            disabled={running}
            value={
              <NumberInput
                label="Compare tasks"
                value={settings.tasks}
                {...LIMITS.tasks}
                disabled={running}
                onChange={(tasks) => set({ tasks })}
                onProblem={tasksProblem}
              />
            }
            hint={
              <span data-testid="compare-estimate">
                About {formatDuration(estimate, { about: true })} for the {plural(settings.backends.length, 'backend')}{' '}
                on this machine.
              </span>
            }
          >
            {null}
          </Field>
          <Field
            label="Pool size"
            value={plural(poolSize, 'worker')}
            disabled={running}
            tip="Workers for every backend but serial, which always has one. The machine's core count is marked."
          >
            <StepSlider
              label="Compare pool size"
              stops={Array.from({ length: maxPool }, (_, i) => i + 1)}
              value={poolSize}
              disabled={running}
              onChange={(n) => set({ poolSize: n })}
              format={(n) => plural(n, 'worker')}
              marks={cores ? [{ value: cores, label: `${cores} cores` }] : undefined}
            />
          </Field>
        </section>
        <section className="control-group" aria-labelledby="compare-backends">
          <h2 id="compare-backends">Backends</h2>
          <ul className="check-list">
            {BACKENDS.map((backend) => (
              <li key={backend}>
                <label className="check" data-backend={backend}>
                  <input
                    type="checkbox"
                    checked={settings.backends.includes(backend)}
                    disabled={running}
                    onChange={(e) => toggle(backend, e.target.checked)}
                  />
                  <span className="check-text">
                    <strong>{BACKEND_INFO[backend].name}</strong>
                    <span>{BACKEND_INFO[backend].what}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <JobBar
        label="Compare"
        status={status}
        progress={progress}
        blocked={blocked}
        onRun={() => void compare.run()}
        onCancel={() => compare.cancel()}
        tip="Run the workload on each chosen backend in turn, each on a freshly started pool."
      />
    </aside>
  );
});

/** Before the first comparison: what it does, and what each part of this view will show. */
function CompareIntro({ backends }: { backends: Backend[] }) {
  return (
    <div className="teach-intro" data-testid="compare-intro">
      <h3>Processes, threads or the GIL?</h3>
      <p>
        Choose a workload and the backends, then press <strong>Compare</strong>. Each backend starts a fresh pool and
        runs the same tasks; every number here is measured on this machine.
      </p>
      <ul className="intro-list">
        <li>
          <strong>Speedup bars</strong> — how much faster each backend finished than one worker alone (the serial run).
        </li>
        <li>
          <strong>The table</strong> — wall time, speedup, how long the pool took to start, memory per worker, and how
          busy the rest of the machine was meanwhile.
        </li>
        <li>
          <strong>Timelines</strong> — each backend’s tasks on one time axis, so the fastest is the shortest.
        </li>
      </ul>
      <p className="intro-order">
        Will run, in this order:{' '}
        {compareOrder(backends)
          .map((b) => BACKEND_INFO[b].name)
          .join(' → ') || DASH}
      </p>
    </div>
  );
}

const CompareResults = memo(function CompareResults() {
  const { compare } = useTeach();
  const { rows, measured, status, error, machine, backends } = useApp(
    useShallow((s) => ({
      rows: s.compare.rows,
      measured: s.compare.measured,
      status: s.compare.status,
      error: s.compare.error,
      machine: s.compare.machine,
      backends: s.compare.settings.backends,
    })),
  );
  const cores = useApp((s) => s.host?.cores ?? 1);
  const canRepeat = useApp(
    (s) =>
      s.teachBusy === null &&
      s.liveRun.status !== 'running' &&
      s.compare.settings.backends.length >= 2 &&
      Object.keys(s.problems.compare).length === 0,
  );
  const pending = compareOrder(measured ? backends.filter((b) => !rows.some((r) => r.backend === b)) : backends);
  if (!measured)
    return (
      <section className="panel compare-results" aria-label="Comparison">
        <CompareIntro backends={backends} />
        <div className="compare-grid preview" aria-hidden="true">
          <SpeedupBars rows={[]} pending={pending} ideal={null} />
          <CompareTable rows={[]} pending={pending} vsSerial={backends.includes('serial')} machine={{}} cores={cores} />
        </div>
      </section>
    );
  const preset = COMPARE_PRESETS[measured.preset];
  const ideal = measured.preset === 'cpu' ? Math.min(measured.poolSize, measured.cores) : measured.poolSize;
  const finished = status !== 'running';
  const busyRuns = rows.filter((r) => machineBusy(machine[r.runId]));
  return (
    <section className="panel compare-results" aria-labelledby="compare-title">
      <header className="panel-head">
        <h2 id="compare-title">{preset.label}</h2>
        <span className="panel-meta">
          {measured.tasks} × {preset.spec.workload} {preset.spec.costMs} ms · {plural(measured.poolSize, 'worker')} ·{' '}
          {plural(measured.cores, 'core')}
        </span>
        {status !== 'running' && status !== 'done' && <span className={`status-pill ${status}`}>{status}</span>}
        {finished && (
          <Tip content="Measure again with the same settings: a second run shows how much the numbers vary.">
            <button
              type="button"
              className="btn small"
              disabled={!canRepeat}
              onClick={() => void compare.run()}
              data-testid="compare-again"
            >
              Run again
            </button>
          </Tip>
        )}
      </header>
      {rows.length > 0 && status === 'done' && (
        <p className="reading" data-testid="compare-reading">
          {compareReading(rows, measured)}
        </p>
      )}
      {busyRuns.length > 0 && (
        <p className="reading warn" role="note" data-testid="machine-note">
          The machine was busy: during{' '}
          {busyRuns.length === rows.length && rows.length > 1
            ? `all ${rows.length} runs`
            : `the ${andList(busyRuns.map((r) => BACKEND_INFO[r.backend].name))} run${busyRuns.length === 1 ? '' : 's'}`}{' '}
          {describeLoad(machine[busyRuns[0].runId], measured.cores)}. Speedups measured on a busy machine are lower than
          the pool can do and vary from run to run
          {finished ? '; run again when it is quieter.' : '.'}
        </p>
      )}
      {error && (
        <p className="output-error" role="alert">
          {error}
        </p>
      )}
      <div className="compare-grid">
        <SpeedupBars rows={rows} pending={pending} ideal={ideal} />
        <CompareTable
          rows={rows}
          pending={pending}
          vsSerial={measured.vsSerial}
          machine={machine}
          cores={measured.cores}
        />
      </div>
    </section>
  );
});

function SpeedupBars({ rows, pending, ideal }: { rows: CompareRow[]; pending: Backend[]; ideal: number | null }) {
  const target = ideal ?? 2;
  const scale = Math.max(target, ...rows.map((r) => shownSpeedup(r))) * 1.12;
  const at = (x: number) => `${(100 * x) / scale}%`;
  const vsSerial = rows.some((r) => r.wallSpeedup !== null);
  return (
    <figure className="bars">
      <figcaption>Speedup {vsSerial || rows.length === 0 ? 'over serial' : '(cores kept busy)'}</figcaption>
      <div
        className="bars-plot"
        role="img"
        aria-label={`Speedup: ${rows.map((r) => `${BACKEND_INFO[r.backend].name} ${formatTimes(shownSpeedup(r))}`).join(', ') || 'none yet'}`}
      >
        <div className="bar-refs" aria-hidden="true">
          <i className="bar-ref" style={{ left: at(1) }} data-label="1×" />
          {ideal !== null && ideal > 1 && (
            <i className="bar-ref ideal" style={{ left: at(ideal) }} data-label={formatTimes(ideal, { whole: true })} />
          )}
        </div>
        {rows.map((r) => (
          <div key={r.backend} className="bar-row" data-backend={r.backend}>
            <span className="bar-name">{BACKEND_INFO[r.backend].name}</span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: at(shownSpeedup(r)) }} />
            </span>
            <span className="bar-value">{formatTimes(shownSpeedup(r))}</span>
          </div>
        ))}
        {pending.map((b) => (
          <div key={b} className="bar-row pending" data-backend={b}>
            <span className="bar-name">{BACKEND_INFO[b].name}</span>
            <span className="bar-track" />
            <span className="bar-value">{DASH}</span>
          </div>
        ))}
      </div>
    </figure>
  );
}

/** "1.2 cores", "quiet", or – where the machine was not measured. */
function othersCell(load: MachineLoad | undefined): string {
  if (!load || load.othersCpuMean === null) return DASH;
  const cores = load.othersCpuMean / 100;
  return cores < 0.1 ? 'quiet' : `${cores.toFixed(1)} cores`;
}

function CompareTable({
  rows,
  pending,
  vsSerial,
  machine,
  cores,
}: {
  rows: CompareRow[];
  pending: Backend[];
  vsSerial: boolean;
  machine: Readonly<Record<number, MachineLoad>>;
  cores: number;
}) {
  return (
    <table className="data-table" aria-label="Measured per backend">
      <thead>
        <tr>
          <th scope="col">Backend</th>
          <th scope="col">Workers</th>
          <th scope="col">Wall</th>
          <th
            scope="col"
            title={vsSerial ? 'The serial run’s wall time over this one’s' : 'Cores’ worth of CPU kept busy'}
          >
            Speedup
          </th>
          <th scope="col" title="From asking for the pool until every worker was ready">
            Start-up
          </th>
          <th scope="col" title="Resident memory per worker just after start-up">
            Memory
          </th>
          <th scope="col" title={`CPU that other programs used during the run, of the ${cores} cores`}>
            Others’ CPU
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.backend}
            data-testid="compare-row"
            data-backend={r.backend}
            className={machineBusy(machine[r.runId]) ? 'busy' : undefined}
          >
            <th scope="row">
              <i className="backend-dot" data-backend={r.backend} aria-hidden="true" />
              {BACKEND_INFO[r.backend].name}
            </th>
            <td>{r.workers}</td>
            <td>{formatDuration(r.wallMs)}</td>
            <td data-testid="compare-speedup">{formatTimes(shownSpeedup(r))}</td>
            <td>{r.startupMs === null ? DASH : formatDuration(r.startupMs)}</td>
            <td>{r.rssPerWorkerBytes === null ? DASH : formatBytes(r.rssPerWorkerBytes)}</td>
            <td data-testid="compare-others">{othersCell(machine[r.runId])}</td>
          </tr>
        ))}
        {pending.map((b) => (
          <tr key={b} className="pending" data-backend={b}>
            <th scope="row">
              <i className="backend-dot" data-backend={b} aria-hidden="true" />
              {BACKEND_INFO[b].name}
            </th>
            {Array.from({ length: 6 }, (_, i) => (
              <td key={i}>{DASH}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CompareTimelines = memo(function CompareTimelines() {
  const rows = useApp((s) => s.compare.rows);
  const backends = useApp((s) => s.compare.settings.backends);
  const poolSize = useApp((s) => s.compare.settings.poolSize ?? s.host?.cores ?? 1);
  const measuring = useApp((s) => s.compare.status === 'running');
  // Before (and while) they run, the rest keep their place, so the view shows what will appear where.
  const pending = compareOrder(backends).filter((b) => !rows.some((r) => r.backend === b));
  const withStores = rows.flatMap((row) =>
    row.store?.run ? [{ row, store: row.store, origin: row.store.run.startedAt }] : [],
  );
  // One time axis for all: the same milliseconds per pixel in every row.
  const t1 = Math.max(1, ...withStores.map(({ row }) => row.wallMs)) * 1.02;
  return (
    <section className="panel compare-timelines" aria-labelledby="compare-timelines-title">
      <header className="panel-head">
        <h2 id="compare-timelines-title">Timelines</h2>
        <span className="panel-meta">one time axis: the run’s start is 0 for every backend</span>
      </header>
      <div className="stack">
        {withStores.map(({ row: r, store, origin }) => (
          <div key={r.backend} className="stack-row" data-backend={r.backend}>
            <div className="stack-head">
              <i className="backend-dot" data-backend={r.backend} aria-hidden="true" />
              <strong>{BACKEND_INFO[r.backend].name}</strong>
              <span>
                {plural(r.workers, 'worker')} · wall {formatDuration(r.wallMs)} · {formatTimes(shownSpeedup(r))}
              </span>
            </div>
            <RunTimeline
              store={store}
              origin={origin}
              range={{ t0: 0, t1 }}
              label={`${BACKEND_INFO[r.backend].name}: ${plural(r.workers, 'worker')}, wall ${formatDuration(r.wallMs)}`}
              height={laneHeight(r.workers)}
            />
          </div>
        ))}
        {pending.map((b, i) => {
          const workers = b === 'serial' ? 1 : poolSize;
          return (
            <div key={b} className="stack-row pending" data-backend={b} data-testid="timeline-pending">
              <div className="stack-head">
                <i className="backend-dot" data-backend={b} aria-hidden="true" />
                <strong>{BACKEND_INFO[b].name}</strong>
                <span>
                  {plural(workers, 'worker')} ·{' '}
                  {measuring && i === 0 ? 'running now' : 'its tasks appear here once it has run'}
                </span>
              </div>
              <div className="run-timeline placeholder" style={{ height: 10 + Math.min(workers, 8) * 12 }} />
            </div>
          );
        })}
      </div>
    </section>
  );
});
