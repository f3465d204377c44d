/** Small statistics and formatting helpers shared by the benchmark modules. */
import { unitRandom } from '../shared/workloads';

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * A 95 % bootstrap interval for `median(b) / median(a) - 1`, in per cent: both
 * series resampled with replacement, a fixed seed so a report can be re-made.
 * It says whether a difference stands out from the runs' own spread.
 */
export function medianRatioInterval(a: readonly number[], b: readonly number[], draws = 2000): [number, number] {
  // The workloads' own seeded uniform numbers: the same draws on every run.
  let draw = 0;
  const random = () => unitRandom(1, draw++);
  const resample = (xs: readonly number[]) => median(xs.map(() => xs[Math.floor(random() * xs.length)]));
  const ratios = Array.from({ length: draws }, () => (resample(b) / resample(a) - 1) * 100).sort((x, y) => x - y);
  return [ratios[Math.floor(draws * 0.025)], ratios[Math.ceil(draws * 0.975) - 1]];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a figure is measured in; decides how it prints. */
export type Unit = 'tasks/s' | 'ms' | 'MiB' | 'ratio' | '%' | 'count' | string;

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'tasks/s':
      if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`;
      if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k/s`;
      return `${value.toFixed(0)}/s`;
    case 'ms':
      return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
    case 'MiB':
      return `${value.toFixed(1)} MiB`;
    case 'ratio':
      return value.toFixed(3);
    case '%':
      return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
    case 'count':
      return String(Math.round(value));
    default:
      return `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`;
  }
}
