import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState } from 'react';
import type { OutputRecord } from '../../../shared/task-store';
import { useRuntime } from '../app/runtime';
import { workerColorVar } from '../draw/theme';
import { useApp } from '../store';

const ROW_HEIGHT = 20;

/** Indices of one worker's lines, extended as lines arrive rather than rescanned. */
class Filter {
  private source: OutputRecord[] | null = null;
  private worker: number | null = null;
  private scanned = 0;
  indices: number[] = [];

  view(output: OutputRecord[], worker: number | null): number[] | null {
    if (worker === null) return null;
    if (output !== this.source || worker !== this.worker || output.length < this.scanned) {
      this.source = output;
      this.worker = worker;
      this.scanned = 0;
      this.indices = [];
    }
    for (let i = this.scanned; i < output.length; i++) if (output[i].worker === worker) this.indices.push(i);
    this.scanned = output.length;
    return this.indices;
  }
}

/** Workers' stdout and stderr in arrival order, virtualised, following the end unless scrolled up. */
export const ConsolePanel = memo(function ConsolePanel() {
  const { pump } = useRuntime();
  const lines = useApp((s) => s.run.outputLines);
  const workers = useApp((s) => s.run.workers);
  const worker = useApp((s) => s.consoleWorker);
  const setWorker = useApp((s) => s.setConsoleWorker);
  const scroller = useRef<HTMLDivElement>(null);
  const [filter] = useState(() => new Filter());
  const [stick, setStick] = useState(true);

  const output = pump.store.output;
  const indices = filter.view(output, worker);
  const count = indices ? indices.length : Math.min(lines, output.length);

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (stick && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, stick, virtualizer]);

  return (
    <section className="panel console-panel" aria-labelledby="console-title">
      <header className="panel-head">
        <h2 id="console-title">Console</h2>
        <span className="panel-meta">{count.toLocaleString('en-US')} lines</span>
        <label className="console-filter">
          <span className="sr-only">Show output of</span>
          <select
            className="select small"
            value={worker ?? ''}
            onChange={(e) => setWorker(e.target.value === '' ? null : Number(e.target.value))}
          >
            <option value="">All workers</option>
            {workers.map((w) => (
              <option key={w.worker} value={w.worker}>
                W{w.worker}
                {w.pid != null ? ` · ${w.pid}` : ''}
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
          <p className="console-empty">
            Lines the workers print appear here, coloured by worker. Try the print workload.
          </p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const record = output[indices ? indices[item.index] : item.index];
              if (!record) return null;
              return (
                <div
                  key={item.key}
                  className={`console-line ${record.stream}`}
                  data-testid="console-line"
                  style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                >
                  <span className="console-worker" style={{ color: workerColorVar(record.worker) }}>
                    W{record.worker}
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
