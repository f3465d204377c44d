import { z } from 'zod';

/** Hard limits shared by the UI sliders, the CLI and the validators. */
export const LIMITS = {
  poolSize: { min: 1, max: 64 },
  tasks: { min: 1, max: 1_000_000 },
  /** Task cost in milliseconds (cpu, io, hang). */
  costMs: { min: 0, max: 60_000 },
  chunksize: { min: 1, max: 1_000_000 },
  maxTasksPerWorker: { min: 0, max: 1_000_000 },
  timeoutMs: { min: 0, max: 600_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  from: { min: -1_000_000_000, max: 1_000_000_000 },
  faultEvery: { min: 1, max: 1_000_000 },
  switchIntervalMs: { min: 1, max: 100 },
  /** Dask: threads in each worker process. */
  threadsPerWorker: { min: 1, max: 16 },
  printText: { max: 200 },
  /** Characters of Python code pasted into the editor. */
  pythonCode: { max: 256 * 1024 },
} as const;

/** The built-in engine's backends: its own worker processes or threads. */
export const ENGINE_BACKENDS = ['process', 'thread', 'gil', 'serial'] as const;
export type EngineBackend = (typeof ENGINE_BACKENDS)[number];
/** Real cluster engines, as a local cluster Poolscope starts (or one it attaches to). */
export const CLUSTER_BACKENDS = ['dask', 'ray'] as const;
export type ClusterBackend = (typeof CLUSTER_BACKENDS)[number];
export const BACKENDS = [...ENGINE_BACKENDS, ...CLUSTER_BACKENDS] as const;
export type Backend = (typeof BACKENDS)[number];

export function isClusterBackend(backend: Backend): backend is ClusterBackend {
  return (CLUSTER_BACKENDS as readonly Backend[]).includes(backend);
}

/** What a cluster runs: its bridge's copies of these workloads (python/poolscope_trace/workloads.py). */
export const CLUSTER_WORKLOADS = ['cpu', 'square', 'io', 'fail'] as const;

export const WORKLOAD_KINDS = ['square', 'double', 'cpu', 'primes', 'io', 'print', 'fail', 'crash', 'hang'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export const DISTRIBUTIONS = ['fixed', 'uniform', 'longtail'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

export const MAP_MODES = ['map', 'imap', 'imap_unordered', 'apply_async'] as const;
export type MapMode = (typeof MAP_MODES)[number];

const int = (range: { min: number; max: number }) => z.number().int().min(range.min).max(range.max);

/**
 * Everything that defines a run. Tasks are never materialised: task i is
 * generated from (spec, i) wherever it is needed, in the engine or a worker.
 */
export const runSpecSchema = z.strictObject({
  poolSize: int(LIMITS.poolSize),
  backend: z.enum(BACKENDS),
  workload: z.enum(WORKLOAD_KINDS),
  tasks: int(LIMITS.tasks),
  /** Task i receives the input `from + i` (range(10) is from 0, [1..5] is from 1). */
  from: int(LIMITS.from),
  costMs: z.number().min(LIMITS.costMs.min).max(LIMITS.costMs.max),
  distribution: z.enum(DISTRIBUTIONS),
  chunksize: z.union([z.literal('auto'), int(LIMITS.chunksize)]),
  mode: z.enum(MAP_MODES),
  /** 0 = workers live for the whole run (Python's maxtasksperchild=None). */
  maxTasksPerWorker: int(LIMITS.maxTasksPerWorker),
  /** 0 = no timeout. */
  timeoutMs: int(LIMITS.timeoutMs),
  seed: int(LIMITS.seed),
  /** For fail / crash / hang: every k-th task (index k-1, 2k-1, …) misbehaves. */
  faultEvery: int(LIMITS.faultEvery),
  /** Dask backend: threads in each worker process (the pool-size slider counts processes). */
  threadsPerWorker: int(LIMITS.threadsPerWorker),
  /** GIL backend: how long a thread may hold the lock before offering it (CPython: 5 ms). */
  switchIntervalMs: int(LIMITS.switchIntervalMs),
  /** What the print workload prints; {n} is the task's input, {square} its square. */
  printText: z
    .string()
    .max(LIMITS.printText.max)
    .refine((text) => ![...text].some((c) => c < ' ' || c === '\u007f'), 'expected one line of printable text'),
});
export type RunSpec = z.infer<typeof runSpecSchema>;

export const DEFAULT_RUN_SPEC: Omit<RunSpec, 'poolSize'> = {
  backend: 'process',
  workload: 'cpu',
  tasks: 40,
  from: 0,
  costMs: 50,
  distribution: 'fixed',
  chunksize: 'auto',
  mode: 'map',
  maxTasksPerWorker: 0,
  timeoutMs: 0,
  seed: 1,
  faultEvery: 5,
  switchIntervalMs: 5,
  threadsPerWorker: 1,
  printText: 'Process {n}: The square of {n} is {square}.',
};

/** A full spec from a partial one, with the pool sized to the machine by default. */
export function makeRunSpec(partial: Partial<RunSpec>, cores: number): RunSpec {
  return { poolSize: Math.min(LIMITS.poolSize.max, Math.max(1, cores)), ...DEFAULT_RUN_SPEC, ...partial };
}

/** Python's Pool.map rule: ⌈n / (4·workers)⌉, at least 1. */
export function chunkSizeFor(tasks: number, workers: number): number {
  return Math.max(1, Math.ceil(tasks / (4 * Math.max(1, workers))));
}

/**
 * The chunksize a run actually uses. As in Python: apply_async submits tasks one
 * by one, `auto` means ⌈n / (4·workers)⌉ for map and 1 for imap / imap_unordered.
 */
export function effectiveChunkSize(spec: RunSpec): number {
  if (spec.mode === 'apply_async') return 1;
  const auto = spec.mode === 'map' ? chunkSizeFor(spec.tasks, spec.poolSize) : 1;
  const size = spec.chunksize === 'auto' ? auto : spec.chunksize;
  return Math.min(size, spec.tasks);
}

/** A run's short title, as lists and headings show it: `cpu × 1,000`. */
export function runTitle(spec: Pick<RunSpec, 'workload' | 'tasks'>): string {
  // Not toLocaleString: its first call loads locale data (~80 ms), on every host's first run.
  return `${spec.workload} × ${String(spec.tasks).replace(/\B(?=(\d{3})+$)/g, ',')}`;
}
