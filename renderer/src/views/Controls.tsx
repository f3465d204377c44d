import { DropdownMenu, Switch } from 'radix-ui';
import { memo, useMemo } from 'react';
import {
  BACKENDS,
  CLUSTER_WORKLOADS,
  DISTRIBUTIONS,
  LIMITS,
  MAP_MODES,
  WORKLOAD_KINDS,
  effectiveChunkSize,
  isClusterBackend,
  type Backend,
  type RunSpec,
} from '../../../shared/run-spec';
import { formatCount, formatDuration, plural } from '../../../shared/format';
import { WORKLOADS } from '../../../shared/workloads';
import { BACKEND_NAMES, report, usePoolCommands } from '../app/pool-commands';
import { useRuntime } from '../app/runtime';
import { useApp, type LiveSource } from '../store';
import { AttachCluster, ClusterNoteLine } from './ClusterControls';
import { useBoxProblem, useFormProblem } from './form';
import { poolPositions } from './pool-scale';
import { PythonProgramControls } from './PythonControls';
import { Field, NumberInput, Segmented, StepSlider, Tip } from './ui';

/** 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade: round numbers at any scale. */
function ladder(from: number, to: number): number[] {
  const mantissas = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8];
  const out = new Set<number>();
  for (let p = Math.floor(Math.log10(from)); 10 ** p <= to; p++) {
    for (const m of mantissas) {
      const v = m * 10 ** p;
      const rounded = v >= 1 ? Math.round(v) : +v.toPrecision(2);
      if (rounded >= from && rounded <= to) out.add(rounded);
    }
  }
  out.add(to);
  return [...out].sort((a, b) => a - b);
}

const POOL_STOPS = Array.from({ length: LIMITS.poolSize.max }, (_, i) => i + 1);
const TASK_STOPS = ladder(LIMITS.tasks.min, LIMITS.tasks.max);
const COST_STOPS = [0, ...ladder(0.1, LIMITS.costMs.max)];
const MAX_TASKS_STOPS = [0, ...ladder(1, LIMITS.maxTasksPerWorker.max)];
const TIMEOUT_STOPS = [0, ...ladder(10, LIMITS.timeoutMs.max)];

const THREAD_STOPS = Array.from({ length: LIMITS.threadsPerWorker.max }, (_, i) => i + 1);
const SOURCES: readonly LiveSource[] = ['engine', 'python'];
const SOURCE_NAMES: Record<LiveSource, string> = { engine: 'Built-in workloads', python: 'Python program' };

export const Controls = memo(function Controls() {
  const spec = useApp((s) => s.spec);
  const setSpec = useApp((s) => s.setSpec);
  const cores = useApp((s) => s.host?.cores ?? null);
  // Only Ray's hint changes when a run starts: subscribing to the status itself would re-render
  // every slider here at each run's start and end, a dropped frame each time.
  const rayRunning = useApp((s) => s.spec.backend === 'ray' && s.run.status === 'running');
  const source = useApp((s) => s.source);
  const useSlider = useApp((s) => s.python.useSlider);
  const setPython = useApp((s) => s.setPython);
  // A replay fills the panels; the live pool's controls wait until the user is back.
  const replaying = useApp((s) => s.replay !== null);
  // The slider drives the live pool.
  const { setPoolSize } = usePoolCommands();
  const taskCountProblem = useBoxProblem('live', 'Task count');
  const taskCostProblem = useBoxProblem('live', 'Task cost');
  const faultEveryProblem = useBoxProblem('live', 'Fault every');
  const poolTrack = useMemo(() => poolPositions(LIMITS.poolSize.min, LIMITS.poolSize.max, cores ?? 1), [cores]);

  const python = source === 'python';
  const cluster = !python && isClusterBackend(spec.backend);
  const serial = !python && spec.backend === 'serial';
  const sliderOff = serial || (python && !useSlider);
  const workload = WORKLOADS[spec.workload];
  const oversubscribed = cores !== null && spec.poolSize > cores && workload.usesCost && spec.workload !== 'io';
  const effective = effectiveChunkSize(spec);

  return (
    <aside className="controls" aria-label="Run settings" inert={replaying}>
      <div className="controls-scroll">
        <section className="control-group" aria-labelledby="group-source">
          <h2 id="group-source">Source</h2>
          <SourceField />
        </section>

        <section className="control-group" aria-labelledby="group-pool">
          <h2 id="group-pool">Pool</h2>
          <Field
            label="Pool size"
            value={python && !useSlider ? undefined : plural(serial ? 1 : spec.poolSize, 'worker')}
            disabled={sliderOff}
            tip={
              python
                ? 'Every Pool, ThreadPool and executor the program creates gets this many workers, whatever its code asks for — so you can try its pools at any size without editing it. Off: as the script says. Takes effect at the next run.'
                : "How many workers run tasks at once. Beyond the machine's core count, CPU-bound tasks only take turns on the same cores, so more workers stop helping. The + and − keys add or remove a worker."
            }
            hint={
              python
                ? useSlider
                  ? `Every pool the program creates gets ${plural(spec.poolSize, 'worker')}.`
                  : undefined
                : serial
                  ? 'The serial backend always runs one task at a time.'
                  : rayRunning
                    ? 'Ray takes a new size at the next run: its workers cannot change during one.'
                    : oversubscribed
                      ? `More workers than the ${cores} cores: CPU-bound tasks will share cores, not run faster.`
                      : undefined
            }
          >
            {python && (
              <label className="switch-label">
                <Switch.Root
                  className="switch"
                  checked={!useSlider}
                  aria-label="As the script says"
                  onCheckedChange={(asWritten) => setPython({ useSlider: !asWritten })}
                >
                  <Switch.Thumb className="switch-thumb" />
                </Switch.Root>
                as the script says
              </label>
            )}
            <StepSlider
              label="Pool size"
              stops={POOL_STOPS}
              positions={poolTrack}
              value={serial ? 1 : spec.poolSize}
              disabled={sliderOff}
              onChange={setPoolSize}
              format={(n) => plural(n, 'worker')}
              marks={cores ? [{ value: cores, label: `${cores} cores` }] : undefined}
            />
          </Field>
          {!python && <BackendField />}
          {cluster && spec.backend === 'dask' && (
            <Field
              label="Threads per worker"
              value={plural(spec.threadsPerWorker, 'thread')}
              tip="Each Dask worker is one process running this many threads; the pool size counts the processes. Threads share their process's GIL, so for Python code more processes beat more threads."
              hint="Takes effect at the next run: the cluster restarts with the new shape."
            >
              <StepSlider
                label="Threads per worker"
                stops={THREAD_STOPS}
                value={spec.threadsPerWorker}
                onChange={(threadsPerWorker) => setSpec({ threadsPerWorker })}
                format={(n) => plural(n, 'thread')}
              />
            </Field>
          )}
        </section>

        {python ? (
          <PythonProgramControls />
        ) : (
          <>
            <section className="control-group" aria-labelledby="group-work">
              <h2 id="group-work">Work</h2>
              <Field
                label="Workload"
                htmlFor="workload"
                tip="The function every task runs: real work in a real process, with a result you can check."
              >
                <select
                  id="workload"
                  className="select"
                  value={spec.workload}
                  onChange={(e) => setSpec({ workload: e.target.value as RunSpec['workload'] })}
                >
                  {(cluster ? CLUSTER_WORKLOADS : WORKLOAD_KINDS).map((kind) => (
                    <option key={kind} value={kind}>
                      {WORKLOADS[kind].label}
                    </option>
                  ))}
                </select>
                <p className="field-hint">
                  {workload.description}
                  {cluster && ` On ${BACKEND_NAMES[spec.backend]}: ${CLUSTER_WORKLOADS.join(', ')} only.`}
                </p>
              </Field>
              <Field
                label="Task count"
                value={
                  <NumberInput
                    label="Task count value"
                    value={spec.tasks}
                    {...LIMITS.tasks}
                    onChange={(tasks) => setSpec({ tasks })}
                    onProblem={taskCountProblem}
                  />
                }
                tip="How many tasks the run submits; task i receives the input i, as in map(f, range(n))."
              >
                <StepSlider
                  label="Task count"
                  stops={TASK_STOPS}
                  value={spec.tasks}
                  onChange={(tasks) => setSpec({ tasks })}
                  format={(n) => plural(n, 'task')}
                />
              </Field>
              <Field
                label="Task cost"
                disabled={!workload.usesCost}
                value={
                  <NumberInput
                    label="Task cost value"
                    value={spec.costMs}
                    {...LIMITS.costMs}
                    integer={false}
                    suffix="ms"
                    disabled={!workload.usesCost}
                    onChange={(costMs) => setSpec({ costMs })}
                    onProblem={taskCostProblem}
                  />
                }
                tip="How long each cpu, primes or io task works, in milliseconds; tiny tasks make messaging overhead visible, big ones make parallelism pay."
                hint={workload.usesCost ? undefined : `${workload.label} tasks take no configurable time.`}
              >
                <StepSlider
                  label="Task cost"
                  stops={COST_STOPS}
                  value={spec.costMs}
                  onChange={(costMs) => setSpec({ costMs })}
                  format={(ms) => formatDuration(ms, { trim: true })}
                  disabled={!workload.usesCost}
                />
              </Field>
              <Field
                label="Distribution"
                disabled={!workload.usesCost || cluster}
                hint={cluster ? `${BACKEND_NAMES[spec.backend]} runs every task at the set cost.` : undefined}
                tip="Whether every task costs the same, varies between half and one and a half times the cost, or has a long tail where a few tasks take far longer — which is when chunking hurts."
              >
                <Segmented
                  label="Distribution"
                  options={DISTRIBUTIONS}
                  value={spec.distribution}
                  names={{ longtail: 'long tail' }}
                  disabled={!workload.usesCost || cluster}
                  onChange={(distribution) => setSpec({ distribution })}
                />
              </Field>
              {workload.usesFaults && (
                <Field
                  label="Fault every"
                  value={
                    <NumberInput
                      label="Fault every"
                      value={spec.faultEvery}
                      {...LIMITS.faultEvery}
                      onChange={(faultEvery) => setSpec({ faultEvery })}
                      onProblem={faultEveryProblem}
                    />
                  }
                  tip="Every k-th task misbehaves — raises, kills its own process or hangs — so you can watch the pool recover."
                  hint={`Tasks ${spec.faultEvery - 1}, ${2 * spec.faultEvery - 1}, … will ${spec.workload === 'fail' ? 'raise' : spec.workload === 'crash' ? 'crash their worker' : 'hang'}.`}
                >
                  {null}
                </Field>
              )}
            </section>

            <section className="control-group" aria-labelledby="group-scheduling" inert={cluster}>
              <h2 id="group-scheduling">Scheduling</h2>
              {cluster && (
                <p className="field-hint" data-testid="cluster-scheduling">
                  {BACKEND_NAMES[spec.backend]} schedules tasks itself, one task per message: these settings are the
                  built-in backends’.
                </p>
              )}
              <Field
                label="Map mode"
                tip="map and imap hand results back in input order (map all at once, imap one by one); imap_unordered yields each result as soon as it is done; apply_async submits tasks one at a time."
              >
                <Segmented
                  label="Map mode"
                  options={MAP_MODES}
                  value={spec.mode}
                  onChange={(mode) => setSpec({ mode })}
                  grid
                />
              </Field>
              <Field
                label="Chunksize"
                value={spec.chunksize === 'auto' ? `auto → ${formatCount(effective)}` : formatCount(effective)}
                tip="How many tasks travel to a worker in one message: bigger chunks cut messaging overhead, smaller ones spread uneven work better. Auto is Python's ⌈n / (4 × workers)⌉ for map, 1 for imap."
                hint={spec.mode === 'apply_async' ? 'apply_async always sends tasks one by one.' : undefined}
              >
                <div className="chunk-row">
                  <label className="switch-label">
                    <Switch.Root
                      className="switch"
                      checked={spec.chunksize === 'auto'}
                      aria-label="Automatic chunksize"
                      onCheckedChange={(auto) => setSpec({ chunksize: auto ? 'auto' : effective })}
                    >
                      <Switch.Thumb className="switch-thumb" />
                    </Switch.Root>
                    auto
                  </label>
                  <StepSlider
                    label="Chunksize"
                    stops={ladder(1, Math.max(1, spec.tasks))}
                    value={effective}
                    disabled={spec.chunksize === 'auto' || spec.mode === 'apply_async'}
                    onChange={(chunksize) => setSpec({ chunksize })}
                    format={(n) => plural(n, 'task')}
                  />
                </div>
              </Field>
              <Field
                label="Max tasks per worker"
                value={spec.maxTasksPerWorker === 0 ? 'unlimited' : formatCount(spec.maxTasksPerWorker)}
                tip="Replace a worker process after it has run this many tasks (Python's maxtasksperchild): it frees leaked memory at the price of start-ups. 0 keeps workers for the whole run."
              >
                <StepSlider
                  label="Max tasks per worker"
                  stops={MAX_TASKS_STOPS}
                  value={spec.maxTasksPerWorker}
                  onChange={(maxTasksPerWorker) => setSpec({ maxTasksPerWorker })}
                  format={(n) => (n === 0 ? 'unlimited' : plural(n, 'task'))}
                />
              </Field>
              <Field
                label="Timeout"
                value={spec.timeoutMs === 0 ? 'none' : formatDuration(spec.timeoutMs, { trim: true })}
                tip="A task still running after this long fails, and its worker is killed and replaced; 0 means tasks may run forever."
              >
                <StepSlider
                  label="Timeout"
                  stops={TIMEOUT_STOPS}
                  value={spec.timeoutMs}
                  onChange={(timeoutMs) => setSpec({ timeoutMs })}
                  format={(n) => (n === 0 ? 'no timeout' : formatDuration(n, { trim: true }))}
                />
              </Field>
            </section>
          </>
        )}
      </div>
      <Actions />
    </aside>
  );
});

/** What runs: the built-in workloads or a Python program; it cannot change during a run. */
const SourceField = memo(function SourceField() {
  const source = useApp((s) => s.source);
  const running = useApp((s) => s.run.status === 'running');
  const { configure } = usePoolCommands();
  // A program brings its own pools; back on the built-in workloads, the live pool is the one the controls describe.
  const setSource = (next: LiveSource) => {
    useApp.getState().setSource(next);
    const { spec } = useApp.getState();
    if (next === 'engine') configure(spec.backend === 'serial' ? 1 : spec.poolSize, spec.backend);
  };
  return (
    <Field
      label="Source"
      tip="What a run runs: Poolscope's own workloads on the pool below, or a Python program — yours or one that comes with Poolscope — traced live in the same views."
      hint={running ? 'Switching waits until the run ends.' : undefined}
    >
      <Segmented
        label="Source"
        options={SOURCES}
        value={source}
        names={SOURCE_NAMES}
        disabled={running}
        onChange={setSource}
      />
    </Field>
  );
});

/** Where tasks run; switching replaces every worker, so it waits for the run to end. */
const BackendField = memo(function BackendField() {
  const backend = useApp((s) => s.spec.backend);
  const running = useApp((s) => s.run.status === 'running');
  const { configure } = usePoolCommands();
  const setBackend = (next: Backend) => {
    const { spec, setSpec } = useApp.getState();
    const offered = !isClusterBackend(next) || (CLUSTER_WORKLOADS as readonly string[]).includes(spec.workload);
    setSpec({ backend: next, ...(offered ? {} : { workload: 'cpu' }) });
    configure(next === 'serial' ? 1 : spec.poolSize, next);
  };
  return (
    <Field
      label="Backend"
      tip="Where tasks run: separate worker processes (truly parallel), threads in one process, the same threads sharing one lock like CPython's GIL (one computes at a time), or serially — the baseline."
      hint={running ? 'Switching backends waits until the run ends.' : undefined}
    >
      <Segmented
        label="Backend"
        options={BACKENDS}
        value={backend}
        names={BACKEND_NAMES}
        disabled={running}
        onChange={setBackend}
        grid
      />
      <ClusterNoteLine />
      <AttachCluster />
    </Field>
  );
});

/** The buttons; the same commands are on the keyboard and in the app menu (app/shortcuts.ts). */
const Actions = memo(function Actions() {
  const { api } = useRuntime();
  const pool = usePoolCommands();
  const status = useApp((s) => s.run.status);
  const paused = useApp((s) => s.run.paused);
  const problem = useFormProblem('live');
  const running = status === 'running';
  // A program or a cluster submits its own tasks: it can be stopped, not paused.
  const runSource = useApp((s) => s.run.source);
  const attached = useApp((s) => s.attachedRunId !== null && s.attachedRunId === s.run.runId);
  const ownRun = runSource !== null && runSource !== 'engine';
  // A program's failure is its traceback: worth reading in full, where Run is.
  const runError = useApp((s) => (s.run.status === 'failed' && s.run.source === 'python' ? s.run.error : null));
  const note = attached
    ? 'Following the cluster read-only: Stop detaches, the cluster keeps running.'
    : runSource === 'python'
      ? 'The program runs as it is; changes apply to the next run.'
      : runSource === 'ray'
        ? 'Changes apply to the next run.'
        : 'Pool size applies now; other changes apply to the next run.';

  return (
    <div className="actions">
      {running && <p className="controls-note">{note}</p>}
      {runError && !running && (
        <pre className="run-error" role="alert" data-testid="run-error">
          {runError}
        </pre>
      )}
      {problem && !running && (
        <p className="form-problem" role="alert" data-testid="form-problem">
          {problem}
        </p>
      )}
      <Tip content="Start a run with these settings (Ctrl+Enter, or Space when nothing is running).">
        <button type="button" className="btn primary run" onClick={pool.run} disabled={running || problem !== null}>
          <svg viewBox="0 0 16 16" aria-hidden="true">
            <path d="M4 2.5v11l9-5.5z" />
          </svg>
          Run
        </button>
      </Tip>
      <Tip
        content={
          ownRun
            ? 'A program or a cluster hands out its own tasks: it can be stopped, not paused.'
            : paused
              ? 'Hand out queued tasks again (Space).'
              : 'Stop handing out queued tasks; workers finish what they already hold (Space).'
        }
      >
        <button type="button" className="btn" disabled={!running || ownRun} onClick={pool.togglePause}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </Tip>
      {ownRun ? (
        <Tip
          content={
            attached
              ? 'Stop following the cluster (Esc); its tasks go on.'
              : runSource === 'python'
                ? 'Stop the program and every process it started (Esc).'
                : 'Cancel the cluster’s tasks (Esc).'
          }
        >
          <button type="button" className="btn" disabled={!running} onClick={() => pool.cancel('kill')}>
            {attached ? 'Detach' : 'Stop'}
          </button>
        </Tip>
      ) : (
        <DropdownMenu.Root>
          <Tip content="Drop the queued tasks, and either stop the running ones now (Esc) or let them finish.">
            <DropdownMenu.Trigger asChild disabled={!running}>
              <button type="button" className="btn">
                Cancel
                <svg viewBox="0 0 16 16" aria-hidden="true" className="chevron">
                  <path d="M4 6l4 4 4-4" />
                </svg>
              </button>
            </DropdownMenu.Trigger>
          </Tip>
          <DropdownMenu.Portal>
            <DropdownMenu.Content className="menu" sideOffset={6} align="start">
              <DropdownMenu.Item className="menu-item" onSelect={() => pool.cancel('kill')}>
                <strong>Stop now</strong>
                <span>Kill running tasks; their workers are replaced (Esc).</span>
              </DropdownMenu.Item>
              <DropdownMenu.Item className="menu-item" onSelect={() => pool.cancel('finish')}>
                <strong>Let running tasks finish</strong>
                <span>Only the queue is dropped.</span>
              </DropdownMenu.Item>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      )}
      <Tip content="Cancel any run and replace every worker with a fresh process.">
        <button
          type="button"
          className="btn ghost"
          onClick={() => void api.reset().then((r) => report('Could not reset', r))}
        >
          Reset
        </button>
      </Tip>
    </div>
  );
});
