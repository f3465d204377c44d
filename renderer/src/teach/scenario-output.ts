/**
 * What the assignment's programs print, made from what the run really did: results
 * as Python prints a list, workers' lines in the order they arrived, and the
 * parent's closing line (the scenario's expected text).
 */
import { pyList } from '../../../shared/format';
import type { RunSpec } from '../../../shared/run-spec';
import { parentOutput, type Scenario } from '../../../shared/scenarios';
import type { TaskStore } from '../../../shared/task-store';

/** Lines workers wrote to stdout from `from` (an index into store.output) on, in arrival order. */
export function workerLines(store: TaskStore, from = 0): string[] {
  return store.output
    .slice(from)
    .filter((line) => line.stream === 'stdout')
    .map((line) => line.text);
}

/** What the parent prints right after map returns, before closing the pool (Q1 prints its results there). */
export function afterMapLines(scenario: Scenario, store: TaskStore): string[] {
  return parentOutput(scenario, store.result.subarray(0, store.size)).afterMap;
}

/** What the parent prints once the pool (or the child) has been joined. */
export function finalLines(scenario: Scenario, store: TaskStore | null): string[] {
  return parentOutput(scenario, store ? store.result.subarray(0, store.size) : []).afterJoin;
}

/** The parent's closing print, as the assignment's program writes it. */
export function printCall(scenario: Scenario): string {
  if (scenario.id === 'q4' || scenario.id === 'q5') return 'print("Results:", results)';
  return `print(${JSON.stringify(scenario.expected?.at(-1) ?? '')})`;
}

/** The Python call a map step stands for, e.g. `results = pool.map(square, range(10))`. */
export function mapCall(spec: RunSpec): string {
  const inputs =
    spec.from === 0
      ? `range(${spec.tasks})`
      : pyList(Array.from({ length: Math.min(spec.tasks, 6) }, (_, i) => String(spec.from + i))).replace(
          /]$/,
          spec.tasks > 6 ? ', …]' : ']',
        );
  return `results = pool.map(${spec.workload}, ${inputs})`;
}
