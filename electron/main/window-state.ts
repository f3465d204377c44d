/**
 * The main window's size and position, remembered between launches in a small
 * JSON file. The file is untrusted input (hand edits, another version, a display
 * that is gone): it is validated on read and the bounds are clamped to a display
 * that exists now. No Electron here; the caller passes the displays' work areas.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent: let the window manager place it (centred). */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };
export const MIN_WINDOW_SIZE = { width: 800, height: 560 } as const;
/** At least this much of the window (title bar included) must be on a display to keep its position. */
const MIN_VISIBLE_PX = 64;

const coordinate = z.number().int().min(-100_000).max(100_000);
const windowStateSchema = z.object({
  x: coordinate.optional(),
  y: coordinate.optional(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false),
});

/** The state in a file's text, or null when it is not a valid state. */
export function parseWindowState(text: string): WindowState | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = windowStateSchema.safeParse(json);
  if (!parsed.success) return null;
  const { x, y, width, height, maximized } = parsed.data;
  // A position needs both coordinates.
  return x !== undefined && y !== undefined ? { x, y, width, height, maximized } : { width, height, maximized };
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Fits a state to the displays present now: the size is clamped to the largest
 * work area (and the minimum size); a position that would leave the window
 * (almost) off every display is dropped, so the window opens centred.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rect[]): WindowState {
  if (workAreas.length === 0) return state;
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const width = Math.max(Math.min(state.width, maxWidth), Math.min(MIN_WINDOW_SIZE.width, maxWidth));
  const height = Math.max(Math.min(state.height, maxHeight), Math.min(MIN_WINDOW_SIZE.height, maxHeight));
  const sized: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return sized;
  const rect = { x: state.x, y: state.y, width, height };
  const visible = workAreas.some((area) => {
    const o = overlap(rect, area);
    // The top edge (where the title bar is) must be inside the display, or the window cannot be dragged back.
    return o.width >= MIN_VISIBLE_PX && o.height >= MIN_VISIBLE_PX && rect.y >= area.y && rect.y < area.y + area.height;
  });
  return visible ? { ...sized, x: state.x, y: state.y } : sized;
}

/** Reads the saved state; the default when there is none or it is invalid. */
export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fitToDisplays(DEFAULT_WINDOW_STATE, workAreas);
  }
  return fitToDisplays(parseWindowState(text) ?? DEFAULT_WINDOW_STATE, workAreas);
}

/** Writes the state atomically (a torn file would only be discarded, but why lose it). Never throws. */
export function saveWindowState(file: string, bounds: Rect, maximized: boolean): void {
  const state: WindowState = {
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    maximized,
  };
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
    renameSync(`${file}.tmp`, file);
  } catch {
    // Remembering the window is a nicety; failing to must not break quitting.
  }
}
