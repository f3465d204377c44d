/** What the renderer benchmark's page (browser) and runner (Node) agree on. */

export interface PhaseResult {
  /** Main-thread work per displayed frame: frames ingested since the last one plus drawing, ms. */
  work: number[];
  /** Drawing alone, ms. */
  draw: number[];
  /** Intervals between animation frames, ms. */
  intervals: number[];
  /** Tasks ingested per second of wall time (ingest phase) or tasks stored (pan/zoom phase). */
  tasks: number;
  /** One-off costs worth printing (ms). */
  setup: Record<string, number>;
}

/** The page's entry points, on its global object. */
export interface RendererBench {
  /** Frames at 60 Hz carrying `perSecond` settled tasks a second, for `ms`. */
  ingest(perSecond: number, ms: number): Promise<PhaseResult>;
  /** `tasks` stored, then the timeline zoomed and panned every frame for `ms`. */
  panZoom(tasks: number, ms: number): Promise<PhaseResult>;
}

export type BenchGlobal = { rendererBench: RendererBench };
