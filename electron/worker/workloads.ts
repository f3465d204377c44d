/**
 * The real work a task does. Pure functions of (spec, index) apart from io's
 * sleep, print's stdout and the deliberate faults.
 */
import type { RunSpec } from '../../shared/run-spec';
import { costFor, inputFor, isFaulty, primesRange, printLine } from '../../shared/workloads';

/** Deterministic busy work: xorshift32 for `iterations` steps. */
export function spin(iterations: number, seed: number): number {
  let x = seed | 0 || 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

/** Busy-loop iterations per millisecond on this core: the best of a few short trials. */
export function calibrateSpin(): number {
  const trial = 200_000;
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    spin(trial, i + 1);
    best = Math.min(best, performance.now() - t0);
  }
  return trial / Math.max(best, 1e-3);
}

export function countPrimes(lo: number, hi: number): number {
  let count = 0;
  for (let n = Math.max(2, lo); n < hi; n++) {
    if (n > 2 && n % 2 === 0) continue;
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

export class TaskError extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Blocks the thread forever without burning CPU: only a kill ends it. */
function hangForever(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0);
}

/** Busy work in slices, calling `checkpoint` between them; the same checksum as one spin. */
function spinWithCheckpoints(
  iterations: number,
  seed: number,
  sliceIterations: number,
  checkpoint: () => void,
): number {
  let x = spin(0, seed); // normalises the seed exactly as one long spin would
  for (let done = 0; done < iterations; done += sliceIterations) {
    x = spin(Math.min(sliceIterations, iterations - done), x);
    checkpoint();
  }
  return x;
}

/**
 * Runs task `index`. Returns its result (null for none), or a promise of it
 * for workloads that wait. `checkpoint`, when given, is called every ~0.1 ms of
 * computing (the GIL backend offers its lock there).
 */
export function runTask(
  spec: RunSpec,
  index: number,
  itersPerMs: number,
  checkpoint?: () => void,
): number | null | Promise<number | null> {
  const n = inputFor(spec, index);
  switch (spec.workload) {
    case 'square':
      return n * n;
    case 'double':
      return 2 * n;
    case 'cpu': {
      const iterations = Math.round(costFor(spec, index) * itersPerMs);
      if (!checkpoint) return spin(iterations, n + 1);
      return spinWithCheckpoints(iterations, n + 1, Math.max(1, Math.round(itersPerMs / 10)), checkpoint);
    }
    case 'primes':
      return countPrimes(...primesRange(n, spec.costMs));
    case 'io':
      return sleep(costFor(spec, index)).then(() => n);
    case 'print':
      console.log(printLine(spec.printText, n));
      return null;
    case 'fail':
      if (isFaulty(spec, index)) throw new TaskError(`task ${index} failed on purpose (input ${n})`);
      return n;
    case 'crash':
      // A clean exit in the middle of a task: the case Python's Pool hangs on.
      if (isFaulty(spec, index)) process.exit(0);
      return n;
    case 'hang':
      if (isFaulty(spec, index)) hangForever();
      return n;
  }
}

/** Whether a task may run long enough that its start is worth reporting at once. */
export function mayRunLong(spec: RunSpec, index: number): boolean {
  if (spec.timeoutMs > 0) return true;
  // Report a fault's start first, so the engine knows exactly which task died with it.
  if ((spec.workload === 'hang' || spec.workload === 'crash') && isFaulty(spec, index)) return true;
  const costed = spec.workload === 'cpu' || spec.workload === 'io' || spec.workload === 'primes';
  return costed && costFor(spec, index) >= 1;
}
