/**
 * The import worker: reads and parses one trace file off the main thread, where
 * JSON.parse of a big file would freeze the window for seconds.
 */
import { readTrace, type TraceReadResult } from './read-trace';

// The renderer is typed against the DOM, not the worker scope: declare what is used.
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Blob>) => void) | null;
  postMessage(message: TraceReadResult): void;
};

scope.onmessage = (event) => void readTrace(event.data).then((result) => scope.postMessage(result));
