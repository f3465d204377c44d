/**
 * The live controls' cluster parts: what a slow cluster command is doing while
 * it is pending (with the seconds it has taken), what it answered when it
 * failed, and the form that attaches to a cluster someone else runs.
 */
import { Popover } from 'radix-ui';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { CLUSTER_BACKENDS, type ClusterBackend } from '../../../shared/run-spec';
import { BACKEND_NAMES, attachCluster } from '../app/pool-commands';
import { useRuntime } from '../app/runtime';
import { useApp } from '../store';
import { clusterAddressProblem } from './python-form';
import { Segmented } from './ui';

/** Seconds since `since` (performance.now()), ticking once a second while shown. */
function useElapsedSeconds(since: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return Math.max(0, Math.floor((now - since) / 1000));
}

export function ClusterNoteLine() {
  const note = useApp((s) => s.clusterNote);
  const dismiss = useApp((s) => s.setClusterNote);
  if (!note) return null;
  if (note.tone === 'pending') return <PendingNote text={note.text} since={note.since} />;
  return (
    <p className="form-problem cluster-note" role="alert" data-testid="cluster-note">
      {note.text}
      <button type="button" className="btn ghost icon small" aria-label="Dismiss" onClick={() => dismiss(null)}>
        ×
      </button>
    </p>
  );
}

function PendingNote({ text, since }: { text: string; since: number }) {
  const seconds = useElapsedSeconds(since);
  return (
    <p className="controls-note cluster-note" role="status" data-testid="cluster-note">
      <i className="spinner" aria-hidden="true" />
      {text} <span className="elapsed">{seconds} s</span>
    </p>
  );
}

/** "Attach to a cluster…": an engine and an address, checked as the host checks them; Stop detaches. */
export function AttachCluster() {
  const { api } = useRuntime();
  const running = useApp((s) => s.run.status === 'running');
  const [open, setOpen] = useState(false);
  const [engine, setEngine] = useState<ClusterBackend>('dask');
  const [address, setAddress] = useState('');
  const [tried, setTried] = useState(false);
  const addressId = useId();
  const problem = clusterAddressProblem(address);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    setOpen(false);
    void attachCluster(api, engine, address.trim());
  };
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button type="button" className="btn ghost small attach-trigger" disabled={running}>
          Attach to a cluster…
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover attach-form" side="right" sideOffset={8} collisionPadding={12}>
          <form onSubmit={submit} aria-label="Attach to a cluster">
            <p className="attach-lead">
              Follow a Dask scheduler or Ray cluster someone else runs, read-only: every task any client sends it
              appears here until you detach.
            </p>
            <Segmented
              label="Engine"
              options={CLUSTER_BACKENDS}
              value={engine}
              names={BACKEND_NAMES}
              onChange={setEngine}
            />
            <label htmlFor={addressId} className="label">
              Address
            </label>
            <input
              id={addressId}
              className="text-input"
              type="text"
              spellCheck={false}
              placeholder={engine === 'dask' ? 'tcp://127.0.0.1:8786' : 'auto or 127.0.0.1:6379'}
              value={address}
              aria-invalid={tried && problem !== null}
              onChange={(e) => setAddress(e.target.value)}
            />
            {tried && problem && (
              <p className="form-problem" role="alert">
                {problem}
              </p>
            )}
            <div className="attach-actions">
              <button type="submit" className="btn primary small">
                Attach
              </button>
              <Popover.Close asChild>
                <button type="button" className="btn ghost small">
                  Cancel
                </button>
              </Popover.Close>
            </div>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
