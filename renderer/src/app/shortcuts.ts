/**
 * Keyboard shortcuts and the desktop app's menu actions, in one place. The bare
 * keys (Space, Esc, +, −) act only when the focused element gives them no
 * meaning of its own: Space presses a focused button, Esc closes a menu or
 * clears the timeline's pin, and anything goes into a text field.
 */
import { useEffect } from 'react';
import type { MenuAction } from '../../../shared/api';
import { ioCommands } from '../io/commands';
import { useApp } from '../store';
import { poolCommands } from './pool-commands';
import { useRuntime } from './runtime';

export type Shortcut = 'run' | 'toggle' | 'cancel' | 'grow' | 'shrink' | 'import-trace' | 'export-trace';

const TYPING = 'input, textarea, select, [contenteditable]:not([contenteditable="false"])';
/** Space presses, toggles or steps these. */
const SPACE_OWNERS =
  'button, a[href], summary, [role="button"], [role="checkbox"], [role="radio"], [role="switch"], [role="slider"], ' +
  '[role="spinbutton"], [role="tab"], [role="option"], [role^="menuitem"]';
/** Escape closes or clears something in these. */
const ESCAPE_OWNERS = '[role="application"], [role="menu"], [role="dialog"], [role="listbox"], [role="tooltip"]';

type KeyInfo = Pick<
  KeyboardEvent,
  'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'repeat' | 'defaultPrevented' | 'isComposing'
>;

/** Which shortcut a key press is, given what has focus; null when the key belongs to the focused element. */
export function shortcutFor(event: KeyInfo, target: Pick<Element, 'closest'> | null): Shortcut | null {
  if (event.defaultPrevented || event.isComposing || event.altKey) return null;
  const within = (selector: string) => target?.closest(selector) != null;
  if (event.ctrlKey || event.metaKey) {
    switch (event.key.toLowerCase()) {
      case 'enter':
        return 'run';
      case 'o':
        return 'import-trace';
      case 'e':
        return 'export-trace';
      default:
        return null;
    }
  }
  if (within(TYPING)) return null;
  switch (event.key) {
    case ' ':
      return event.repeat || within(SPACE_OWNERS) ? null : 'toggle';
    case 'Escape':
      return within(ESCAPE_OWNERS) ? null : 'cancel';
    case '+':
    case '=':
      return 'grow';
    case '-':
      return 'shrink';
    default:
      return null;
  }
}

/** Binds the shortcuts and menu actions for the app's lifetime; mount once. */
export function useShortcuts(): void {
  const runtime = useRuntime();
  useEffect(() => {
    const pool = poolCommands(runtime.api);
    const io = ioCommands(runtime);
    const liveRunning = () => useApp.getState().liveRun.status === 'running';
    const run = () => {
      if (liveRunning()) return false;
      // Asking for a run while replaying means: back to the live pool, and run.
      useApp.getState().leaveReplay();
      pool.run();
      return true;
    };
    /** Returns whether it acted, so a key that did nothing keeps its default. */
    const act = (action: Shortcut | MenuAction): boolean => {
      const { replay, teachBusy } = useApp.getState();
      // A scenario, compare or sweep drives the pool itself; the pool keys must not cut in.
      const poolKey =
        action === 'run' || action === 'toggle' || action === 'cancel' || action === 'grow' || action === 'shrink';
      if (teachBusy && poolKey) return false;
      switch (action) {
        case 'run':
          return run();
        case 'toggle':
          if (replay) replay.toggle();
          else if (liveRunning()) pool.togglePause();
          else run();
          return true;
        case 'cancel':
          if (replay || !liveRunning()) return false;
          pool.cancel('kill');
          return true;
        case 'grow':
        case 'shrink':
          if (replay) return false;
          pool.resizeBy(action === 'grow' ? 1 : -1);
          return true;
        case 'import-trace':
          io.pickTrace();
          return true;
        case 'export-trace':
          void io.exportTrace();
          return true;
        case 'export-csv':
          void io.exportCsv();
          return true;
        case 'export-png':
          io.exportPng();
          return true;
      }
    };
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutFor(event, event.target instanceof Element ? event.target : null);
      if (shortcut && act(shortcut)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    const offMenu = runtime.api.onMenu(act);
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu();
    };
  }, [runtime]);
}
