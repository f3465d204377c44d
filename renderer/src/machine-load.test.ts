import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../shared/events';
import { describeLoad, machineBusy, MachineLoadMeter } from './machine-load';

const sample = (load1: number | null, othersCpu: number | null) =>
  makeFrame({
    seq: 1,
    at: 0,
    runId: 1,
    events: [{ type: 'sample', at: 0, workers: [], machine: { load1, othersCpu } }],
  });

describe('MachineLoadMeter', () => {
  it('averages what other programs used during a run, and says when that was a lot', () => {
    const meter = new MachineLoadMeter();
    meter.observe(sample(3, 100));
    meter.observe(sample(5, 140));
    meter.observe(makeFrame({ seq: 2, at: 0, runId: 1 }));
    const load = meter.read();
    expect(load).toMatchObject({ samples: 2, load1Mean: 4, load1Max: 5, othersCpuMean: 120, othersCpuMax: 140 });
    expect(machineBusy(load)).toBe(true);
    expect(describeLoad(load, 2)).toBe('other programs used 1.2 of the 2 cores (load average 4.0)');
  });

  it('calls a quiet machine quiet, and says nothing where nothing was measured', () => {
    const meter = new MachineLoadMeter();
    meter.observe(sample(0.2, 3));
    expect(machineBusy(meter.read())).toBe(false);
    meter.reset();
    expect(meter.read().samples).toBe(0);
    expect(describeLoad(meter.read(), 2)).toBeNull();
    meter.observe(sample(null, null));
    expect(describeLoad(meter.read(), 2)).toBeNull();
  });
});
