/** Python's repr of a task result: integers as such, nothing as None. */
export function pyRepr(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'None';
  if (Number.isInteger(value)) return String(value);
  return String(value);
}

/** A list as Python prints it: `[0, 1, 4]`. */
export function pyList(values: Iterable<string>): string {
  return `[${[...values].join(', ')}]`;
}

/** Milliseconds, readable at any scale. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Counts and rates with thousands separators and a k/M suffix when large. */
export function formatCount(n: number): string {
  if (n >= 10_000_000) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 100_000) return `${(n / 1e3).toFixed(0)}k`;
  return Math.round(n).toLocaleString('en-US');
}
