import { memo } from 'react';
import { useApp } from '../store';
import { CompareView } from './CompareView';
import { HistoryView } from './HistoryView';
import { ScenariosView } from './ScenariosView';
import { SweepView } from './SweepView';
import { useViewPanel } from './ViewTabs';
import type { TeachView } from './teach-slice';

const VIEWS = { scenarios: ScenariosView, compare: CompareView, sweep: SweepView, history: HistoryView } as const;

/** The teaching view the header's tabs chose; the live workspace stays mounted beside it, hidden. */
export const TeachWorkspace = memo(function TeachWorkspace() {
  const view = useApp((s) => s.view);
  if (view === 'live') return null;
  return <TeachPanel view={view} />;
});

function TeachPanel({ view }: { view: Exclude<TeachView, 'live'> }) {
  const panel = useViewPanel(view);
  const View = VIEWS[view];
  return (
    <div className="teach-workspace" {...panel}>
      <View />
    </div>
  );
}
