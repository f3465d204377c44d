import { Fragment, useMemo, type ReactNode } from 'react';
import { RuntimeContext, useRuntime } from '../app/runtime';
import { useApp } from '../store';

/**
 * While a trace replays, everything inside sees the replay's pump as the
 * runtime's: the pool view, timeline, stats and console show the replay with no
 * change of their own. Switching remounts them, since painters bind to a pump
 * when they are made.
 */
export function ReplayScope({ children }: { children: ReactNode }) {
  const runtime = useRuntime();
  const replay = useApp((s) => s.replay);
  const shown = useMemo(() => (replay ? { ...runtime, pump: replay.pump } : runtime), [runtime, replay]);
  return (
    <RuntimeContext value={shown}>
      <Fragment key={replay ? `replay-${replay.id}` : 'live'}>{children}</Fragment>
    </RuntimeContext>
  );
}
