/**
 * The small live charts' data: one point per publish (≤ 10 Hz), kept outside
 * React. Long runs are thinned by halving, so the arrays stay small and the
 * charts still span the whole run.
 */
const MAX_POINTS = 600;

export class LiveSeries {
  /** Seconds since the run started. */
  t: number[] = [];
  throughput: number[] = [];
  /** Share of live workers holding work, 0…100. */
  busy: number[] = [];
  /** CPU the workers used, % of the machine (null where nothing was sampled). */
  cpu: (number | null)[] = [];
  version = 0;
  private lastSettled = 0;
  private lastT = 0;

  reset(): void {
    this.t = [];
    this.throughput = [];
    this.busy = [];
    this.cpu = [];
    this.lastSettled = 0;
    this.lastT = 0;
    this.version++;
  }

  add(t: number, settled: number, busy: number, cpu: number | null): void {
    const dt = t - this.lastT;
    // Rates over less than 50 ms are noise.
    if (this.t.length > 0 && dt < 0.05) return;
    const rate = dt > 0 ? (settled - this.lastSettled) / dt : 0;
    this.lastSettled = settled;
    this.lastT = t;
    this.t.push(t);
    this.throughput.push(Math.max(0, rate));
    this.busy.push(busy);
    this.cpu.push(cpu);
    if (this.t.length > MAX_POINTS) {
      const half = <T>(xs: T[]) => xs.filter((_, i) => i % 2 === 0);
      this.t = half(this.t);
      this.throughput = half(this.throughput);
      this.busy = half(this.busy);
      this.cpu = half(this.cpu);
    }
    this.version++;
  }
}
