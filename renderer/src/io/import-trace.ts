/** Import on the page's side: refuse what is too big before reading a byte, parse the rest in a worker. */
import { MAX_TRACE_BYTES } from '../../../shared/trace-import';
import { formatBytes } from '../../../shared/format';
import type { TraceReadResult } from './read-trace';

/** Why a file is refused before it is read, or null if it may be read. */
export function refuseBySize(file: { name: string; size: number }): string | null {
  if (file.size <= MAX_TRACE_BYTES) return null;
  return (
    `${file.name} is ${formatBytes(file.size)}; traces over ${formatBytes(MAX_TRACE_BYTES)} are refused ` +
    'because parsing one takes several times its size in memory. Record a shorter run, or trim the trace first.'
  );
}

/** Parses `file` in a fresh module worker; resolves with the trace or a message, never rejects. */
export function parseInWorker(file: Blob, signal: AbortSignal): Promise<TraceReadResult> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./trace-worker.ts', import.meta.url), { type: 'module', name: 'trace-import' });
    } catch (error) {
      resolve({ ok: false, message: `the trace reader could not start (${String(error)})` });
      return;
    }
    const finish = (result: TraceReadResult) => {
      worker.terminate();
      resolve(result);
    };
    worker.onmessage = (event: MessageEvent<TraceReadResult>) => finish(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      finish({ ok: false, message: `the trace reader failed (${event.message || 'it could not be loaded'})` });
    };
    signal.addEventListener('abort', () => finish({ ok: false, message: 'cancelled' }), { once: true });
    worker.postMessage(file);
  });
}
