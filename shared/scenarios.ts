/**
 * The seed assignment's six questions as built-in scenarios. Each reproduces
 * the seed's example output exactly, on a real pool, and explains in this
 * app's own words what to watch for.
 */
import { pyList, pyRepr } from './format';
import type { RunSpec } from './run-spec';

export const SCENARIO_IDS = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** The seed's question, in short. */
  question: string;
  /** Written for Poolscope: what happens and what to look at. */
  explanation: string[];
  /**
   * How it runs: `pool` is one run of `spec`; `process` starts one worker, runs
   * its task and joins it; `steps` is a pool driven one call at a time; `compare`
   * measures the same work on every backend.
   */
  kind: 'pool' | 'process' | 'steps' | 'compare';
  spec: Partial<RunSpec>;
  /** Exactly what the seed's program prints, where it is deterministic. */
  expected?: string[];
  /** The shipped Python program (python/examples) that does the same in CPython. */
  pythonExample: string;
}

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  q1: {
    id: 'q1',
    pythonExample: 'q1_squares',
    title: 'Q1 · Squares on a pool of five',
    question: 'What is multiprocessing, and why is it useful?',
    explanation: [
      'Five worker processes share ten tiny tasks. Each process has its own memory and its own interpreter, so they can compute at the same time on different cores.',
      'map hands results back in input order even though the workers finish in whatever order they like: watch the results row fill in left to right.',
      'Squaring a number takes far less time than sending it to another process, so most of what the timeline shows here is overhead, not work.',
    ],
    kind: 'pool',
    spec: { workload: 'square', tasks: 10, from: 0, poolSize: 5, mode: 'map', chunksize: 'auto', backend: 'process' },
    expected: ['[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]', 'All squares calculated with multiprocessing'],
  },
  q2: {
    id: 'q2',
    pythonExample: 'q2_gil',
    title: 'Q2 · Processes, threads and the GIL, measured',
    question: 'How do multiprocessing and multithreading differ?',
    explanation: [
      'The same work runs four ways: separate processes, threads in one process, threads that must hold one shared lock while computing (how CPython’s GIL behaves), and one worker alone.',
      'For CPU-bound work only processes and free threads use both cores; GIL threads take turns, so they are about as fast as one worker. Processes cost more to start and more memory each.',
      'For I/O-bound work every model but the single worker overlaps its waits, because waiting for I/O does not need the lock.',
    ],
    kind: 'compare',
    spec: { workload: 'cpu', costMs: 20, tasks: 40, chunksize: 1 },
  },
  q3: {
    id: 'q3',
    pythonExample: 'q3_process',
    title: 'Q3 · Start one process and join it',
    question: 'How do you create a process?',
    explanation: [
      'One child process is started, runs a function that prints a line, and exits. The parent waits for it — that is what join means — and only then prints its own line.',
      'On the timeline: the child’s start-up, its one task, its exit, and the moment the parent’s wait ends.',
    ],
    kind: 'process',
    spec: { workload: 'print', tasks: 1, poolSize: 1, printText: 'Child process is running.' },
    expected: ['Child process is running.', 'Main process is done.'],
  },
  q4: {
    id: 'q4',
    pythonExample: 'q4_pool',
    title: 'Q4 · Doubling on a pool',
    question: 'What is a process pool, and why use one?',
    explanation: [
      'A pool starts its workers once and reuses them for every task, instead of paying a process start-up per task.',
      'Here five workers double five numbers; the results come back as one list in input order.',
    ],
    kind: 'pool',
    spec: { workload: 'double', tasks: 5, from: 1, poolSize: 5, mode: 'map', chunksize: 'auto', backend: 'process' },
    expected: ['Results: [2, 4, 6, 8, 10]'],
  },
  q5: {
    id: 'q5',
    pythonExample: 'q5_steps',
    title: 'Q5 · A pool, one step at a time',
    question: 'How do you create a pool of worker processes?',
    explanation: [
      'The same doubling as Q4, taken apart: create the pool (five processes start), map the function over the list (tasks travel to workers and back), close the pool (no more work will come), join it (wait until every worker has exited).',
      'Each step is its own mark on the timeline, so the cost of each is plain.',
    ],
    kind: 'steps',
    spec: { workload: 'double', tasks: 5, from: 1, poolSize: 5, mode: 'map', chunksize: 'auto', backend: 'process' },
    expected: ['Results: [2, 4, 6, 8, 10]'],
  },
  q6: {
    id: 'q6',
    pythonExample: 'q6_processes',
    title: 'Q6 · Four processes print',
    question: 'How do four processes each print a different number?',
    explanation: [
      'Four workers each print one line. The lines arrive in whatever order the processes happened to run — run it again and the order may change. Nothing about a pool promises an order for side effects like printing; only map’s results are ordered.',
      'The console shows each line in the colour of the process that printed it.',
    ],
    kind: 'pool',
    spec: {
      workload: 'print',
      tasks: 4,
      from: 1,
      poolSize: 4,
      mode: 'map',
      chunksize: 'auto',
      backend: 'process',
      printText: 'Process {n}: The square of {n} is {square}.',
    },
    expected: ['All processes have finished.'],
  },
};

/**
 * What the seed's parent program prints, made from the run's real results (in
 * input order, NaN for none): right after map returns, and after the join.
 * Workers' own lines (Q3, Q6) come from their output, not from here.
 */
export function parentOutput(
  scenario: Scenario,
  results: ArrayLike<number>,
): { afterMap: string[]; afterJoin: string[] } {
  const list = pyList(Array.from(results, (value) => pyRepr(value)));
  switch (scenario.id) {
    case 'q1':
      return { afterMap: [list], afterJoin: (scenario.expected ?? []).slice(-1) };
    case 'q4':
    case 'q5':
      return { afterMap: [], afterJoin: [`Results: ${list}`] };
    default:
      return { afterMap: [], afterJoin: (scenario.expected ?? []).slice(-1) };
  }
}
