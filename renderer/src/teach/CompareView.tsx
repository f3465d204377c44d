import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatMs } from '../../../shared/format';
import { BACKENDS, type Backend } from '../../../shared/run-spec';
import { useApp } from '../store';
import { Field, NumberInput, Segmented, StepSlider } from '../views/ui';
import { BACKEND_INFO, COMPARE_PRESETS, compareReading, shownSpeedup } from './compare-model';
import { blockedReason, EmptyNote, JobBar } from './parts';
import { RunTimeline } from './RunTimeline';
import { useTeach } from './teach-runtime';
import type { CompareRow, CompareState } from './teach-slice';

const MAX_TASKS = 10_000;
const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const times = (x: number) => `${x.toFixed(2)}×`;
/** Axis plus a readable row per worker, up to a point. */
const laneHeight = (workers: number) => 34 + Math.min(workers, 8) * 22;

/** The seed's Q2 table, measured: one workload on two to four backends, side by side. */
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
  const running = status === 'running';
  const poolSize = settings.poolSize ?? cores ?? 1;
  const maxPool = Math.max(8, 2 * (cores ?? 1));
  const toggle = (backend: Backend, on: boolean) =>
    set({ backends: on ? [...settings.backends, backend] : settings.backends.filter((b) => b !== backend) });
  const blocked =
    settings.backends.length < 2
      ? 'Pick at least two backends to compare.'
      : blockedReason(busy, 'compare', liveRunning);
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
            tip="How many tasks each backend runs; one task per message (chunksize 1)."
            disabled={running}
            value={
              <NumberInput
                label="Compare tasks"
                value={settings.tasks}
                min={1}
                max={MAX_TASKS}
                disabled={running}
                onChange={(tasks) => set({ tasks })}
              />
            }
          >
            {null}
          </Field>
          <Field
            label="Pool size"
            value={`${poolSize} worker${poolSize === 1 ? '' : 's'}`}
            disabled={running}
            tip="Workers for every backend but serial, which always has one. The machine's core count is marked."
          >
            <StepSlider
              label="Compare pool size"
              stops={Array.from({ length: maxPool }, (_, i) => i + 1)}
              value={poolSize}
              disabled={running}
              onChange={(n) => set({ poolSize: n })}
              format={(n) => `${n} worker${n === 1 ? '' : 's'}`}
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

const CompareResults = memo(function CompareResults() {
  const { rows, measured, status, error } = useApp(
    useShallow((s) => ({
      rows: s.compare.rows,
      measured: s.compare.measured,
      status: s.compare.status,
      error: s.compare.error,
    })),
  );
  if (!measured)
    return (
      <section className="panel compare-results" aria-label="Comparison">
        <EmptyNote title="Processes, threads or the GIL?">
          Choose a workload and the backends, then press Compare: each backend starts a fresh pool and runs the same
          tasks, and every number below is measured here.
        </EmptyNote>
      </section>
    );
  const preset = COMPARE_PRESETS[measured.preset];
  return (
    <section className="panel compare-results" aria-labelledby="compare-title">
      <header className="panel-head">
        <h2 id="compare-title">{preset.label}</h2>
        <span className="panel-meta">
          {measured.tasks} × {preset.spec.workload} {preset.spec.costMs} ms · {measured.poolSize} worker
          {measured.poolSize === 1 ? '' : 's'} · {measured.cores} cores
        </span>
        {status !== 'running' && status !== 'done' && <span className={`status-pill ${status}`}>{status}</span>}
      </header>
      {rows.length > 0 && status === 'done' && (
        <p className="reading" data-testid="compare-reading">
          {compareReading(rows, measured)}
        </p>
      )}
      {error && (
        <p className="output-error" role="alert">
          {error}
        </p>
      )}
      <div className="compare-grid">
        <SpeedupBars rows={rows} measured={measured} />
        <CompareTable rows={rows} vsSerial={measured.vsSerial} />
      </div>
    </section>
  );
});

function SpeedupBars({ rows, measured }: { rows: CompareRow[]; measured: NonNullable<CompareState['measured']> }) {
  const ideal = measured.preset === 'cpu' ? Math.min(measured.poolSize, measured.cores) : measured.poolSize;
  const scale = Math.max(ideal, ...rows.map((r) => shownSpeedup(r))) * 1.12;
  const at = (x: number) => `${(100 * x) / scale}%`;
  return (
    <figure className="bars">
      <figcaption>Speedup {measured.vsSerial ? 'over serial' : '(Σ task time / wall)'}</figcaption>
      <div
        className="bars-plot"
        role="img"
        aria-label={`Speedup: ${rows.map((r) => `${BACKEND_INFO[r.backend].name} ${times(shownSpeedup(r))}`).join(', ') || 'none yet'}`}
      >
        <div className="bar-refs" aria-hidden="true">
          <i className="bar-ref" style={{ left: at(1) }} data-label="1×" />
          {ideal > 1 && <i className="bar-ref ideal" style={{ left: at(ideal) }} data-label={`${ideal}×`} />}
        </div>
        {rows.map((r) => (
          <div key={r.backend} className="bar-row" data-backend={r.backend}>
            <span className="bar-name">{BACKEND_INFO[r.backend].name}</span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: at(shownSpeedup(r)) }} />
            </span>
            <span className="bar-value">{shownSpeedup(r).toFixed(1)}×</span>
          </div>
        ))}
      </div>
    </figure>
  );
}

function CompareTable({ rows, vsSerial }: { rows: CompareRow[]; vsSerial: boolean }) {
  return (
    <table className="data-table" aria-label="Measured per backend">
      <thead>
        <tr>
          <th scope="col">Backend</th>
          <th scope="col">Workers</th>
          <th scope="col">Wall</th>
          <th scope="col">{vsSerial ? 'Speedup vs serial' : 'Speedup'}</th>
          <th scope="col">Start-up</th>
          <th scope="col">Memory / worker</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.backend} data-testid="compare-row" data-backend={r.backend}>
            <th scope="row">
              <i className="backend-dot" data-backend={r.backend} aria-hidden="true" />
              {BACKEND_INFO[r.backend].name}
            </th>
            <td>{r.workers}</td>
            <td>{formatMs(r.wallMs)}</td>
            <td data-testid="compare-speedup">{times(shownSpeedup(r))}</td>
            <td>{r.startupMs === null ? '–' : formatMs(r.startupMs)}</td>
            <td>{mib(r.rssPerWorkerBytes)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={6} className="table-empty">
              Measuring…
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

const CompareTimelines = memo(function CompareTimelines() {
  const rows = useApp((s) => s.compare.rows);
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
                {r.workers} worker{r.workers === 1 ? '' : 's'} · wall {formatMs(r.wallMs)} · {times(shownSpeedup(r))}
              </span>
            </div>
            <RunTimeline
              store={store}
              origin={origin}
              range={{ t0: 0, t1 }}
              label={`${BACKEND_INFO[r.backend].name}: ${r.workers} workers, wall ${formatMs(r.wallMs)}`}
              height={laneHeight(r.workers)}
            />
          </div>
        ))}
        {withStores.length === 0 && (
          <p className="canvas-note static">Each backend’s run appears here as it finishes, all on one time axis.</p>
        )}
      </div>
    </section>
  );
});
