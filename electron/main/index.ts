/**
 * Electron main: the window, its security, the bridge, and the pool of utility
 * processes. Each feature is a setupX() in its own module, called in order.
 */
import { join } from 'node:path';
import { app, dialog, session, utilityProcess, type BrowserWindow, type OpenDialogOptions } from 'electron';
import { createCommandHandler, hubHandlers } from '../engine/controller';
import { Hub } from '../engine/hub';
import { platformSampler } from '../engine/sampler';
import { registerAppScheme, setupAppProtocol } from './app-protocol';
import { setupBridge } from './bridge';
import type { MenuAction } from '../../shared/api';
import { CHANNELS } from '../preload/channels';
import { setupMenu } from './menu';
import { AppMetricsSampler } from './metrics';
import { builtPaths } from './paths';
import { PoolShortcuts } from './pool-shortcuts';
import { setupQuit } from './quit';
import { setupSessionSecurity } from './security';
import { setupSingleInstance } from './single-instance';
import { APP_INDEX_URL, ownOrigins } from './urls';
import { createUtilityLauncher } from './utility-launcher';
import { setupMainWindow } from './window';

let mainWindow: BrowserWindow | null = null;

// Both must happen before `ready`.
registerAppScheme();
if (setupSingleInstance(() => mainWindow)) {
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('poolscope: could not start', error);
      app.exit(1);
    });
}

function start(): void {
  // electron-vite sets the dev server's URL in development only; a packaged app never trusts it.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const origins = ownOrigins(devServerUrl);
  const paths = builtPaths(__dirname);

  setupSessionSecurity(session.defaultSession, devServerUrl);
  setupAppProtocol(paths.renderer);

  const launcher = createUtilityLauncher(
    (entry, args, options) => utilityProcess.fork(entry, args, options),
    (listener) => app.on('child-process-gone', (_event, details) => listener(details)),
  );
  const sampler = new AppMetricsSampler(platformSampler(), () => app.getAppMetrics());
  const hub = new Hub({ launcher, workerEntry: paths.worker, pythonDir: paths.python, sampler });
  setupQuit(hub, launcher);

  const shortcuts = new PoolShortcuts(hub);
  hub.onFrame((frame) => shortcuts.observe(frame));
  const toPage = (action: MenuAction) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(CHANNELS.menu, action);
  };
  setupMenu({ shortcuts, toPage, dev: devServerUrl !== undefined });

  const window = setupMainWindow({
    preload: paths.preload,
    stateFile: join(app.getPath('userData'), 'window-state.json'),
  });
  mainWindow = window;
  window.once('closed', () => (mainWindow = null));
  setupBridge({
    window,
    handler: createCommandHandler({
      ...hubHandlers(hub, 'electron'),
      // The main process opens the dialog; the page only learns the path the user chose.
      choosePythonScript: async () => {
        const options: OpenDialogOptions = {
          title: 'Run a Python program',
          properties: ['openFile'],
          filters: [
            { name: 'Python', extensions: ['py'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const chosen = await (mainWindow ? dialog.showOpenDialog(mainWindow, options) : dialog.showOpenDialog(options));
        return { path: chosen.canceled ? null : (chosen.filePaths[0] ?? null) };
      },
    }),
    subscribe: (listener) => hub.onFrame(listener),
    origins,
  });
  window.loadURL(devServerUrl ?? APP_INDEX_URL).catch((error: unknown) => {
    console.error('poolscope: could not load the renderer', error);
  });
}
