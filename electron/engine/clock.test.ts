import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { now } from './clock';

describe('now', () => {
  it('agrees with the monotonic clock read directly, to well under a millisecond', () => {
    for (let i = 0; i < 5; i++) {
      const [seconds, nanos] = process.hrtime();
      expect(Math.abs(now() - (seconds * 1e3 + nanos / 1e6))).toBeLessThan(0.2);
    }
  });

  it('is the same axis in another process', () => {
    // The child prints its own now() bracketed by ours: it must fall in between.
    const before = now();
    const child = Number(
      execFileSync(process.execPath, [
        '--import',
        'tsx',
        '-e',
        "import('./electron/engine/clock.ts').then((c) => process.stdout.write(String(c.now())))",
      ]),
    );
    const after = now();
    expect(child).toBeGreaterThan(before);
    expect(child).toBeLessThan(after);
  });
});
