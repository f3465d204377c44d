import { describe, expect, it } from 'vitest';
import { cellRect, inboxSlots, poolLayout, resultsGrid, type LaneSlot, type Rect } from './layout';
import { cellText } from './paint-results';

const lanes = (n: number): LaneSlot[] =>
  Array.from({ length: n }, (_, i) => ({ worker: 500 + i, number: i + 1, alpha: 1 }));

const inside = (r: Rect, area: Rect) =>
  r.x >= area.x - 1e-6 &&
  r.y >= area.y - 1e-6 &&
  r.x + r.w <= area.x + area.w + 1e-6 &&
  r.y + r.h <= area.y + area.h + 1e-6;
const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + b.w - 1e-6 && b.x < a.x + a.w - 1e-6 && a.y < b.y + b.h - 1e-6 && b.y < a.y + a.h - 1e-6;

function expectDisjoint(rects: Rect[]): void {
  for (let i = 0; i < rects.length; i++)
    for (let j = i + 1; j < rects.length; j++)
      if (overlap(rects[i], rects[j])) expect.fail(`rect ${i} overlaps rect ${j}`);
}

// The pool canvas at the two sizes the app must fit, as measured in the browser: 1280×800 and 1920×1080 windows.
const SMALL = { width: 590, height: 320 };
const LARGE = { width: 1134, height: 463 };

describe('poolLayout', () => {
  it('at 1280×800, places 8 worker cards, 2 cores and 40 results without overlap, inside the canvas', () => {
    const layout = poolLayout({ ...SMALL, lanes: lanes(8), cores: 2, tasks: 40 });
    const canvas = { x: 0, y: 0, w: SMALL.width, h: SMALL.height };
    const { queue, workers, cores, results } = layout;
    expect(cores).not.toBeNull();
    for (const area of [queue.area, workers.area, cores!.area, results.area]) expect(inside(area, canvas)).toBe(true);
    expectDisjoint([queue.area, workers.area, cores!.area, results.area]);

    expect(workers.mode).toBe('cards');
    expect(workers.cards).toHaveLength(8);
    for (const card of workers.cards) {
      expect(inside(card.rect, workers.area)).toBe(true);
      expect(inside(card.current, card.rect)).toBe(true);
      // Room for "W100" before the task box, and an inbox after it.
      expect(card.current.x - card.name.x).toBeGreaterThanOrEqual(32);
      expect(card.inbox.right).toBeGreaterThan(card.inbox.x);
      expect(card.rect.h).toBeGreaterThanOrEqual(16);
    }
    expectDisjoint(workers.cards.map((c) => c.rect));

    expect(cores!.boxes).toHaveLength(2);
    for (const box of [...cores!.boxes, cores!.waiting]) expect(inside(box, cores!.area)).toBe(true);
    expectDisjoint([...cores!.boxes, cores!.waiting]);
    expect(cores!.waiting.w).toBeGreaterThanOrEqual(120);

    const { grid } = results;
    expect(grid.per).toBe(1);
    expect(grid.cells).toBe(40);
    const cells = Array.from({ length: grid.cells }, (_, c) => cellRect(grid, c));
    for (const cell of cells) expect(inside(cell, results.area)).toBe(true);
    expectDisjoint(cells);
    // Big enough to write a value in.
    expect(grid.side).toBeGreaterThanOrEqual(20);
    for (const box of queue.boxes) expect(inside(box, queue.area)).toBe(true);
  });

  it('is frozen: painters can read it but never write it', () => {
    const layout = poolLayout({ ...SMALL, lanes: lanes(2), cores: 2, tasks: 10 });
    expect(Object.isFrozen(layout)).toBe(true);
    expect(Object.isFrozen(layout.workers.cards[0].rect)).toBe(true);
    expect(Object.isFrozen(layout.results.grid)).toBe(true);
    expect(() => {
      (layout.workers.cards[0].inbox as { x: number }).x = 1;
    }).toThrow();
  });

  for (const [name, size] of [
    ['1280×800', SMALL],
    ['1920×1080', LARGE],
  ] as const) {
    it(`at ${name}, fits 1,000 workers as tiles and 1,000,000 results in buckets`, () => {
      const layout = poolLayout({ ...size, lanes: lanes(1000), cores: 64, tasks: 1_000_000 });
      const { workers, results, cores } = layout;
      expect(workers.mode).toBe('tiles');
      expect(workers.tiles).toHaveLength(1000);
      for (const tile of workers.tiles) {
        expect(inside(tile.rect, workers.area)).toBe(true);
        expect(tile.rect.w).toBeGreaterThanOrEqual(2);
      }
      expectDisjoint(workers.tiles.map((t) => t.rect));

      const { grid } = results;
      expect(grid.per).toBeGreaterThan(1);
      expect(grid.cells * grid.per).toBeGreaterThanOrEqual(1_000_000);
      expect(grid.side).toBeGreaterThanOrEqual(5);
      expect(inside(cellRect(grid, 0), results.area)).toBe(true);
      expect(inside(cellRect(grid, grid.cells - 1), results.area)).toBe(true);

      expect(cores!.boxes).toHaveLength(64);
      for (const box of cores!.boxes) expect(inside(box, cores!.area)).toBe(true);
      expectDisjoint([...cores!.boxes, cores!.waiting]);
    });
  }

  it('switches from cards to tiles only when cards would be too short to read', () => {
    expect(poolLayout({ ...LARGE, lanes: lanes(16), cores: 2, tasks: 10 }).workers.mode).toBe('cards');
    expect(poolLayout({ ...SMALL, lanes: lanes(64), cores: 2, tasks: 10 }).workers.mode).toBe('tiles');
  });

  it('shows as much of an inbox as fits and lands flights at its end', () => {
    const card = poolLayout({ ...SMALL, lanes: lanes(2), cores: 2, tasks: 10 }).workers.cards[0];
    const few = inboxSlots(card, 3);
    expect(few.shown).toBe(3);
    const many = inboxSlots(card, 10_000);
    expect(many.shown).toBeLessThan(10_000);
    expect(many.end.x).toBeLessThanOrEqual(card.inbox.right);
    expect(many.end.x).toBeGreaterThan(card.inbox.x);
  });

  it('has no grid before a run', () => {
    expect(resultsGrid(0, { x: 0, y: 0, w: 100, h: 100 }).cells).toBe(0);
  });
});

describe('cellText', () => {
  // A monospace font: 0.6 em a character.
  const measure = (text: string, px: number) => text.length * px * 0.6;

  it('writes four-digit results in a small cell, smaller rather than not at all', () => {
    const text = cellText('9801', 26, measure);
    expect(text?.text).toBe('9801');
    expect(text!.px).toBeGreaterThanOrEqual(7.5);
    expect(measure(text!.text, text!.px)).toBeLessThanOrEqual(20 + 1e-9);
  });

  it('falls back to compact numbers, and to nothing where nothing readable fits', () => {
    expect(cellText('123456789', 26, measure)?.text).toBe('123M');
    // The whole value at the usual size when it fits, never a squeezed one beside compact neighbours.
    expect(cellText('57988601', 60, measure)).toEqual({ text: '57988601', px: 11 });
    expect(cellText('57988601', 40, measure)?.text).toBe('58M');
    expect(cellText('81', 40, measure)).toEqual({ text: '81', px: 11 });
    expect(cellText('None', 8, measure)).toBeNull();
  });
});
