import { ensureBuilt } from './build';

/** Tests fork the real worker bundle and the host tests serve the real renderer: build both first. */
export default function setup(): void {
  ensureBuilt('app');
}
