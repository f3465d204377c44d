import { useEffect, type RefObject } from 'react';
import { attachCanvas, type Painter } from '../draw/canvas';
import type { DrawLoop } from '../draw/loop';

/** The React shell's side of a canvas view: attach on mount, detach on unmount. */
export function useCanvas(ref: RefObject<HTMLCanvasElement | null>, loop: DrawLoop, painter: Painter): void {
  useEffect(() => {
    const canvas = ref.current;
    if (canvas) return attachCanvas(canvas, loop, painter);
  }, [ref, loop, painter]);
}
