/**
 * The import worker: reads and parses one trace file off the main thread, where
 * JSON.parse of a big file would freeze the window for seconds.
 */
import { transferablesOf } from '../../../shared/trace-import';
import { readTrace, type TraceReadResult } from './read-trace';

// The renderer is typed against the DOM, not the worker scope: declare what is used.
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Blob>) => void) | null;
  postMessage(message: TraceReadResult, transfer: Transferable[]): void;
};

// The task columns are moved, not copied: a million tasks' worth would otherwise be cloned on the page's thread.
scope.onmessage = (event) =>
  void readTrace(event.data).then((result) =>
    scope.postMessage(result, result.ok ? transferablesOf(result.trace) : []),
  );
