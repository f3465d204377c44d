import { memo, useRef, type KeyboardEvent } from 'react';
import { useApp } from '../store';
import { useTeach } from './teach-runtime';
import { TEACH_VIEWS, type TeachView } from './teach-slice';
import './teach.css';

const LABELS: Record<TeachView, string> = {
  live: 'Live',
  scenarios: 'Scenarios',
  compare: 'Compare',
  sweep: 'Sweep',
  history: 'History',
};

const tabId = (view: TeachView) => `view-tab-${view}`;
const panelId = (view: TeachView) => `view-panel-${view}`;

/** The tab panel attributes of a view's content: the live workspace uses these too. */
export function useViewPanel(view: TeachView) {
  const shown = useApp((s) => s.view === view);
  return { id: panelId(view), role: 'tabpanel', 'aria-labelledby': tabId(view), hidden: !shown } as const;
}

/**
 * Switches the page between the live pool and the teaching views. A tab list
 * with automatic activation: arrow keys move and select, Home and End jump.
 */
export const ViewTabs = memo(function ViewTabs() {
  // Recording starts with the header, so every run of the page reaches the history.
  useTeach();
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const runs = useApp((s) => s.history.length);
  const busy = useApp((s) => s.teachBusy);
  const list = useRef<HTMLDivElement>(null);

  const onKeyDown = (event: KeyboardEvent) => {
    const i = TEACH_VIEWS.indexOf(view);
    const next =
      event.key === 'ArrowRight'
        ? (i + 1) % TEACH_VIEWS.length
        : event.key === 'ArrowLeft'
          ? (i - 1 + TEACH_VIEWS.length) % TEACH_VIEWS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? TEACH_VIEWS.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    setView(TEACH_VIEWS[next]);
    list.current?.querySelector<HTMLElement>(`#${tabId(TEACH_VIEWS[next])}`)?.focus();
  };

  return (
    <div className="view-tabs" role="tablist" aria-label="Views" ref={list} onKeyDown={onKeyDown}>
      {TEACH_VIEWS.map((v) => (
        <button
          key={v}
          type="button"
          role="tab"
          id={tabId(v)}
          aria-selected={v === view}
          aria-controls={panelId(v)}
          tabIndex={v === view ? 0 : -1}
          className="view-tab"
          onClick={() => setView(v)}
        >
          {LABELS[v]}
          {busy !== null && (busy === v || (busy === 'scenario' && v === 'scenarios')) && (
            <i className="tab-busy" aria-label="running" />
          )}
          {/* Always there (empty until the first run), so the tab bar does not widen when it fills. */}
          {v === 'history' && (
            <span className={`tab-count${runs > 0 ? '' : ' empty'}`} data-testid="history-count">
              {runs > 0 ? runs : ''}
            </span>
          )}
        </button>
      ))}
    </div>
  );
});
