import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

/** A stand-in for the focused element: `closest` matches when the selector list names what it is. */
const focused = (...what: string[]) => ({
  closest: (selector: string) => (selector.split(', ').some((s) => what.includes(s)) ? {} : null),
});
const body = focused('body');

const key = (key: string, more: Partial<KeyboardEvent> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  repeat: false,
  defaultPrevented: false,
  isComposing: false,
  ...more,
});

describe('shortcutFor', () => {
  it('maps the bare keys when the page itself has focus', () => {
    expect(shortcutFor(key(' '), body)).toBe('toggle');
    expect(shortcutFor(key('Escape'), body)).toBe('cancel');
    expect(shortcutFor(key('+'), body)).toBe('grow');
    expect(shortcutFor(key('='), body)).toBe('grow');
    expect(shortcutFor(key('-'), body)).toBe('shrink');
    expect(shortcutFor(key('x'), body)).toBeNull();
    expect(shortcutFor(key(' '), null)).toBe('toggle');
  });

  it('leaves every key to text fields', () => {
    for (const field of ['input', 'textarea', 'select']) {
      for (const k of [' ', 'Escape', '+', '-']) expect(shortcutFor(key(k), focused(field))).toBeNull();
    }
  });

  it('leaves Space to what it presses or steps, and Esc to what it closes', () => {
    for (const owner of ['button', '[role="slider"]', '[role="radio"]', '[role="switch"]', 'a[href]']) {
      expect(shortcutFor(key(' '), focused(owner))).toBeNull();
      expect(shortcutFor(key('Escape'), focused(owner))).toBe('cancel');
    }
    expect(shortcutFor(key('Escape'), focused('[role="application"]'))).toBeNull();
    expect(shortcutFor(key('Escape'), focused('[role="menu"]'))).toBeNull();
    // The timeline takes Space for nothing: it still runs.
    expect(shortcutFor(key(' '), focused('[role="application"]'))).toBe('toggle');
    // + on a slider has no meaning of its own.
    expect(shortcutFor(key('+'), focused('[role="slider"]'))).toBe('grow');
  });

  it('ignores keys already handled, held Space, and other modifiers', () => {
    expect(shortcutFor(key('+', { defaultPrevented: true }), body)).toBeNull();
    expect(shortcutFor(key(' ', { repeat: true }), body)).toBeNull();
    expect(shortcutFor(key(' ', { altKey: true }), body)).toBeNull();
    expect(shortcutFor(key('Escape', { isComposing: true }), body)).toBeNull();
    // Ctrl/⌘ + − is the browser's zoom, not the pool's.
    expect(shortcutFor(key('-', { ctrlKey: true }), body)).toBeNull();
  });

  it('maps Ctrl/⌘ + Enter, O and E anywhere, text fields included', () => {
    expect(shortcutFor(key('Enter', { ctrlKey: true }), focused('input'))).toBe('run');
    expect(shortcutFor(key('Enter', { metaKey: true }), body)).toBe('run');
    expect(shortcutFor(key('o', { ctrlKey: true }), body)).toBe('import-trace');
    expect(shortcutFor(key('E', { metaKey: true }), focused('input'))).toBe('export-trace');
    expect(shortcutFor(key('Enter'), body)).toBeNull();
  });
});
