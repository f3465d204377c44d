import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useId, useRef, useState } from 'react';
import { formatCount } from '../../../shared/format';
import type { OutputRecord, TaskStore } from '../../../shared/task-store';
import { useRuntime } from '../app/runtime';
import { workerColorVar } from '../draw/theme';
import { useOutputVersion, useShownStore } from './use-output-version';

const ROW_HEIGHT = 20;

/**
 * Which of a store's output lines the console shows: those of its current run
 * (a new run starts a clean console), optionally one worker's, as indices into
 * store.output, extended as lines arrive rather than rescanned.
 */
class LineFilter {
  private source: OutputRecord[] | null = null;
  private worker: number | null = null;
  private runStart = -Infinity;
  private scanned = 0;
  indices: number[] = [];

  view(store: TaskStore, worker: number | null): number[] {
    const output = store.output;
    const runStart = store.run?.startedAt ?? -Infinity;
    if (
      output !== this.source ||
      worker !== this.worker ||
      runStart !== this.runStart ||
      output.length < this.scanned
    ) {
      this.source = output;
      this.worker = worker;
      this.runStart = runStart;
      this.indices = [];
      // Lines arrive in time order, so the run's first line is found from the end.
      let first = output.length;
      while (first > 0 && output[first - 1].at >= runStart) first--;
      this.scanned = first;
    }
    for (let i = this.scanned; i < output.length; i++)
      if (worker === null || output[i].worker === worker) this.indices.push(i);
    this.scanned = output.length;
    return this.indices;
  }
}

interface ConsolePanelProps {
  /** Whose output: the live pool's store, or a scenario's own. */
  store: TaskStore | null;
  /** What the console says before any line arrived. */
  empty?: string;
}

/**
 * Workers' stdout and stderr in arrival order, virtualised, following the end
 * unless scrolled up. Each console has its own store and its own worker filter,
 * and shows workers by their small per-run number.
 */
export const ConsolePanel = memo(function ConsolePanel({
  store,
  empty = 'Lines the workers print appear here, coloured by worker. Try the print workload.',
}: ConsolePanelProps) {
  const version = useOutputVersion(store);
  const [worker, setWorker] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [filter] = useState(() => new LineFilter());
  const [stick, setStick] = useState(true);
  const titleId = useId();

  const lanes = store ? store.laneList() : [];
  // A worker of an earlier run is no choice in this one.
  const filtered = worker !== null && lanes.some((l) => l.worker === worker) ? worker : null;
  const indices = store ? filter.view(store, filtered) : [];
  const count = indices.length;
  const output = store?.output ?? [];
  const numberOf = (id: number) => store?.lanes.get(id)?.number ?? null;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (stick && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, stick, virtualizer, version]);

  return (
    <section className="panel console-panel" aria-labelledby={titleId}>
      <header className="panel-head">
        <h2 id={titleId}>Console</h2>
        <span className="panel-meta" data-testid="console-count">
          {formatCount(count)} {count === 1 ? 'line' : 'lines'}
        </span>
        <label className="console-filter">
          <span className="sr-only">Show output of</span>
          <select
            className="select small"
            value={filtered ?? ''}
            onChange={(e) => setWorker(e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">All workers</option>
            {lanes.map((lane) => (
              <option key={lane.worker} value={lane.worker}>
                W{lane.number}
                {lane.pid != null ? ` · pid ${lane.pid}` : ''}
              </option>
            ))}
          </select>
        </label>
      </header>
      <div
        className="console"
        ref={scroller}
        role="log"
        aria-label="Worker output"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
          if (atEnd !== stick) setStick(atEnd);
        }}
      >
        {count === 0 ? (
          <p className="console-empty">{empty}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const record = output[indices[item.index]];
              if (!record) return null;
              const number = numberOf(record.worker);
              return (
                <div
                  key={item.key}
                  className={`console-line ${record.stream}`}
                  data-testid="console-line"
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                >
                  <span
                    className="console-worker"
                    style={number === null ? undefined : { color: workerColorVar(number) }}
                  >
                    {number === null ? 'W?' : `W${number}`}
                  </span>
                  <span className="console-text">{record.text}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
      {!stick && count > 0 && (
        <button type="button" className="btn small jump" onClick={() => setStick(true)}>
          ↓ Latest
        </button>
      )}
    </section>
  );
});

/** The console of whatever the views show: the live pool, or a replay. */
export function LiveConsole() {
  const { pump } = useRuntime();
  return <ConsolePanel store={useShownStore(pump)} />;
}
