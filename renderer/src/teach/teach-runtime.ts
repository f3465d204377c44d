/**
 * What the teaching views share outside React: the session (history, pool
 * tracking, waits) and one runner per kind of job. Made once per API, at
 * start-up — the live view draws the session's store of the newest run, and
 * every run of the page is recorded — and kept for the page's life, like the pump.
 */
import type { PoolscopeApi } from '../../../shared/api';
import { useRuntime } from '../app/runtime';
import { useApp } from '../store';
import { CompareRunner } from './compare-runner';
import { ScenarioRunner } from './scenario-runner';
import { Session } from '../../../shared/jobs/session';
import { SweepRunner } from './sweep-runner';

export interface TeachRuntime {
  session: Session;
  scenarios: ScenarioRunner;
  compare: CompareRunner;
  sweep: SweepRunner;
}

const runtimes = new WeakMap<PoolscopeApi, TeachRuntime>();

export function teachRuntimeFor(api: PoolscopeApi): TeachRuntime {
  let runtime = runtimes.get(api);
  if (!runtime) {
    const session = new Session(
      api,
      (entries) => useApp.getState().setHistory(entries),
      () => useApp.getState().host?.cores ?? 1,
    );
    runtime = {
      session,
      scenarios: new ScenarioRunner(api, session),
      compare: new CompareRunner(api, session),
      sweep: new SweepRunner(api, session),
    };
    runtimes.set(api, runtime);
  }
  return runtime;
}

export function useTeach(): TeachRuntime {
  return teachRuntimeFor(useRuntime().api);
}
