/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC on Linux),
 * the same axis in every process, so events from different workers order truly.
 * performance.now() is the cheap read of that clock but counts from this
 * process's own origin; one offset, taken at load, moves it onto the shared axis.
 */
const hrtimeMs = () => {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e3 + nanos / 1e6;
};

/**
 * The offset from the tightest of a few bracketed reads. The first
 * performance.now() of a process can take milliseconds, so it is warmed first;
 * otherwise each process's clock would be early by its own cold-start cost.
 */
function measureOffset(): number {
  performance.now();
  let best = { width: Infinity, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const before = hrtimeMs();
    const perf = performance.now();
    const after = hrtimeMs();
    if (after - before < best.width) best = { width: after - before, offset: (before + after) / 2 - perf };
  }
  return best.offset;
}

const offset = measureOffset();

export function now(): number {
  return performance.now() + offset;
}
