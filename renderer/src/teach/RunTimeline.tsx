import { memo, useEffect, useRef, useState } from 'react';
import type { TaskStore } from '../../../shared/task-store';
import { useRuntime } from '../app/runtime';
import type { TimeRange } from '../draw/timeline-camera';
import { useCanvas } from '../views/use-canvas';
import { RunTimelinePainter, type Marker } from './run-timeline';

interface RunTimelineProps {
  store: TaskStore;
  /** The accessible name: what this timeline shows. */
  label: string;
  origin?: number;
  range?: TimeRange;
  markers?: readonly Marker[];
  /** CSS pixels; by default the timeline fills its container. */
  height?: number;
}

/**
 * A timeline of one TaskStore (thin shell over RunTimelinePainter). Stores fed by
 * the session's frames need no nudge: the pump invalidates the shared loop on
 * every frame, and the painter redraws when its store's version moved.
 */
export const RunTimeline = memo(function RunTimeline({
  store,
  label,
  origin,
  range,
  markers,
  height,
}: RunTimelineProps) {
  const { loop } = useRuntime();
  const ref = useRef<HTMLCanvasElement>(null);
  // One painter per store: its index belongs to that store.
  const [painter, setPainter] = useState(() => new RunTimelinePainter(store));
  const [painted, setPainted] = useState(store);
  if (painted !== store) {
    setPainted(store);
    setPainter(new RunTimelinePainter(store));
  }
  useCanvas(ref, loop, painter);

  const t0 = range?.t0;
  const t1 = range?.t1;
  useEffect(() => {
    painter.setView({ origin, range: t0 === undefined || t1 === undefined ? undefined : { t0, t1 }, markers });
    loop.invalidate();
  }, [painter, loop, origin, t0, t1, markers]);

  return (
    <div className="run-timeline" style={height ? { height } : undefined}>
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
});
