import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  formatTick,
  formatTimes,
  plural,
  pyList,
  pyRepr,
} from './format';

describe('format', () => {
  it('writes counts grouped and compact', () => {
    expect(formatCount(1_514_291)).toBe('1,514,291');
    expect(formatCount(7.6)).toBe('8');
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(6.94)).toBe('6.94');
    expect(formatCompact(12_345)).toBe('12.3K');
    expect(formatCompact(1_514_291)).toBe('1.51M');
    expect(formatRate(1_514_291)).toBe('1.51M/s');
    expect(formatRate(17, 'tasks')).toBe('17 tasks/s');
    expect(formatCount(NaN)).toBe('–');
  });

  it('writes plurals with grouped counts', () => {
    expect(plural(1, 'worker')).toBe('1 worker');
    expect(plural(0, 'worker')).toBe('0 workers');
    expect(plural(1000, 'task')).toBe('1,000 tasks');
    expect(plural(2, 'process', 'processes')).toBe('2 processes');
  });

  it('writes durations in the unit that suits them, three significant digits', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.0002)).toBe('<1 µs');
    expect(formatDuration(0.85)).toBe('850 µs');
    expect(formatDuration(4.2)).toBe('4.20 ms');
    expect(formatDuration(49)).toBe('49.0 ms');
    expect(formatDuration(634.8)).toBe('635 ms');
    // Rounding up crosses into the next unit rather than writing "1,000 ms".
    expect(formatDuration(999.7)).toBe('1.00 s');
    expect(formatDuration(0.9999)).toBe('1.00 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(59_990)).toBe('1 min');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_725_000)).toBe('1 h 2 min');
    expect(formatDuration(-49)).toBe('−49.0 ms');
    expect(formatDuration(Infinity)).toBe('–');
    expect(formatDuration(20, { trim: true })).toBe('20 ms');
    expect(formatDuration(2.5, { trim: true })).toBe('2.5 ms');
    expect(formatDuration(3600, { about: true })).toBe('3.6 s');
    expect(formatDuration(4000, { about: true })).toBe('4 s');
  });

  it('writes percents one way: no space, one decimal only below 10%', () => {
    expect(formatPercent(0.94)).toBe('94%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.025)).toBe('2.5%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1.72)).toBe('172%');
  });

  it('writes ratios and bytes', () => {
    expect(formatTimes(1.5234)).toBe('1.52×');
    expect(formatTimes(12.46)).toBe('12.5×');
    expect(formatTimes(2, { whole: true })).toBe('2×');
    expect(formatTimes(1.5, { whole: true })).toBe('1.50×');
    expect(formatBytes(812 * 1024)).toBe('812 KiB');
    expect(formatBytes(45.3 * 2 ** 20)).toBe('45.3 MiB');
    expect(formatBytes(100)).toBe('100 B');
  });

  it('labels axis ticks so neighbours never read the same', () => {
    const ticks = (step: number, n = 4) => Array.from({ length: n }, (_, i) => formatTick(i * step, step));
    expect(ticks(50)).toEqual(['0', '50 ms', '100 ms', '150 ms']);
    expect(ticks(100)).toEqual(['0', '100 ms', '200 ms', '300 ms']);
    expect(ticks(0.2)).toEqual(['0', '200 µs', '400 µs', '600 µs']);
    expect(ticks(2000)).toEqual(['0', '2 s', '4 s', '6 s']);
    expect(ticks(500)).toEqual(['0', '500 ms', '1000 ms', '1500 ms']);
    expect(ticks(2500)).toEqual(['0', '2.5 s', '5.0 s', '7.5 s']);
    expect(ticks(120_000)).toEqual(['0', '2 min', '4 min', '6 min']);
    for (const step of [0.01, 0.5, 1, 5, 20, 250, 1000, 5000]) {
      const labels = ticks(step, 10);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('reproduces Python reprs exactly', () => {
    expect(pyRepr(81)).toBe('81');
    expect(pyRepr(null)).toBe('None');
    expect(pyRepr(NaN)).toBe('None');
    expect(pyList(['0', '1', '4'])).toBe('[0, 1, 4]');
  });
});
