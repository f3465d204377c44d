import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { useRuntime } from '../app/runtime';
import { onThemeChange, theme, type Theme } from '../draw/theme';
import type { LiveSeries } from '../live-series';
import { useApp } from '../store';

type Kind = 'throughput' | 'utilisation';

function data(series: LiveSeries, kind: Kind): uPlot.AlignedData {
  return kind === 'throughput' ? [series.t, series.throughput] : [series.t, series.busy, series.cpu];
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
      { ...axis, size: 20, values: (_u, ticks) => ticks.map((v) => `${+v.toFixed(1)} s`) },
      {
        ...axis,
        size: 40,
        values: (_u, ticks) =>
          ticks.map((v) =>
            kind === 'utilisation' ? `${v}%` : v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : String(+v.toFixed(1)),
          ),
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
  const latest =
    last < 0
      ? ''
      : kind === 'throughput'
        ? `${Math.round(s.throughput[last]).toLocaleString('en-US')} tasks/s`
        : `${Math.round(s.busy[last])}%${s.cpu[last] != null ? ` · cpu ${Math.round(s.cpu[last] ?? 0)}%` : ''}`;
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
