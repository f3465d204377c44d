/**
 * How busy the machine was beside the pool during a run, from the samples'
 * `machine` field: what makes a measurement noisy, said beside the figures
 * instead of leaving a user to wonder why two runs of the same work differ.
 */
import type { Frame } from '../../shared/events';
import { formatCount } from '../../shared/format';

export interface MachineLoad {
  /** Samples that carried machine figures. */
  samples: number;
  /** Mean and peak of the 1-minute load average. */
  load1Mean: number | null;
  load1Max: number | null;
  /** Mean and peak CPU of everything but the pool's workers, % of one core. */
  othersCpuMean: number | null;
  othersCpuMax: number | null;
}

export const NO_LOAD: MachineLoad = {
  samples: 0,
  load1Mean: null,
  load1Max: null,
  othersCpuMean: null,
  othersCpuMax: null,
};

/** Other programs using this much of a core on average make a run's figures unreliable. */
export const BUSY_OTHERS_CPU = 25;

/** Sums a run's machine samples; cheap per frame (samples come a few times a second). */
export class MachineLoadMeter {
  private n = 0;
  private loads = 0;
  private loadSum = 0;
  private loadMax = -Infinity;
  private others = 0;
  private othersSum = 0;
  private othersMax = -Infinity;

  reset(): void {
    this.n = this.loads = this.loadSum = this.others = this.othersSum = 0;
    this.loadMax = this.othersMax = -Infinity;
  }

  observe(frame: Frame): void {
    for (const event of frame.events) {
      if (event.type !== 'sample' || !event.machine) continue;
      const { load1, othersCpu } = event.machine;
      this.n++;
      if (load1 !== null && Number.isFinite(load1)) {
        this.loads++;
        this.loadSum += load1;
        this.loadMax = Math.max(this.loadMax, load1);
      }
      if (othersCpu !== null && Number.isFinite(othersCpu)) {
        this.others++;
        this.othersSum += othersCpu;
        this.othersMax = Math.max(this.othersMax, othersCpu);
      }
    }
  }

  read(): MachineLoad {
    return {
      samples: this.n,
      load1Mean: this.loads ? this.loadSum / this.loads : null,
      load1Max: this.loads ? this.loadMax : null,
      othersCpuMean: this.others ? this.othersSum / this.others : null,
      othersCpuMax: this.others ? this.othersMax : null,
    };
  }
}

/** Whether other programs took enough of the machine to skew a run's figures. */
export function machineBusy(load: MachineLoad | null | undefined): boolean {
  return load?.othersCpuMean != null && load.othersCpuMean >= BUSY_OTHERS_CPU;
}

/** "other programs used 1.2 of the 2 cores (load average 8.0)", or null where nothing was measured. */
export function describeLoad(load: MachineLoad | null | undefined, cores: number): string | null {
  if (!load || load.samples === 0) return null;
  const parts: string[] = [];
  if (load.othersCpuMean !== null) {
    const used = load.othersCpuMean / 100;
    parts.push(
      `other programs used ${used < 0.1 ? 'almost none' : used.toFixed(1)} of the ${formatCount(cores)} cores`,
    );
  }
  if (load.load1Mean !== null) parts.push(`load average ${load.load1Mean.toFixed(1)}`);
  if (parts.length === 0) return null;
  return parts.length === 2 ? `${parts[0]} (${parts[1]})` : parts[0];
}

/**
 * Measures the machine during each run of a job (a comparison, a sweep): fed the
 * host's frames while it is attached; `runStarted` opens a run's measurement and
 * `runFinished` closes it and returns it.
 */
export class JobMachineMeter {
  private readonly meter = new MachineLoadMeter();
  private runId: number | null = null;

  /** The listener to give the API's onFrame. */
  readonly onFrame = (frame: Frame): void => {
    if (this.runId !== null && frame.runId === this.runId) this.meter.observe(frame);
  };

  runStarted(runId: number): void {
    this.runId = runId;
    this.meter.reset();
  }

  runFinished(): { runId: number; load: MachineLoad } | null {
    if (this.runId === null) return null;
    const finished = { runId: this.runId, load: this.meter.read() };
    this.runId = null;
    return finished;
  }
}
