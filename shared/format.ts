/**
 * How Poolscope writes numbers: one module, on Intl.NumberFormat, used by every
 * view (and the CLI), so a figure reads the same wherever it appears. Counts are
 * grouped ("1,234"), large ones compact where room is short ("1.51M"),
 * durations pick their unit ("850 µs", "49.0 ms", "1.23 s", "2 min 5 s"), shares
 * are percents without a space ("94%"), ratios end in "×" ("1.52×").
 *
 * pyRepr and pyList are not display formats: they reproduce Python's output
 * exactly, for the scenarios.
 */

const LOCALE = 'en-US';
/** Missing or not measured. */
export const DASH = '–';

/**
 * Formatters are made on first use: making one loads the locale's data (tens of
 * ms), which a worker or the CLI importing this module for pyRepr must not pay.
 */
function lazy(options: Intl.NumberFormatOptions): () => Intl.NumberFormat {
  let format: Intl.NumberFormat | null = null;
  return () => (format ??= new Intl.NumberFormat(LOCALE, options));
}
const grouped = lazy({ maximumFractionDigits: 0 });
const compact = lazy({ notation: 'compact', maximumSignificantDigits: 3 });
const threeDigits = lazy({ minimumSignificantDigits: 3, maximumSignificantDigits: 3 });
const upToThreeDigits = lazy({ maximumSignificantDigits: 3 });
const twoDigits = lazy({ maximumSignificantDigits: 2 });
const percentWhole = lazy({ style: 'percent', maximumFractionDigits: 0 });
const percentTenth = lazy({ style: 'percent', maximumFractionDigits: 1 });
const twoDecimals = lazy({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = lazy({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimalsCache = new Map<number, Intl.NumberFormat>();

const finite = (n: number) => typeof n === 'number' && Number.isFinite(n);

/** A number with exactly `digits` decimals, ungrouped (axis labels stay short: "1500 ms"). */
function fixed(n: number, digits: number): string {
  let format = decimalsCache.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    });
    decimalsCache.set(digits, format);
  }
  return format.format(n);
}

/** An exact count, grouped: "1,234,567". */
export function formatCount(n: number): string {
  return finite(n) ? grouped().format(n) : DASH;
}

/** A count where room is short: "999", "12.3K", "1.51M" (three significant digits). */
export function formatCompact(n: number): string {
  return finite(n) ? compact().format(n) : DASH;
}

/** A rate per second, compact: "6.9/s", "1.51M/s", or with a unit: "1.51M tasks/s". */
export function formatRate(perSecond: number, unit?: string): string {
  if (!finite(perSecond)) return DASH;
  return unit ? `${formatCompact(perSecond)} ${unit}/s` : `${formatCompact(perSecond)}/s`;
}

/** "1 worker", "3 workers", "1,000 tasks"; `many` for irregular plurals. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * A duration given in milliseconds, three significant digits in the unit that
 * suits it: "850 µs", "4.20 ms", "49.0 ms", "634 ms", "1.23 s", "2 min 5 s".
 * `trim` drops trailing zeros (for settings: "20 ms"); `about` keeps two digits (for estimates: "3.6 s").
 */
export function formatDuration(ms: number, { trim = false, about = false } = {}): string {
  if (!finite(ms)) return DASH;
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  // A measurement keeps its three digits ("20.0 ms"); a setting or an estimate drops the zeros ("20 ms", "4 s").
  const digits = (about ? twoDigits : trim ? upToThreeDigits : threeDigits)();
  // Each unit is used while three digits round below 1,000 of it.
  if (a < 0.9995) return `${sign}${a * 1000 < 0.5 ? '<1' : upToThreeDigits().format(a * 1000)} µs`;
  if (a < 999.5) return `${sign}${digits.format(a)} ms`;
  if (a < 59_950) return `${sign}${digits.format(a / 1000)} s`;
  const totalSeconds = Math.round(a / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${sign}${m} min${s ? ` ${s} s` : ''}`;
  }
  const totalMinutes = Math.round(a / 60_000);
  const h = Math.floor(totalMinutes / 60);
  const m = totalMinutes % 60;
  return `${sign}${formatCount(h)} h${m ? ` ${m} min` : ''}`;
}

/** The CLI's name for formatDuration. */
export const formatMs = formatDuration;

/** A share (0…1) as a percent: "94%", and one decimal below 10%: "2.5%". */
export function formatPercent(share: number): string {
  if (!finite(share)) return DASH;
  return (Math.abs(share) < 0.0995 && share !== 0 ? percentTenth : percentWhole)().format(share);
}

/** A ratio such as a speedup: "1.52×", "12.5×"; a whole target such as an ideal reads "2×". */
export function formatTimes(x: number, { whole = false } = {}): string {
  if (!finite(x)) return DASH;
  if (whole && Number.isInteger(x)) return `${formatCount(x)}×`;
  return `${Math.abs(x) < 9.995 ? twoDecimals().format(x) : oneDecimal().format(x)}×`;
}

/** Bytes in binary units: "812 KiB", "45.3 MiB". */
export function formatBytes(bytes: number): string {
  if (!finite(bytes)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1023.5 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? formatCount(value) : upToThreeDigits().format(value)} ${units[unit]}`;
}

/**
 * A label on a time axis whose ticks are `stepMs` apart: the unit and decimals
 * come from the step, so neighbouring ticks never read the same ("0.2 s" after
 * "0.1 s", or "50 ms" after "0", never "0 s 0 s 0 s"). `t` is in milliseconds.
 */
export function formatTick(t: number, stepMs: number): string {
  if (!finite(t) || !(stepMs > 0)) return DASH;
  if (Math.abs(t) < stepMs / 2) return '0';
  // As many decimals as the step itself needs: 0.25 s steps get two, 5 s steps none.
  const decimals = (step: number) => {
    for (let d = 0; d < 4; d++) if (Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) < 1e-6) return d;
    return 4;
  };
  if (stepMs < 1) return `${fixed(t * 1000, decimals(stepMs * 1000))} µs`;
  if (stepMs < 1000) return `${fixed(t, decimals(stepMs))} ms`;
  if (stepMs < 60_000 || stepMs % 60_000 !== 0) return `${fixed(t / 1000, decimals(stepMs / 1000))} s`;
  return `${fixed(t / 60_000, 0)} min`;
}

/** Python's repr of a task result: integers as such, nothing as None. */
export function pyRepr(value: number | null): string {
  if (value === null || Number.isNaN(value)) return 'None';
  return String(value);
}

/** A list as Python prints it: `[0, 1, 4]`. */
export function pyList(values: Iterable<string>): string {
  return `[${[...values].join(', ')}]`;
}
