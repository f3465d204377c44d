import { memo, useEffect, useRef, useState } from 'react';
import { PoolPainter } from '../draw/painters';
import { useRuntime } from '../app/runtime';
import { useApp } from '../store';
import { useCanvas } from './use-canvas';
import { EmptyState } from './EmptyState';

/** The animated pool: queue → workers (and cores) → results. */
export const PoolView = memo(function PoolView() {
  const { pump, loop } = useRuntime();
  const ref = useRef<HTMLCanvasElement>(null);
  const cores = useApp((s) => s.host?.cores ?? 0);
  const coreSampling = useApp((s) => s.host?.measures.cores ?? false);
  const hasRun = useApp((s) => s.run.runId !== null);
  const replaying = useApp((s) => s.replay !== null);
  const [painter] = useState(() => new PoolPainter(pump));

  useEffect(() => {
    painter.configure(cores, coreSampling, replaying ? 'A trace does not record which core each worker ran on.' : null);
    loop.invalidate();
  }, [painter, loop, cores, coreSampling, replaying]);

  useCanvas(ref, loop, painter);

  return (
    <section className="panel pool-panel" aria-labelledby="pool-title">
      <header className="panel-head">
        <h2 id="pool-title">Pool</h2>
        <Legend />
      </header>
      <div className="canvas-wrap">
        <canvas
          ref={ref}
          className="pool-canvas"
          role="img"
          aria-label="The pool: queued tasks, worker processes with their current task and prefetched inbox, cores, and results"
        />
        {!hasRun && <EmptyState />}
      </div>
    </section>
  );
});

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <i className="swatch running" /> running
      </li>
      <li>
        <i className="swatch done" /> done
      </li>
      <li>
        <i className="swatch failed" /> failed
      </li>
    </ul>
  );
}
