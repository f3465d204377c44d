import { ensureBuilt } from './build';

/** Tests fork the real worker bundle, so build it first. */
export default function setup(): void {
  ensureBuilt('worker');
}
