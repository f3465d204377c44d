import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { formatCompact, formatPercent, formatRate, formatTick } from '../../../shared/format';
import { useRuntime } from '../app/runtime';
import { onThemeChange, theme, type Theme } from '../draw/theme';
import type { LiveSeries } from '../live-series';
import { useApp } from '../store';

type Kind = 'throughput' | 'utilisation';

function data(series: LiveSeries, kind: Kind): uPlot.AlignedData {
  return kind === 'throughput' ? [series.t, series.throughput] : [series.t, series.busy, series.cpu];
}

/**
 * Time-axis labels from the tick step, so a short run reads "0, 50 ms, 100 ms"
 * rather than "0 s 0 s 0 s"; what they say is kept on the chart for tests and
 * assistive tech.
 */
function timeTicks(u: uPlot, ticks: number[]): string[] {
  const step = ticks.length > 1 ? (ticks[1] - ticks[0]) * 1000 : 1000;
  const labels = ticks.map((v) => formatTick(v * 1000, step));
  u.root.parentElement?.setAttribute('data-x-ticks', labels.join('|'));
  return labels;
}

function options(kind: Kind, t: Theme, width: number, height: number): uPlot.Options {
  const axis = {
    stroke: t.text3,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1, size: 3 },
    font: `10px ${t.font}`,
    gap: 3,
  };
  const fill = (color: string) => `color-mix(in srgb, ${color} 18%, transparent)`;
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 5 } },
    padding: [6, 6, 0, 0],
    scales: {
      x: { time: false },
      y: kind === 'utilisation' ? { range: [0, 100] } : { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [
      { ...axis, size: 20, values: (u, ticks) => timeTicks(u, ticks) },
      {
        ...axis,
        size: 40,
        values: (_u, ticks) => ticks.map((v) => (kind === 'utilisation' ? formatPercent(v / 100) : formatCompact(v))),
      },
    ],
    series:
      kind === 'throughput'
        ? [{}, { label: 'tasks/s', stroke: t.done, fill: fill(t.done), width: 1.5, points: { show: false } }]
        : [
            {},
            { label: 'workers busy', stroke: t.done, fill: fill(t.done), width: 1.5, points: { show: false } },
            {
              label: 'CPU of the machine',
              stroke: t.timeout,
              width: 1.5,
              dash: [4, 3],
              points: { show: false },
              spanGaps: true,
            },
          ],
  };
}

/** A small uPlot chart of the live series, redrawn when the pump publishes. */
export const LiveChart = memo(function LiveChart({ kind, title }: { kind: Kind; title: string }) {
  const { pump } = useRuntime();
  const seq = useApp((s) => s.run.seq);
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [themeVersion, setThemeVersion] = useState(0);

  useEffect(() => onThemeChange(() => setThemeVersion((v) => v + 1)), []);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const made = new uPlot(
      options(kind, theme(), Math.max(50, el.clientWidth), Math.max(40, el.clientHeight)),
      data(pump.series, kind),
      el,
    );
    plot.current = made;
    const observer = new ResizeObserver(() =>
      made.setSize({ width: Math.max(50, el.clientWidth), height: Math.max(40, el.clientHeight) }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [kind, pump, themeVersion]);

  useEffect(() => {
    plot.current?.setData(data(pump.series, kind));
  }, [seq, kind, pump]);

  const s = pump.series;
  const last = s.t.length - 1;
  const cpu = last < 0 ? null : s.cpu[last];
  const latest =
    last < 0
      ? ''
      : kind === 'throughput'
        ? formatRate(s.throughput[last], 'tasks')
        : `${formatPercent(s.busy[last] / 100)}${cpu != null ? ` · cpu ${formatPercent(cpu / 100)}` : ''}`;
  return (
    <figure className="chart">
      <figcaption>
        <span>{title}</span>
        <span className="chart-latest">{latest}</span>
      </figcaption>
      <div
        className="chart-plot"
        ref={ref}
        role="img"
        aria-label={`${title} over time${latest ? `; now ${latest}` : ''}`}
      />
    </figure>
  );
});
