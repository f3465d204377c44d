/**
 * The main window: sandboxed, context-isolated, no Node in the page, shown when
 * its first paint is ready, and opened where it was last closed.
 */
import { BrowserWindow, nativeTheme, screen } from 'electron';
import { setupNavigationGuards } from './security';
import { loadWindowState, MIN_WINDOW_SIZE, saveWindowState } from './window-state';

export interface MainWindowOptions {
  /** The built preload (out/preload/index.cjs). */
  preload: string;
  /** Where the window's bounds are remembered (in userData). */
  stateFile: string;
}

export function setupMainWindow({ preload, stateFile }: MainWindowOptions): BrowserWindow {
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Poolscope',
    show: false,
    // Matches the page's first paint, so showing the window does not flash.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#111418' : '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => {
    if (state.maximized) window.maximize();
    window.show();
  });
  window.on('close', () => saveWindowState(stateFile, window.getNormalBounds(), window.isMaximized()));
  setupNavigationGuards(window.webContents);
  return window;
}
