/**
 * The canvases' painters: what each view draws per frame and when it needs to.
 * Plain classes over the pump's store, so the app and the renderer benchmark
 * drive exactly the same code.
 */
import type { Pump } from '../pump';
import type { Painter } from './canvas';
import { drawPool } from './pool/paint';
import { PoolModel, placeOnCores, type Placed } from './pool/model';
import { theme } from './theme';
import { axisTicks, describeRows, drawTimeline, timelineLayout, type TimelineScene } from './timeline';
import { TimelineCamera } from './timeline-camera';
import { TimelineIndex } from './timeline-index';

export class PoolPainter implements Painter {
  private cores = 0;
  private coresNote: string | null = null;
  private readonly model = new PoolModel();
  private version = -1;

  constructor(private readonly pump: Pump) {}

  /** `coresNote` says why the cores view shows no placement (null to show it). */
  configure(cores: number, coreSampling: boolean, coresNote: string | null = null): void {
    this.cores = cores;
    this.coresNote = coreSampling
      ? coresNote
      : (coresNote ?? 'Which core each worker runs on is not measured on this platform.');
    this.version = -1;
  }

  dirty(): boolean {
    return this.pump.store.version !== this.version;
  }

  paint(ctx: CanvasRenderingContext2D, width: number, height: number, time: number): boolean {
    const { store, flights } = this.pump;
    this.version = store.version;
    const { moving } = drawPool(ctx, {
      store,
      model: this.model,
      flights,
      theme: theme(),
      width,
      height,
      time,
      now: this.pump.hostClock(),
      cores: this.cores,
      coresNote: this.coresNote,
      machine: this.pump.latestMachine,
    });
    this.describe(ctx.canvas);
    return moving;
  }

  /** Where each live worker is, for tests and assistive tech: on a core, waiting for one, or stuck; and how busy each core was. */
  private describe(canvas: HTMLCanvasElement): void {
    if (this.coresNote !== null) canvas.dataset.coresNote = this.coresNote;
    else delete canvas.dataset.coresNote;
    if (this.coresNote !== null || this.cores <= 0) {
      delete canvas.dataset.cores;
      return;
    }
    const placement = placeOnCores(this.pump.store.lanes.values(), this.cores);
    const name = (p: Placed) => `W${p.number}`;
    canvas.dataset.cores = JSON.stringify({
      onCore: placement.onCore.map((here) => here.map(name)),
      waiting: placement.waiting.map((p) => `${name(p)} ${Math.round(p.waitingPct ?? 0)}%`),
      stuck: [...placement.onCore.flat(), ...placement.unplaced]
        .filter((p) => p.stuck)
        .map((p) => `${name(p)} ${p.stuck?.state}`),
      unplaced: placement.unplaced.map(name),
      busy: this.pump.latestMachine?.coresBusy?.map(Math.round) ?? null,
    });
  }
}

export class TimelinePainter implements Painter {
  readonly camera = new TimelineCamera();
  readonly index = new TimelineIndex();
  /** The scene last painted: what pointer events hit-test against. */
  scene: TimelineScene | null = null;
  private highlight: number | null = null;
  private seen = { store: -1, camera: -1, highlight: null as number | null };
  private runId: number | null = null;
  private labelled = 0;

  /** `onRunChange` hears when a new run resets the view to fit (React shows the "live" state). */
  constructor(
    private readonly pump: Pump,
    private readonly onRunChange: () => void = () => {},
  ) {}

  setHighlight(task: number | null): void {
    this.highlight = task;
  }

  nowRel(): number {
    const run = this.pump.store.run;
    return run ? this.pump.hostNow() - run.startedAt : 0;
  }

  dirty(): boolean {
    const seen = this.seen;
    return (
      seen.store !== this.pump.store.version || seen.camera !== this.camera.version || seen.highlight !== this.highlight
    );
  }

  paint(ctx: CanvasRenderingContext2D, width: number, height: number, time: number): boolean {
    const store = this.pump.store;
    const runId = store.run?.runId ?? null;
    if (runId !== this.runId) {
      // Each run starts fitted to its whole length.
      this.runId = runId;
      this.camera.fit();
      this.onRunChange();
    }
    this.seen = { store: store.version, camera: this.camera.version, highlight: this.highlight };
    this.index.update(store);
    const now = this.nowRel();
    // Before any run, and while one goes on, the fitted view spans at least a second.
    this.camera.live = !store.run || store.run.finishedAt === null;
    const range = this.camera.range(now);
    const scene: TimelineScene = {
      store,
      index: this.index,
      theme: theme(),
      width,
      height,
      range,
      origin: store.run?.startedAt ?? 0,
      now: this.pump.hostNow(),
      highlight: this.highlight,
    };
    this.scene = scene;
    drawTimeline(ctx, scene);
    this.describe(ctx.canvas, scene, time);
    // While a run goes on, "now" moves: keep painting as long as it is in view.
    return store.run?.finishedAt === null && range.t1 >= now - (range.t1 - range.t0) * 0.05;
  }

  /** Exposes the visible range and row geometry to tests and assistive tech. */
  private describe(canvas: HTMLCanvasElement, scene: TimelineScene, time: number): void {
    const layout = timelineLayout(scene);
    const data = canvas.dataset;
    data.t0 = scene.range.t0.toFixed(3);
    data.t1 = scene.range.t1.toFixed(3);
    data.rows = String(scene.index.rows.length);
    data.rowTop = String(layout.top);
    data.rowHeight = layout.rowH.toFixed(2);
    data.plotX = String(layout.plotX);
    data.mode = this.camera.mode;
    data.ticks = axisTicks(scene.range, layout.plotW).join('|');
    data.segments = JSON.stringify(describeRows(scene.store, scene.index, scene.origin, scene.now));
    if (time - this.labelled > 500) {
      this.labelled = time;
      canvas.setAttribute(
        'aria-description',
        `${(scene.range.t0 / 1000).toFixed(2)} s to ${(scene.range.t1 / 1000).toFixed(2)} s, ${scene.index.rows.length} worker rows`,
      );
    }
  }
}
