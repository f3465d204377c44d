import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  MIN_WINDOW_SIZE,
  parseWindowState,
  saveWindowState,
} from './window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const rightMonitor = { x: 1440, y: 0, width: 2560, height: 1415 };

describe('parseWindowState', () => {
  it('reads a saved state', () => {
    expect(parseWindowState('{"x":10,"y":20,"width":1000,"height":700,"maximized":true}')).toEqual({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      maximized: true,
    });
  });

  it('drops a position with only one coordinate', () => {
    expect(parseWindowState('{"x":10,"width":1000,"height":700}')).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '42'],
    ['a string size', '{"width":"1000","height":700}'],
    ['a fractional size', '{"width":1000.5,"height":700}'],
    ['a zero size', '{"width":0,"height":700}'],
    ['an absurd position', '{"x":1e12,"y":0,"width":1000,"height":700}'],
    ['NaN smuggled as null', '{"x":null,"y":0,"width":1000,"height":700}'],
  ])('refuses %s', (_why, text) => {
    expect(parseWindowState(text)).toBeNull();
  });
});

describe('fitToDisplays', () => {
  it('keeps a window that is on a display', () => {
    const state = { x: 1600, y: 100, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(state, [laptop, rightMonitor])).toEqual(state);
  });

  it('drops the position of a window whose display is gone', () => {
    const state = { x: 1600, y: 100, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(state, [laptop])).toEqual({ width: 1200, height: 800, maximized: false });
  });

  it('drops the position when the title bar is off screen', () => {
    const state = { x: 100, y: -300, width: 1000, height: 700, maximized: false };
    expect(fitToDisplays(state, [laptop]).x).toBeUndefined();
  });

  it('drops the position when only a sliver is visible', () => {
    const state = { x: 1420, y: 100, width: 1000, height: 700, maximized: false };
    expect(fitToDisplays(state, [laptop]).x).toBeUndefined();
  });

  it('shrinks a window larger than every display, and grows one below the minimum', () => {
    expect(fitToDisplays({ width: 5000, height: 3000, maximized: false }, [laptop])).toEqual({
      width: 1440,
      height: 875,
      maximized: false,
    });
    expect(fitToDisplays({ width: 100, height: 100, maximized: false }, [laptop])).toEqual({
      ...MIN_WINDOW_SIZE,
      maximized: false,
    });
  });

  it('never exceeds a display smaller than the minimum size', () => {
    const tiny = { x: 0, y: 0, width: 640, height: 480 };
    expect(fitToDisplays({ width: 1000, height: 700, maximized: false }, [tiny])).toMatchObject({
      width: 640,
      height: 480,
    });
  });
});

describe('loadWindowState / saveWindowState', () => {
  const dirs: string[] = [];
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'poolscope-window-'));
    dirs.push(dir);
    return join(dir, 'nested', 'window-state.json');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips through the file', () => {
    const file = tempFile();
    saveWindowState(file, { x: 40.4, y: 60, width: 1100, height: 720.6 }, true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 40, y: 60, width: 1100, height: 721, maximized: true });
    expect(loadWindowState(file, [laptop])).toEqual({ x: 40, y: 60, width: 1100, height: 721, maximized: true });
  });

  it('falls back to the default for a missing or corrupt file', () => {
    const file = tempFile();
    expect(loadWindowState(file, [rightMonitor])).toEqual(DEFAULT_WINDOW_STATE);
    saveWindowState(file, { x: 0, y: 0, width: 1000, height: 700 }, false);
    writeFileSync(file, '{"width": -1}');
    expect(loadWindowState(file, [rightMonitor])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('does not throw when the file cannot be written', () => {
    const file = tempFile();
    saveWindowState(file, laptop, false);
    // A path below a regular file cannot be created.
    expect(() => saveWindowState(join(file, 'below', 'window-state.json'), laptop, false)).not.toThrow();
  });
});
