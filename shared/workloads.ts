import type { Distribution, RunSpec, WorkloadKind } from './run-spec';

export interface WorkloadInfo {
  label: string;
  /** One sentence for tooltips and the CLI's help. */
  description: string;
  /** Whether the cost and distribution controls mean anything for this workload. */
  usesCost: boolean;
  /** Whether fault-every applies. */
  usesFaults: boolean;
}

export const WORKLOADS: Record<WorkloadKind, WorkloadInfo> = {
  square: {
    label: 'square',
    description: 'Returns n² — a task so small that dispatch overhead dominates.',
    usesCost: false,
    usesFaults: false,
  },
  double: {
    label: 'double',
    description: 'Returns 2·n, like worker_function in the multiprocessing examples.',
    usesCost: false,
    usesFaults: false,
  },
  cpu: {
    label: 'cpu',
    description: 'Busy arithmetic for the given cost (1 unit ≈ 1 ms on an idle core); returns a checksum.',
    usesCost: true,
    usesFaults: false,
  },
  primes: {
    label: 'primes',
    description: 'Counts primes in a range that grows with n, so later tasks cost more.',
    usesCost: true,
    usesFaults: false,
  },
  io: {
    label: 'io',
    description: 'Sleeps for the given cost: the CPU is free while the task waits.',
    usesCost: true,
    usesFaults: false,
  },
  print: {
    label: 'print',
    description: 'Prints one line of text to stdout ({n} is the input, {square} its square) and returns nothing.',
    usesCost: false,
    usesFaults: false,
  },
  fail: {
    label: 'fail',
    description: 'Raises an error on every k-th task; the others return n.',
    usesCost: false,
    usesFaults: true,
  },
  crash: {
    label: 'crash',
    description: 'Every k-th task ends its own process with exit code 0 mid-task — a failure all the same.',
    usesCost: false,
    usesFaults: true,
  },
  hang: {
    label: 'hang',
    description: 'Every k-th task never returns; only a timeout frees its worker.',
    usesCost: false,
    usesFaults: true,
  },
};

/** The input of task i. */
export function inputFor(spec: Pick<RunSpec, 'from'>, index: number): number {
  return spec.from + index;
}

/** A uniform number in [0, 1) from (seed, index): the same on every process. */
export function unitRandom(seed: number, index: number): number {
  // splitmix32 over a mix of seed and index.
  let h = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
  h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

/** Cost of task i in milliseconds; every distribution has mean ≈ costMs. */
export function costFor(spec: Pick<RunSpec, 'costMs' | 'distribution' | 'seed'>, index: number): number {
  const u = unitRandom(spec.seed, index);
  return spec.costMs * distributionFactor(spec.distribution, u);
}

function distributionFactor(distribution: Distribution, u: number): number {
  switch (distribution) {
    case 'fixed':
      return 1;
    case 'uniform':
      return 0.5 + u;
    case 'longtail':
      // Pareto with α = 1.5 and mean 1, capped so one task cannot stall a demo forever.
      return Math.min(20, 1 / 3 / Math.pow(1 - u, 1 / 1.5));
  }
}

/** Whether task i is one of the misbehaving ones for fail / crash / hang. */
export function isFaulty(spec: Pick<RunSpec, 'faultEvery'>, index: number): boolean {
  return index % spec.faultEvery === spec.faultEvery - 1;
}

/** The line the print workload writes for input n. */
export function printLine(template: string, n: number): string {
  return template.replaceAll('{n}', String(n)).replaceAll('{square}', String(n * n));
}

/** The half-open range [lo, hi) whose primes task input n counts. */
export function primesRange(n: number, costMs: number): [number, number] {
  const span = Math.max(100, Math.round(costMs * 400));
  const lo = Math.max(0, n) * span;
  return [lo, lo + span];
}
