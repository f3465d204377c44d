/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC on Linux),
 * the same axis in every process, so events from different workers order truly.
 * performance.now() is the cheap read of that clock but counts from this
 * process's own origin; one offset, taken at load, moves it onto the shared axis.
 */
const [seconds, nanos] = process.hrtime();
const offset = seconds * 1e3 + nanos / 1e6 - performance.now();

export function now(): number {
  return performance.now() + offset;
}
