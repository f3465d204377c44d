import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { plural } from '../../../shared/format';
import { useApp } from '../store';
import { FileMenu } from './FileMenu';
import { ViewTabs } from '../teach/ViewTabs';

export const Header = memo(function Header() {
  const host = useApp(
    useShallow((s) => (s.host ? { kind: s.host.host, platform: s.host.platform, cores: s.host.cores } : null)),
  );
  const hostError = useApp((s) => s.hostError);
  const missed = useApp((s) => s.run.missedFrames);
  const error = useApp((s) => s.run.error);
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="logo" viewBox="0 0 28 28" aria-hidden="true">
          <rect x="2" y="4" width="7" height="20" rx="2.5" className="logo-queue" />
          <rect x="12" y="4" width="14" height="5" rx="2.5" className="logo-lane a" />
          <rect x="12" y="11.5" width="10" height="5" rx="2.5" className="logo-lane b" />
          <rect x="12" y="19" width="12" height="5" rx="2.5" className="logo-lane c" />
        </svg>
        <h1>Poolscope</h1>
        <span className="tagline">a real process pool, live</span>
      </div>
      <ViewTabs />
      <div className="header-status">
        {error && (
          <span className="badge error run-failed" role="status" title={error}>
            <span>Run failed: {error}</span>
          </span>
        )}
        {missed > 0 && (
          <span className="badge warn" role="status">
            {plural(missed, 'update')} from the pool missed — views may be incomplete
          </span>
        )}
        {hostError ? (
          <span className="badge error" role="status" title={hostError}>
            {host ? 'Disconnected from the host — reload to reconnect' : `Host unreachable: ${hostError}`}
          </span>
        ) : host ? (
          <span className="badge" data-testid="host-info">
            <i className="live-dot" aria-hidden="true" />
            {host.kind === 'electron' ? 'desktop app' : host.kind === 'browser' ? 'in your browser' : host.kind} ·{' '}
            {host.platform} · {plural(host.cores, 'core')}
          </span>
        ) : (
          <span className="badge">Connecting…</span>
        )}
        <FileMenu />
      </div>
    </header>
  );
});
