import { Tooltip } from 'radix-ui';
import { LiveConsole } from '../views/ConsolePanel';
import { Controls } from '../views/Controls';
import { Header } from '../views/Header';
import { PoolView } from '../views/PoolView';
import { ReplayBanner } from '../views/ReplayBanner';
import { StatsPanel } from '../views/StatsPanel';
import { TimelineView } from '../views/TimelineView';
import { Toasts } from '../views/Toasts';
import { WorkersPanel } from '../views/WorkersPanel';
import { TeachWorkspace } from '../teach/TeachWorkspace';
import { useViewPanel } from '../teach/ViewTabs';
import { useShortcuts } from './shortcuts';

export function App() {
  useShortcuts();
  const livePanel = useViewPanel('live');
  return (
    <Tooltip.Provider delayDuration={350} skipDelayDuration={150}>
      <div className="app">
        <Header />
        <ReplayBanner />
        <div className="workspace" {...livePanel}>
          <Controls />
          <main className="center">
            <PoolView />
            <TimelineView />
          </main>
          <div className="side">
            <StatsPanel />
            <WorkersPanel />
            <LiveConsole />
          </div>
        </div>
        <TeachWorkspace />
        <Toasts />
      </div>
    </Tooltip.Provider>
  );
}
