import { app } from 'electron';
import type { Hub } from '../engine/hub';
import { closeWithin } from './shutdown';
import type { UtilityLauncher } from './utility-launcher';

/** Busy workers ignore the stop message; this is when the pool kills them. */
const STOP_GRACE_MS = 500;
/** Within the 2 s promise, with room for the kill to land. */
const QUIT_DEADLINE_MS = 1500;

/**
 * Quitting waits (once) for the hub (its pool, a running Python program) to close, so no worker outlives the app.
 * Closing the last window quits, on every platform: the pool is the window's.
 */
export function setupQuit(hub: Pick<Hub, 'close'>, launcher: UtilityLauncher): void {
  let phase: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'closed') return;
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    void closeWithin(
      (graceMs) => hub.close(graceMs),
      () => launcher.forceKillAll(),
      {
        graceMs: STOP_GRACE_MS,
        deadlineMs: QUIT_DEADLINE_MS,
      },
    ).then(() => {
      phase = 'closed';
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());
  // before-quit is skipped on OS shutdown and app.exit(): still leave no worker behind.
  process.once('exit', () => launcher.forceKillAll());
}
