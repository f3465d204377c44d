import { describe, expect, it } from 'vitest';
import { parseProcStat, parseRss, ProcSampler } from './sampler';

describe('parseProcStat', () => {
  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    // Field 2 is "(we (ird) name)"; utime=14 → 7, stime=15 → 5, processor=39 → 1.
    const rest = [
      'S',
      ...Array.from({ length: 10 }, (_, i) => String(i + 4)),
      '7',
      '5',
      ...Array.from({ length: 23 }, () => '0'),
      '1',
      '0',
    ];
    const stat = `1234 (we (ird) name) ${rest.join(' ')}`;
    expect(parseProcStat(stat)).toEqual({ cpuTicks: 12, core: 1 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRss('Name:\tnode\nVmRSS:\t   51200 kB\n')).toBe(51200 * 1024);
    expect(parseRss('Name:\tnode\n')).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('ProcSampler', () => {
  it('samples this very process and skips pids that do not exist', async () => {
    const sampler = new ProcSampler();
    await sampler.sample([{ worker: 1, pid: process.pid }]);
    const until = Date.now() + 60;
    while (Date.now() < until); // burn CPU so the second sample sees some
    const [sample, ...rest] = await sampler.sample([
      { worker: 1, pid: process.pid },
      { worker: 2, pid: 2 ** 22 + 12345 },
    ]);
    expect(rest).toEqual([]);
    expect(sample.worker).toBe(1);
    expect(sample.cpu).toBeGreaterThan(20);
    expect(sample.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample.core).toBeGreaterThanOrEqual(0);
  });
});
