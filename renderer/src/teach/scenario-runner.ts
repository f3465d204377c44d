/**
 * Runs one of the assignment's examples the way its Python program runs, one step at a time
 * through the API: a pool program creates the pool, maps, closes and joins it,
 * then prints; Q3 starts one child process and joins it. Every step is timed on
 * the host's clock and marked on the scenario's timeline, and the Output box
 * gets exactly what the program prints. Q5 is stepped by hand; the others run
 * all their steps with one click.
 */
import type { PoolscopeApi } from '../../../shared/api';
import { makeRunSpec, type RunSpec } from '../../../shared/run-spec';
import { SCENARIOS, type Scenario, type ScenarioId } from '../../../shared/scenarios';
import { TaskStore } from '../../../shared/task-store';
import { formatDuration, plural } from '../../../shared/format';
import { useApp } from '../store';
import { closePool, createPool, joinPool, runToEnd, type StepContext } from '../../../shared/jobs/steps';
import { afterMapLines, finalLines, mapCall, printCall, workerLines } from './scenario-output';
import { Cancelled, type Session } from '../../../shared/jobs/session';
import type { ScenarioRunOn, StepState } from './teach-slice';

type StepRun = (ctx: StepContext, job: Job) => Promise<{ ms: number | null; note: string }>;

interface Job {
  scenario: Scenario;
  spec: RunSpec;
  store: TaskStore;
  abort: AbortController;
  untap: () => void;
  next: number;
  /** Whether a step is executing (Q5 waits between steps for the next click). */
  busy: boolean;
  closedAt: number | null;
}

/** The steps of a scenario's program, each with what runs it; in real Python, one: the whole program. */
function plan(scenario: Scenario, spec: RunSpec, runOn: ScenarioRunOn): { step: StepState; run: StepRun }[] {
  const step = (code: string, title: string): StepState => ({ code, title, status: 'pending', ms: null, note: '' });
  if (runOn === 'python')
    return [
      {
        step: step(
          `python ${scenario.pythonExample}.py`,
          'The program runs in CPython, traced; it prints as it would alone',
        ),
        run: pythonStep,
      },
    ];
  const print = { step: step(printCall(scenario), 'The parent prints'), run: printStep };
  if (scenario.kind === 'process') {
    return [
      { step: step('p = Process(target=f); p.start()', 'A child process starts and runs f'), run: startChild },
      { step: step('p.join()', 'The parent waits until the child has exited'), run: joinStep },
      print,
    ];
  }
  return [
    {
      step: step(`pool = Pool(processes=${spec.poolSize})`, `${spec.poolSize} worker processes start`),
      run: createStep,
    },
    { step: step(mapCall(spec), 'Tasks travel to the workers; results come back in order'), run: mapStep },
    { step: step('pool.close()', 'No more tasks: each worker may exit once idle'), run: closeStep },
    { step: step('pool.join()', 'The parent waits until every worker has exited'), run: joinStep },
    print,
  ];
}

const mark = (at: number, label: string) =>
  useApp.getState().patchScenario({ markers: [...(useApp.getState().scenario?.markers ?? []), { at, label }] });

const appendOutput = (lines: string[]) =>
  useApp.getState().patchScenario({ output: [...(useApp.getState().scenario?.output ?? []), ...lines] });

const createStep: StepRun = async (ctx, job) => {
  const pool = await createPool(ctx, job.spec.poolSize, job.spec.backend);
  mark(pool.requestedAt, 'Pool()');
  return { ms: pool.readyAt - pool.requestedAt, note: `${plural(pool.workers.length, 'worker')} ready` };
};

const mapStep: StepRun = async (ctx, job) => {
  const from = job.store.output.length;
  const { entry } = await runToEnd(ctx, { kind: 'engine', spec: job.spec }, 'scenario', job.scenario.id.toUpperCase());
  mark(entry.startedAt, 'map()');
  if (entry.status !== 'completed') throw new Error(`the run ${entry.status}`);
  appendOutput([...workerLines(job.store, from), ...afterMapLines(job.scenario, job.store)]);
  return { ms: (entry.finishedAt ?? entry.startedAt) - entry.startedAt, note: plural(job.spec.tasks, 'task') };
};

const startChild: StepRun = async (ctx, job) => {
  const from = job.store.output.length;
  const { entry } = await runToEnd(ctx, { kind: 'engine', spec: job.spec }, 'scenario', job.scenario.id.toUpperCase());
  const lane = job.store.laneList()[0];
  // start() creates the process: the mark goes where it was spawned, just before the run began.
  mark(Math.min(entry.startedAt, lane?.spawnedAt ?? Infinity), 'start()');
  if (entry.status !== 'completed') throw new Error(`the child's run ${entry.status}`);
  appendOutput(workerLines(job.store, from));
  return {
    ms: (entry.finishedAt ?? entry.startedAt) - entry.startedAt,
    note: lane?.readyAt != null ? `started in ${formatDuration(lane.readyAt - lane.spawnedAt)}, then ran f` : 'ran f',
  };
};

const closeStep: StepRun = async (ctx, job) => {
  const sent = performance.now();
  job.closedAt = await closePool(ctx);
  mark(job.closedAt, 'close()');
  return { ms: performance.now() - sent, note: 'answered by the host' };
};

const joinStep: StepRun = async (ctx, job) => {
  // A child process is closed and joined in one step: join() is what waits for it to exit.
  const closedAt = (job.closedAt ??= await closePool(ctx));
  const joinedAt = await joinPool(ctx, closedAt);
  mark(joinedAt, 'join()');
  const exited = job.store.laneList().filter((lane) => lane.exitedAt !== null && lane.exitedAt >= closedAt).length;
  return { ms: joinedAt - closedAt, note: `${plural(exited, 'worker')} exited` };
};

/** The whole program in CPython: what it prints is its own stdout, every process's, in arrival order. */
const pythonStep: StepRun = async (ctx, job) => {
  const from = job.store.output.length;
  const request = { program: { kind: 'example' as const, name: job.scenario.pythonExample }, args: [] };
  const label = `${job.scenario.id.toUpperCase()} · Python`;
  const { entry } = await runToEnd(ctx, { kind: 'python', request }, 'scenario', label);
  mark(entry.startedAt, 'python');
  appendOutput(workerLines(job.store, from));
  if (entry.status !== 'completed') throw new Error(job.store.run?.error ?? `the program ${entry.status}`);
  const processes = job.store.laneList().filter((lane) => lane.kind === 'process').length;
  return {
    ms: (entry.finishedAt ?? entry.startedAt) - entry.startedAt,
    note: plural(processes, 'process', 'processes'),
  };
};

const printStep: StepRun = async (_ctx, job) => {
  appendOutput(finalLines(job.scenario, job.store));
  return { ms: null, note: '' };
};

export class ScenarioRunner {
  private job: Job | null = null;
  private steps: { step: StepState; run: StepRun }[] = [];

  constructor(
    private readonly api: PoolscopeApi,
    private readonly session: Session,
  ) {}

  /** Shows a scenario and puts its settings into the controls; on the engine, Q2 opens the compare view instead. */
  select(id: ScenarioId): void {
    const state = useApp.getState();
    if (this.job) return;
    const scenario = SCENARIOS[id];
    if (scenario.kind === 'compare' && state.scenarioRunOn === 'engine') {
      state.setCompareSettings({ preset: 'cpu', tasks: scenario.spec.tasks ?? 40 });
      state.setView('compare');
      return;
    }
    const spec = makeRunSpec(scenario.spec, state.host?.cores ?? 1);
    if (state.scenarioRunOn === 'engine') state.setSpec(spec);
    this.steps = plan(scenario, spec, state.scenarioRunOn);
    state.setScenario({
      id,
      runOn: state.scenarioRunOn,
      status: 'idle',
      steps: this.steps.map((s) => s.step),
      output: [],
      error: null,
      store: null,
      markers: [],
    });
  }

  /** Runs every step that is left. */
  async runAll(): Promise<void> {
    if (!(await this.begin())) return;
    while (this.job && this.job.next < this.steps.length) await this.step();
  }

  /** Runs the next step only (Q5's stepper). */
  async runNext(): Promise<void> {
    if (!(await this.begin())) return;
    await this.step();
  }

  /** Stops the step that is running, or abandons a stepped scenario between steps. */
  cancel(): void {
    const job = this.job;
    if (!job) return;
    job.abort.abort();
    if (!job.busy) this.finish('cancelled');
  }

  /** Starts a fresh job when none is going: the previous pool is closed first, as a new program would find none. */
  private async begin(): Promise<boolean> {
    if (this.job) return true;
    const state = useApp.getState();
    const current = state.scenario;
    if (!current || state.teachBusy) return false;
    const scenario = SCENARIOS[current.id];
    const spec = makeRunSpec(scenario.spec, state.host?.cores ?? 1);
    this.steps = plan(scenario, spec, state.scenarioRunOn);
    const abort = new AbortController();
    const ctx = this.context(abort);
    state.setTeachBusy('scenario');
    state.setScenario({
      ...current,
      runOn: state.scenarioRunOn,
      status: 'running',
      steps: this.steps.map((s) => s.step),
      output: [],
      error: null,
      store: null,
      markers: [],
    });
    try {
      // A program brings its own pools: the host closes the live one itself before it starts.
      const closeFirst =
        state.scenarioRunOn === 'engine' && (this.session.pool.live.size > 0 || this.session.pool.size !== 0);
      if (closeFirst) await joinPool(ctx, await closePool(ctx));
    } catch (error) {
      this.fail(error, null);
      return false;
    }
    const store = new TaskStore();
    this.job = { scenario, spec, store, abort, untap: this.session.tap(store), next: 0, busy: false, closedAt: null };
    useApp.getState().patchScenario({ store });
    return true;
  }

  private async step(): Promise<void> {
    const job = this.job;
    if (!job) return;
    const k = job.next;
    job.busy = true;
    this.setStep(k, { status: 'running' });
    try {
      const { ms, note } = await this.steps[k].run(this.context(job.abort), job);
      this.setStep(k, { status: 'done', ms, note });
      job.busy = false;
      job.next++;
      if (job.next === this.steps.length) this.finish('done');
    } catch (error) {
      this.setStep(k, { status: 'failed' });
      this.fail(error, job);
    }
  }

  private context(abort: AbortController): StepContext {
    return { api: this.api, session: this.session, signal: abort.signal };
  }

  private setStep(k: number, patch: Partial<StepState>): void {
    const steps = useApp.getState().scenario?.steps ?? [];
    useApp.getState().patchScenario({ steps: steps.map((s, i) => (i === k ? { ...s, ...patch } : s)) });
  }

  private fail(error: unknown, job: Job | null): void {
    const cancelled = error instanceof Cancelled || job?.abort.signal.aborted;
    useApp.getState().patchScenario({
      error: cancelled ? null : error instanceof Error ? error.message : String(error),
    });
    this.finish(cancelled ? 'cancelled' : 'failed');
  }

  private finish(status: 'done' | 'cancelled' | 'failed'): void {
    this.job?.untap();
    this.job = null;
    useApp.getState().patchScenario({ status });
    useApp.getState().setTeachBusy(null);
  }
}
