/** How a sweep's measurements read, in words. */
import { formatPercent, formatTimes, plural } from '../../../shared/format';
import type { SweepPoint } from './teach-slice';

/** What the sweep shows so far: the baseline alone, then the fitted serial fraction and where speedup stopped growing. */
export function sweepReading(points: SweepPoint[], serialFraction: number | null, cores: number | null): string {
  if (points.length === 0) return 'Measuring the first pool size…';
  const best = points.reduce((a, p) => (a.speedup >= p.speedup ? a : p));
  const sizes = (n: number) => plural(n, 'worker');
  if (serialFraction === null) {
    const measured = points.map((p) => `${sizes(p.workers)} ${formatTimes(p.speedup)}`).join(', ');
    const fitFrom = cores !== null ? `two pool sizes up to the ${plural(cores, 'core')}` : 'two pool sizes';
    // A line through one point says nothing: no fit until there are two to fit.
    return `Measured so far: ${measured}${points.length === 1 && points[0].workers === 1 ? ' (the baseline)' : ''}. The Amdahl fit appears once ${fitFrom} are measured.`;
  }
  const fit = `Serial fraction (Amdahl fit up to ${cores === null ? 'the cores' : sizes(cores)}): ${formatPercent(serialFraction)}`;
  const beyond = cores !== null ? points.filter((p) => p.workers > cores) : [];
  const flat = beyond.length > 0 && beyond.every((p) => p.speedup < best.speedup * 1.1);
  return `${fit}. Best: ${formatTimes(best.speedup)} on ${sizes(best.workers)}${
    flat ? `; past ${plural(cores ?? 0, 'core')} more workers only take turns` : ''
  }.`;
}
