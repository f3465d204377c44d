import { memo, useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { PHASE_KINDS, type PhaseKind } from '../../../shared/events';
import type { TaskStore } from '../../../shared/task-store';
import { useRuntime } from '../app/runtime';
import { TimelinePainter } from '../draw/painters';
import { PHASE_NAMES, hitTestTimeline, timelineLayout } from '../draw/timeline';
import { useApp } from '../store';
import { describeTask } from './task-details';
import { InfoTip } from './ui';
import { useCanvas } from './use-canvas';

interface Tip {
  runId: number | null;
  task: number;
  x: number;
  y: number;
  pinned: boolean;
}

const ZOOM_STEP = 1.5;
const PAN_STEP = 0.15;
/** Below this many pixels of movement a press is a click, not a drag. */
const DRAG_SLOP = 4;

/** The live Gantt timeline: zoom with the wheel or +/−, pan by dragging or with arrows, hover for details. */
export const TimelineView = memo(function TimelineView() {
  const { pump, loop } = useRuntime();
  const ref = useRef<HTMLCanvasElement>(null);
  const setFollowing = useApp((s) => s.setTimelineFollowing);
  const [painter] = useState(() => new TimelinePainter(pump, () => setFollowing(true)));
  const following = useApp((s) => s.timelineFollowing);
  const hasRun = useApp((s) => s.run.runId !== null);
  const [rawTip, setRawTip] = useState<Tip | null>(null);
  const drag = useRef<{ x: number; last: number; moved: boolean } | null>(null);

  useCanvas(ref, loop, painter);

  const moved = useCallback(() => {
    loop.invalidate();
    setFollowing(painter.camera.mode !== 'free');
  }, [loop, painter, setFollowing]);

  // A tip belongs to its run: a new run starts with nothing pinned.
  const runId = useApp((s) => s.run.runId);
  const tip = rawTip?.runId === runId ? rawTip : null;
  const setTip = useCallback((next: Omit<Tip, 'runId'> | null) => setRawTip(next && { ...next, runId }), [runId]);

  useEffect(() => {
    painter.setHighlight(tip?.task ?? null);
    loop.invalidate();
  }, [tip, painter, loop]);

  // Wheel needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const onWheel = (event: WheelEvent) => {
      const scene = painter.scene;
      if (!scene) return;
      event.preventDefault();
      const layout = timelineLayout(scene);
      const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
      const dx = event.deltaX * unit;
      const dy = event.deltaY * unit;
      const msPerPx = (scene.range.t1 - scene.range.t0) / layout.plotW;
      if (event.shiftKey || Math.abs(dx) > Math.abs(dy)) {
        painter.camera.pan((Math.abs(dx) > Math.abs(dy) ? dx : dy) * msPerPx, painter.nowRel());
      } else {
        const x = event.clientX - canvas.getBoundingClientRect().left;
        const anchor = Math.min(1, Math.max(0, (x - layout.plotX) / layout.plotW));
        painter.camera.zoom(Math.exp(dy * (event.ctrlKey ? 0.01 : 0.0025)), anchor, painter.nowRel());
      }
      moved();
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [painter, moved]);

  const local = (event: PointerEvent) => {
    const rect = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, last: event.clientX, moved: false };
  };

  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const scene = painter.scene;
    if (!scene) return;
    const d = drag.current;
    if (d && (d.moved || Math.abs(event.clientX - d.x) > DRAG_SLOP)) {
      d.moved = true;
      const msPerPx = (scene.range.t1 - scene.range.t0) / timelineLayout(scene).plotW;
      painter.camera.pan((d.last - event.clientX) * msPerPx, painter.nowRel());
      d.last = event.clientX;
      moved();
      return;
    }
    if (tip?.pinned) return;
    const { x, y } = local(event);
    const task = hitTestTimeline(scene, x, y);
    if (task === null) {
      if (tip) setTip(null);
    } else if (task !== tip?.task || Math.abs(x - tip.x) > 8 || Math.abs(y - tip.y) > 8) {
      setTip({ task, x, y, pinned: false });
    }
  };

  const onPointerUp = (event: PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved || !painter.scene) return;
    const { x, y } = local(event);
    const task = hitTestTimeline(painter.scene, x, y);
    setTip(task === null ? null : { task, x, y, pinned: !(tip?.pinned && tip.task === task) });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    const now = painter.nowRel();
    const camera = painter.camera;
    const range = camera.range(now);
    const span = range.t1 - range.t0;
    const anchor = camera.mode === 'free' ? 0.5 : 1;
    switch (event.key) {
      case '+':
      case '=':
        camera.zoom(1 / ZOOM_STEP, anchor, now);
        break;
      case '-':
      case '_':
        camera.zoom(ZOOM_STEP, anchor, now);
        break;
      case 'ArrowLeft':
        camera.pan(-span * PAN_STEP, now);
        break;
      case 'ArrowRight':
        camera.pan(span * PAN_STEP, now);
        break;
      case '0':
      case 'Home':
        camera.fit();
        break;
      case 'f':
      case 'End':
        camera.follow(now);
        break;
      case 'Escape':
        setTip(null);
        return;
      default:
        return;
    }
    event.preventDefault();
    moved();
  };

  const zoomBy = (factor: number) => {
    const now = painter.nowRel();
    painter.camera.zoom(factor, painter.camera.mode === 'free' ? 0.5 : 1, now);
    moved();
  };

  return (
    <section className="panel timeline-panel" aria-labelledby="timeline-title">
      <header className="panel-head">
        <h2 id="timeline-title">Timeline</h2>
        <InfoTip label="Timeline">
          One row per worker process, time to the right. Scroll to zoom, drag to pan, click a bar to pin its details.
          Keys: + and − zoom, ← and → pan, 0 fits the whole run, F follows now.
        </InfoTip>
        <TimelineLegend />
        <div className="toolbar" role="toolbar" aria-label="Timeline view">
          <button type="button" className="btn ghost icon" onClick={() => zoomBy(1 / ZOOM_STEP)} aria-label="Zoom in">
            +
          </button>
          <button type="button" className="btn ghost icon" onClick={() => zoomBy(ZOOM_STEP)} aria-label="Zoom out">
            −
          </button>
          <button
            type="button"
            className="btn ghost"
            aria-pressed={following}
            onClick={() => {
              painter.camera.fit();
              moved();
            }}
          >
            {following ? 'Live' : 'Back to live'}
          </button>
        </div>
      </header>
      <div className="canvas-wrap">
        <canvas
          ref={ref}
          className="timeline-canvas"
          tabIndex={0}
          role="application"
          aria-roledescription="timeline"
          aria-label="Task timeline, one row per worker. Plus and minus zoom, arrow keys pan, 0 fits the run, F follows now."
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => {
            if (!tip?.pinned) setTip(null);
          }}
          onKeyDown={onKeyDown}
        />
        {!hasRun && (
          <p className="canvas-note">Each task becomes a bar here once a run starts: one row per worker process.</p>
        )}
        {tip && <TaskTip tip={tip} store={pump.store} now={pump.hostNow()} onClose={() => setTip(null)} />}
      </div>
    </section>
  );
});

/** The phase kinds the run has had, one entry per name (disk read and write are one colour). */
function usePhaseLegend(): { kind: PhaseKind; name: string }[] {
  const bits = useApp((s) => s.run.phaseKinds);
  const [legend, setLegend] = useState<{ bits: number; entries: { kind: PhaseKind; name: string }[] }>({
    bits: 0,
    entries: [],
  });
  if (legend.bits !== bits) {
    const entries = new Map<string, PhaseKind>();
    PHASE_KINDS.forEach((kind, k) => {
      if (bits & (1 << k) && !entries.has(PHASE_NAMES[kind])) entries.set(PHASE_NAMES[kind], kind);
    });
    setLegend({ bits, entries: [...entries].map(([name, kind]) => ({ kind, name })) });
  }
  return legend.entries;
}

/** What the timeline draws, and only that: each kind of failure once there is one, lock waits for the GIL backend. */
const TimelineLegend = memo(function TimelineLegend() {
  const kinds = useApp((s) => s.run.failureKinds);
  const gil = useApp((s) => s.run.backend === 'gil');
  const measured = useApp((s) => s.host?.measures.coreWait ?? true);
  const phases = usePhaseLegend();
  return (
    <ul className="legend" aria-label="Timeline legend" data-testid="timeline-legend">
      <li>
        <i className="swatch done" /> done
      </li>
      <li>
        <i className="swatch running" /> running
      </li>
      {measured ? (
        <li>
          <i className="swatch corewait" /> waiting for a core
        </li>
      ) : (
        <li className="legend-missing" title="The scheduler's run-queue time is read on Linux only.">
          waiting for a core: not measured here
        </li>
      )}
      {gil && (
        <li>
          <i className="swatch wait" /> waiting for the lock
        </li>
      )}
      <li>
        <i className="swatch startup" /> start-up
      </li>
      {phases.map(({ kind, name }) => (
        <li key={name} data-testid="legend-phase">
          <i className={`swatch phase-${kind}`} /> {name}
        </li>
      ))}
      {kinds.error && (
        <li>
          <i className="swatch failed" /> error
        </li>
      )}
      {kinds.timeout && (
        <li>
          <i className="swatch timeout" /> timed out
        </li>
      )}
      {kinds.crash && (
        <li>
          <i className="swatch crash" /> crashed
        </li>
      )}
    </ul>
  );
});

function TaskTip({ tip, store, now, onClose }: { tip: Tip; store: TaskStore; now: number; onClose: () => void }) {
  const details = describeTask(store, tip.task, now);
  if (!details) return null;
  // Flip to the pointer's other side near the right and bottom edges.
  const style = {
    left: tip.x + 14,
    top: tip.y + 14,
    transform: `translate(${tip.x > 420 ? 'calc(-100% - 28px)' : '0'}, ${tip.y > 160 ? 'calc(-100% - 28px)' : '0'})`,
  };
  return (
    <div
      className={`task-tip${tip.pinned ? ' pinned' : ''}`}
      role="tooltip"
      data-testid="timeline-tooltip"
      style={style}
    >
      <div className="task-tip-head">
        <strong>Task {details.task}</strong>
        <span className={`state-pill ${details.state.replace(' ', '-')}`}>{details.state}</span>
        {tip.pinned && (
          <button type="button" className="btn ghost icon small" aria-label="Unpin" onClick={onClose}>
            ×
          </button>
        )}
      </div>
      <dl>
        {details.rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
