/**
 * The application menu. The pool shortcuts are shown with their keys, but the
 * bare keys (Space, Esc, +, −) are never menu accelerators that fire: they would
 * be taken from focused controls (Space presses a button, Esc closes a popover,
 * − is typed in a field). On Linux/Windows they are displayed but not registered;
 * macOS offers no such option (an unhandled key would reach the menu as well), so
 * there the key is only named in the label. Clicking an item acts on the pool
 * here; the page handles the keys itself where focus allows.
 */
import { app, Menu, nativeTheme, type MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../../shared/api';
import type { PoolShortcuts } from './pool-shortcuts';

export interface MenuOptions {
  shortcuts: PoolShortcuts;
  /** Hands an action to the page: the run's settings and recorded tasks live there. */
  toPage: (action: MenuAction) => void;
  /** Adds Reload and the developer tools. */
  dev: boolean;
}

const THEMES = [
  { label: 'System', source: 'system' },
  { label: 'Light', source: 'light' },
  { label: 'Dark', source: 'dark' },
] as const;

export function setupMenu({ shortcuts, toPage, dev }: MenuOptions): void {
  const isMac = process.platform === 'darwin';
  const poolItem = (label: string, key: string, keyName: string, click: () => unknown): MenuItemConstructorOptions =>
    isMac ? { label: `${label} (${keyName})`, click } : { label, accelerator: key, registerAccelerator: false, click };
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Import Trace…', accelerator: 'CmdOrCtrl+O', click: () => toPage('import-trace') },
        { type: 'separator' },
        { label: 'Export Trace…', accelerator: 'CmdOrCtrl+E', click: () => toPage('export-trace') },
        { label: 'Export Tasks as CSV…', click: () => toPage('export-csv') },
        { label: 'Export View as PNG…', click: () => toPage('export-png') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Pool',
      submenu: [
        { label: 'Run', accelerator: 'CmdOrCtrl+Enter', click: () => toPage('run') },
        poolItem('Pause / Resume Submission', 'Space', 'Space', () => shortcuts.togglePause()),
        poolItem('Cancel Run', 'Escape', 'Esc', () => shortcuts.cancel()),
        { type: 'separator' },
        poolItem('Add a Worker', 'Plus', '+', () => shortcuts.grow()),
        poolItem('Remove a Worker', '-', '−', () => shortcuts.shrink()),
      ],
    },
    {
      label: 'View',
      submenu: [
        {
          label: 'Theme',
          submenu: THEMES.map(({ label, source }) => ({
            label,
            type: 'radio' as const,
            checked: nativeTheme.themeSource === source,
            click: () => (nativeTheme.themeSource = source),
          })),
        },
        { type: 'separator' },
        // Bigger text for projecting in a classroom.
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(dev
          ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]
          : []),
      ],
    },
    ...(isMac ? [{ role: 'windowMenu' } as const] : []),
    {
      role: 'help',
      submenu: [{ label: 'About Poolscope', click: () => app.showAboutPanel() }],
    },
  ];
  app.setAboutPanelOptions({
    applicationName: 'Poolscope',
    applicationVersion: app.getVersion(),
    copyright: 'MIT License',
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
