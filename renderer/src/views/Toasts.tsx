import { memo, useEffect } from 'react';
import { useApp, type Toast } from '../store';

const TOAST_MS = 7000;

/** Refused commands and other notices: polite, dismissible, gone on their own. */
export const Toasts = memo(function Toasts() {
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </div>
  );
});

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useApp((s) => s.dismiss);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, dismiss]);
  return (
    <div className={`toast ${toast.tone}`} data-testid="toast">
      <div>
        <strong>{toast.title}</strong>
        <p>{toast.message}</p>
      </div>
      <button type="button" className="btn ghost icon small" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
