/**
 * A worker ends within a fraction of a second of its parent, however the parent
 * went (SIGKILL, a crash) and whatever the worker is doing. The IPC channel's
 * `disconnect` cannot promise that: it needs the event loop, which a task that
 * never yields holds forever. So a tiny thread of its own watches the parent.
 */
import { Worker } from 'node:worker_threads';

/** How often the thread looks; a parent gone is noticed within this (DESIGN §3: no worker outlives its parent by a second). */
export const PARENT_POLL_MS = 150;

/**
 * The thread's whole program. When the parent dies, the kernel hands its
 * children to another process, so `process.ppid` changes (Linux, macOS); where
 * it does not (Windows keeps the dead parent's pid), the parent is checked to be alive.
 * SIGKILL to our own pid ends every thread at once, the busy main one too.
 */
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { ppid, pollMs } = workerData;
const gone = () => {
  if (process.ppid !== ppid) return true;
  try { process.kill(ppid, 0); return false; } catch (error) { return error.code === 'ESRCH'; }
};
setInterval(() => { if (gone()) process.kill(process.pid, 'SIGKILL'); }, pollMs);
`;

/**
 * Starts the watcher thread for this process and returns it (unref'd: it never
 * keeps the process alive). Call once per process, from its entry, after the
 * worker has said it is ready: the thread's start-up then costs the pool nothing.
 */
export function watchParent(pollMs = PARENT_POLL_MS): Worker {
  const watcher = new Worker(WATCHER, {
    eval: true,
    workerData: { ppid: process.ppid, pollMs },
    // No preloads (a thread inherits --require and --import, tsx's in tests): it needs nothing but Node.
    execArgv: [],
    // It prints nothing and needs little: keep it off the worker's captured stdio and small.
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2, stackSizeMb: 1 },
  });
  // A watcher that fails (out of memory, say) must not take the worker with it: unheard, its 'error' would.
  watcher.on('error', () => {});
  watcher.unref();
  return watcher;
}
