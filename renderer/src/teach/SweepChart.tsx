import { memo, useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import { amdahlOnCores } from '../../../shared/amdahl';
import { idealSpeedup } from '../../../shared/figures';
import { formatPercent, formatTimes } from '../../../shared/format';
import { onThemeChange, theme, type Theme } from '../draw/theme';
import type { SweepPoint } from './teach-slice';

export type SweepMeasure = 'speedup' | 'efficiency';

/** Curves are drawn through this many x steps per worker; measured points sit on the whole numbers. */
const STEPS_PER_WORKER = 10;

/**
 * Measured points with the ideal and the Amdahl fit as curves, on one x axis of
 * pool sizes. Efficiency is in percent.
 */
function chartData(
  points: SweepPoint[],
  maxSize: number,
  cores: number | null,
  serialFraction: number | null,
  measure: SweepMeasure,
) {
  const x: number[] = [];
  for (let i = STEPS_PER_WORKER; i <= maxSize * STEPS_PER_WORKER; i++) x.push(i / STEPS_PER_WORKER);
  const byWorkers = new Map(points.map((p) => [p.workers, p]));
  const value = (p: SweepPoint) => (measure === 'speedup' ? p.speedup : 100 * p.efficiency);
  const measured = x.map((n) => {
    const p = Number.isInteger(n) ? byWorkers.get(n) : undefined;
    return p ? value(p) : null;
  });
  // One core per worker, up to the cores there are (unknown: as many as workers).
  const most = (n: number) => idealSpeedup(n, cores ?? n);
  const ideal = x.map((n) => (measure === 'speedup' ? most(n) : 100));
  const fit = x.map((n) => {
    if (serialFraction === null) return null;
    const predicted = amdahlOnCores(serialFraction, n, cores ?? n);
    return measure === 'speedup' ? predicted : (100 * predicted) / most(n);
  });
  return [x, measured, ideal, fit] as uPlot.AlignedData;
}

function chartOptions(
  measure: SweepMeasure,
  t: Theme,
  width: number,
  height: number,
  cores: number | null,
  maxSize: number,
): uPlot.Options {
  const axis = {
    stroke: t.text3,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: 3 },
    font: `11px ${t.font}`,
    labelFont: `11px ${t.font}`,
    gap: 4,
  };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    padding: [10, 12, 0, 0],
    scales: {
      x: { time: false, range: [0.8, maxSize + 0.2] },
      y: {
        range: (_u, _min, max) =>
          measure === 'speedup' ? [0, Math.max(maxSize, max ?? 0) * 1.08] : [0, Math.max(110, (max ?? 0) * 1.05)],
      },
    },
    axes: [
      {
        ...axis,
        label: 'workers',
        labelSize: 16,
        size: 28,
        incrs: [1],
        values: (_u, ticks) => ticks.map((v) => String(v)),
      },
      {
        ...axis,
        size: 42,
        values: (_u, ticks) =>
          ticks.map((v) => (measure === 'speedup' ? `${+v.toFixed(1)}×` : formatPercent(Math.round(v) / 100))),
      },
    ],
    series: [
      {},
      {
        label: 'measured',
        stroke: t.done,
        width: 2,
        spanGaps: true,
        points: { show: true, size: 8, fill: t.done, stroke: t.surface, width: 1.5 },
      },
      { label: 'ideal', stroke: t.text3, width: 1.25, dash: [5, 4], points: { show: false } },
      { label: 'Amdahl fit', stroke: t.timeout, width: 1.75, points: { show: false } },
    ],
    hooks: {
      // The core count, where CPU-bound speedup stops growing.
      draw: [
        (u) => {
          if (cores === null || cores > maxSize) return;
          const ctx = u.ctx;
          const px = Math.round(u.valToPos(cores, 'x', true)) + 0.5;
          const ratio = window.devicePixelRatio || 1;
          ctx.save();
          ctx.strokeStyle = t.crash;
          ctx.lineWidth = 1.5 * ratio;
          ctx.setLineDash([3 * ratio, 3 * ratio]);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = t.crash;
          ctx.font = `600 ${11 * ratio}px ${t.font}`;
          ctx.textBaseline = 'top';
          ctx.fillText(`${cores} cores`, px + 5 * ratio, u.bbox.top + 4 * ratio);
          ctx.restore();
        },
      ],
    },
  };
}

interface SweepChartProps {
  measure: SweepMeasure;
  points: SweepPoint[];
  maxSize: number;
  cores: number | null;
  serialFraction: number | null;
}

/** Speedup or efficiency against pool size (uPlot), with the ideal, the Amdahl fit and the core count. */
export const SweepChart = memo(function SweepChart({
  measure,
  points,
  maxSize,
  cores,
  serialFraction,
}: SweepChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [themeVersion, setThemeVersion] = useState(0);
  const data = useMemo(
    () => chartData(points, maxSize, cores, serialFraction, measure),
    [points, maxSize, cores, serialFraction, measure],
  );
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => onThemeChange(() => setThemeVersion((v) => v + 1)), []);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const size = () => ({ width: Math.max(120, el.clientWidth), height: Math.max(120, el.clientHeight) });
    const { width, height } = size();
    const made = new uPlot(chartOptions(measure, theme(), width, height, cores, maxSize), latest.current, el);
    plot.current = made;
    const observer = new ResizeObserver(() => made.setSize(size()));
    observer.observe(el);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [measure, cores, maxSize, themeVersion]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const title = measure === 'speedup' ? 'Speedup' : 'Efficiency';
  const described = points.map((p) =>
    measure === 'speedup' ? `${p.workers}: ${formatTimes(p.speedup)}` : `${p.workers}: ${formatPercent(p.efficiency)}`,
  );
  return (
    <figure className="chart sweep-chart">
      <figcaption>
        <span>{title}</span>
        <ul className="legend" aria-hidden="true">
          <li>
            <i className="line measured" /> measured
          </li>
          <li>
            <i className="line ideal" /> ideal
          </li>
          <li>
            <i className="line fit" /> Amdahl fit
          </li>
          <li>
            <i className="line cores" /> cores
          </li>
        </ul>
      </figcaption>
      <div
        className="chart-plot"
        ref={ref}
        role="img"
        aria-label={`${title} by pool size${described.length ? `: ${described.join(', ')}` : ''}`}
        data-testid={`sweep-${measure}`}
      />
    </figure>
  );
});
