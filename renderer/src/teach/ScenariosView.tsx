import { memo } from 'react';
import { formatDuration } from '../../../shared/format';
import { SCENARIO_IDS, SCENARIOS } from '../../../shared/scenarios';
import { useApp } from '../store';
import { ConsolePanel } from '../views/ConsolePanel';
import { blockedReason, EmptyNote } from './parts';
import { RunTimeline } from './RunTimeline';
import { Segmented } from '../views/ui';
import { useTeach } from './teach-runtime';
import type { ScenarioRunOn, StepState } from './teach-slice';

const RUN_ON: readonly ScenarioRunOn[] = ['engine', 'python'];
const RUN_ON_NAMES: Record<ScenarioRunOn, string> = { engine: 'Poolscope’s engine', python: 'real Python' };

/** "Q1 · Squares on a pool of five" → "Squares on a pool of five": the list shows the number apart. */
const shortTitle = (title: string) => title.replace(/^Q\d\s*·\s*/, '');

/** The assignment's six examples: pick one, read what it shows, run it, and see exactly what its program prints. */
export const ScenariosView = memo(function ScenariosView() {
  return (
    <div className="teach-grid scenarios">
      <ScenarioList />
      <div className="teach-center">
        <ScenarioPanel />
        <ScenarioTimeline />
      </div>
      <div className="teach-side">
        <OutputPanel />
        <ScenarioConsole />
      </div>
    </div>
  );
});

const ScenarioList = memo(function ScenarioList() {
  const { scenarios } = useTeach();
  const selected = useApp((s) => s.scenario?.id ?? null);
  const locked = useApp((s) => s.teachBusy !== null);
  const runOn = useApp((s) => s.scenarioRunOn);
  const setRunOn = (next: ScenarioRunOn) => {
    useApp.getState().setScenarioRunOn(next);
    // The shown example's steps change with where it runs.
    const shown = useApp.getState().scenario?.id;
    if (shown) scenarios.select(shown);
  };
  return (
    <nav className="panel scenario-list" aria-labelledby="scenario-list-title">
      <header className="panel-head">
        <h2 id="scenario-list-title">Six classic multiprocessing examples</h2>
      </header>
      <div className="scenario-run-on">
        <Segmented
          label="Run the examples"
          options={RUN_ON}
          value={runOn}
          names={RUN_ON_NAMES}
          disabled={locked}
          onChange={setRunOn}
        />
        <p className="field-hint">
          {runOn === 'engine'
            ? 'Poolscope’s own pool reproduces each program, one step at a time.'
            : 'Each program itself runs in CPython, traced: its real pools, its real output.'}
        </p>
      </div>
      <ul>
        {SCENARIO_IDS.map((id) => {
          const scenario = SCENARIOS[id];
          return (
            <li key={id}>
              <button
                type="button"
                className="scenario-item"
                aria-current={selected === id ? 'true' : undefined}
                disabled={locked && selected !== id}
                onClick={() => scenarios.select(id)}
              >
                <span className="scenario-q">{id.toUpperCase()}</span>
                <span className="scenario-text">
                  <strong>{shortTitle(scenario.title)}</strong>
                  <span>{scenario.question}</span>
                  {scenario.kind === 'compare' && runOn === 'engine' && (
                    <span className="scenario-opens">Opens Compare →</span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
});

const ScenarioPanel = memo(function ScenarioPanel() {
  const { scenarios } = useTeach();
  const state = useApp((s) => s.scenario);
  const busy = useApp((s) => s.teachBusy);
  // The live pool's run, even while a trace replays in the views.
  const liveRunning = useApp((s) => s.liveRun.status === 'running');
  if (!state)
    return (
      <section className="panel scenario-panel" aria-label="Scenario">
        <EmptyNote title="Pick an example">
          Each of the six examples of a Python multiprocessing assignment runs here on the real pool, step by step, or
          as its own program in real Python — and prints exactly what its Python program prints.
        </EmptyNote>
      </section>
    );
  const scenario = SCENARIOS[state.id];
  const stepped = scenario.kind === 'steps' && state.runOn === 'engine';
  const running = state.status === 'running';
  const stepBusy = state.steps.some((s) => s.status === 'running');
  const next = state.steps.find((s) => s.status === 'pending');
  const blocked = blockedReason(busy, 'scenario', liveRunning);
  const finished = state.status === 'done' || state.status === 'failed' || state.status === 'cancelled';
  return (
    <section className="panel scenario-panel" aria-labelledby="scenario-title" data-testid="scenario-panel">
      <header className="panel-head">
        <h2 id="scenario-title">{scenario.title}</h2>
        <span
          className={`status-pill ${state.status === 'done' ? 'completed' : state.status}`}
          data-testid="scenario-status"
        >
          {state.status === 'idle' ? 'ready' : state.status}
        </span>
      </header>
      <div className="scenario-body">
        <p className="scenario-question">
          <span>The question</span> {scenario.question}
        </p>
        {scenario.explanation.map((paragraph) => (
          <p key={paragraph} className="scenario-explanation">
            {paragraph}
          </p>
        ))}
        <div className="scenario-actions">
          {stepped ? (
            <>
              <button
                type="button"
                className="btn primary"
                disabled={stepBusy || blocked !== null || (running && !next)}
                onClick={() => void scenarios.runNext()}
              >
                {running && next ? `Next: ${next.code}` : finished ? 'Start again' : `Step 1: ${state.steps[0]?.code}`}
              </button>
              <button
                type="button"
                className="btn"
                disabled={stepBusy || blocked !== null}
                onClick={() => void scenarios.runAll()}
              >
                {running ? 'Run the rest' : 'Run all steps'}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="btn primary"
              disabled={running || blocked !== null}
              onClick={() => void scenarios.runAll()}
            >
              <svg viewBox="0 0 16 16" aria-hidden="true">
                <path d="M4 2.5v11l9-5.5z" />
              </svg>
              {finished ? 'Run again' : 'Run'}
            </button>
          )}
          <button type="button" className="btn ghost" disabled={!running} onClick={() => scenarios.cancel()}>
            Stop
          </button>
          {blocked && !running && <span className="job-note">{blocked}</span>}
        </div>
        <StepList steps={state.steps} current={stepped && running ? next : undefined} />
      </div>
    </section>
  );
});

function StepList({ steps, current }: { steps: StepState[]; current: StepState | undefined }) {
  return (
    <ol className="step-list" aria-label="Program steps">
      {steps.map((step) => (
        <li
          key={step.code}
          className={`step ${step.status}${step === current ? ' next' : ''}`}
          data-testid="scenario-step"
          data-status={step.status}
        >
          <span className="step-icon" aria-hidden="true" />
          <code>{step.code}</code>
          <span className="step-title">{step.title}</span>
          <span className="step-measure">
            {step.ms !== null && <strong>{formatDuration(step.ms)}</strong>}
            {step.note && <span>{step.note}</span>}
            {step.status === 'running' && <span>running…</span>}
            <span className="sr-only">{step.status}</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

/** The scenario's own console: its workers' lines, from its own record, with its own filter. */
const ScenarioConsole = memo(function ScenarioConsole() {
  const store = useApp((s) => s.scenario?.store ?? null);
  return <ConsolePanel store={store} empty="Lines this scenario’s workers print appear here, coloured by worker." />;
});

/** What the program prints: the workers' lines as they arrived, then the parent's. */
const OutputPanel = memo(function OutputPanel() {
  const state = useApp((s) => s.scenario);
  const output = state?.output ?? [];
  return (
    <section className="panel output-panel" aria-labelledby="output-title">
      <header className="panel-head">
        <h2 id="output-title">Output</h2>
        <span className="panel-meta">{state ? `what ${state.id.toUpperCase()}’s program prints` : ''}</span>
      </header>
      <div className="output-box" role="log" aria-label="Program output" data-testid="scenario-output">
        {output.map((line, i) => (
          <div key={i} className="output-line" data-testid="output-line">
            {line}
          </div>
        ))}
        {output.length === 0 && !state?.error && (
          <p className="output-empty">
            {state?.status === 'running'
              ? 'Waiting for the program to print…'
              : 'Run a scenario to see what it prints.'}
          </p>
        )}
        {state?.error && (
          <p className="output-error" role="alert">
            {state.error}
          </p>
        )}
      </div>
    </section>
  );
});

const ScenarioTimeline = memo(function ScenarioTimeline() {
  const store = useApp((s) => s.scenario?.store ?? null);
  const markers = useApp((s) => s.scenario?.markers);
  const id = useApp((s) => s.scenario?.id ?? null);
  return (
    <section className="panel scenario-timeline" aria-labelledby="scenario-timeline-title">
      <header className="panel-head">
        <h2 id="scenario-timeline-title">Timeline</h2>
        <ul className="legend" aria-label="Timeline legend">
          <li>
            <i className="swatch startup" /> start-up
          </li>
          <li>
            <i className="swatch done" /> task
          </li>
          <li>
            <i className="swatch corewait" /> waiting for a core
          </li>
          <li>
            <i className="mark-exit" aria-hidden="true">
              ✕
            </i>{' '}
            exit
          </li>
          <li>
            <i className="mark-step" aria-hidden="true" /> program step
          </li>
        </ul>
      </header>
      <div className="canvas-wrap">
        {store && id ? (
          <RunTimeline
            store={store}
            markers={markers}
            label={`Timeline of ${id.toUpperCase()}: each worker's start-up, tasks and exit, with the program's steps marked`}
          />
        ) : (
          <p className="canvas-note static">
            Every worker of the scenario appears here: its start-up, its tasks, its exit.
          </p>
        )}
      </div>
    </section>
  );
});
