import { app, type BrowserWindow } from 'electron';

/**
 * One Poolscope at a time: a second launch focuses the first one's window and
 * quits. Returns false in the second instance, which must not go on starting.
 */
export function setupSingleInstance(getWindow: () => BrowserWindow | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  return true;
}
