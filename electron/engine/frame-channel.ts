/**
 * Carries frames to one receiver (a browser tab, the app's window) and keeps
 * the engine and every other receiver safe from a slow one. The receiver acks
 * each frame it has taken in; at most `maxInFlightBytes` go unacked, later
 * frames wait here (O(1) each: encoded once, held by reference), and past
 * `maxHeldBytes` the waiting ones are dropped and the receiver gets a fresh
 * catch-up frame marked `resync` once it is ready again — it says how many
 * frames it missed instead of the host holding them forever. Each `open`
 * (a page's ready, a reload) subscribes afresh, so each document starts from
 * the catch-up frame that describes the present.
 */
import { encodeFrame } from '../../shared/frame-codec';
import type { Frame } from '../../shared/events';

export interface FrameReceiver {
  /** Sends one encoded frame. */
  send(bytes: Uint8Array): void;
}

export interface FrameChannelOptions {
  /** Subscribes to the engine's frames; the first frame a listener gets is the catch-up frame. */
  subscribe(listener: (frame: Frame) => void): () => void;
  /** Unacked bytes allowed before frames wait (default 4 MiB). */
  maxInFlightBytes?: number;
  /** Waiting bytes allowed before they are dropped for a resync (default 64 MiB). */
  maxHeldBytes?: number;
  /** No ack for this long while frames are unacked: the receiver is stuck (default 30 s). */
  stallTimeoutMs?: number;
  /** Told once when the receiver is stuck; the owner usually drops it. */
  onStall?(why: string): void;
}

interface Sent {
  seq: number;
  bytes: number;
}

/** Every receiver of a frame gets the same bytes: encode once per frame, not once per receiver. */
let lastFrame: Frame | null = null;
let lastBytes: Uint8Array = new Uint8Array(0);
export function encodeShared(frame: Frame): Uint8Array {
  if (frame !== lastFrame) {
    lastFrame = frame;
    lastBytes = encodeFrame(frame);
  }
  return lastBytes;
}

export class FrameChannel {
  private receiver: FrameReceiver | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly inFlight: Sent[] = [];
  private inFlightHead = 0;
  private inFlightBytes = 0;
  private held: { seq: number; data: Uint8Array }[] = [];
  private heldBytes = 0;
  private skipped = 0;
  private lastAckAt = Date.now();
  private stallTimer: ReturnType<typeof setInterval> | null = null;
  private readonly maxInFlight: number;
  private readonly maxHeld: number;
  private readonly stallTimeoutMs: number;

  constructor(private readonly options: FrameChannelOptions) {
    this.maxInFlight = options.maxInFlightBytes ?? 4 * 2 ** 20;
    this.maxHeld = options.maxHeldBytes ?? 64 * 2 ** 20;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  }

  /** Frames waiting here, and frames dropped since the receiver last caught up: for tests and diagnostics. */
  get backlog(): { held: number; heldBytes: number; inFlightBytes: number; skipped: number } {
    return {
      held: this.held.length,
      heldBytes: this.heldBytes,
      inFlightBytes: this.inFlightBytes,
      skipped: this.skipped,
    };
  }

  /** Starts (or restarts, for a new document) delivery to `receiver`, from a fresh catch-up frame. */
  open(receiver: FrameReceiver): void {
    this.stop();
    this.receiver = receiver;
    this.lastAckAt = Date.now();
    this.stallTimer = setInterval(() => this.checkStall(), Math.min(1000, this.stallTimeoutMs));
    this.stallTimer.unref?.();
    this.subscribe(false);
  }

  /** The receiver has taken in every frame up to `seq`. */
  ack(seq: number): void {
    this.lastAckAt = Date.now();
    while (this.inFlightHead < this.inFlight.length && this.inFlight[this.inFlightHead].seq <= seq) {
      this.inFlightBytes -= this.inFlight[this.inFlightHead++].bytes;
    }
    if (this.inFlightHead === this.inFlight.length) {
      this.inFlight.length = 0;
      this.inFlightHead = 0;
    }
    this.drain();
  }

  /** Stops delivery and forgets everything waiting. */
  close(): void {
    this.stop();
    this.receiver = null;
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
    this.held = [];
    this.heldBytes = 0;
    this.inFlight.length = 0;
    this.inFlightHead = 0;
    this.inFlightBytes = 0;
  }

  private subscribe(resync: boolean): void {
    this.unsubscribe?.();
    let first = true;
    this.unsubscribe = this.options.subscribe((frame) => {
      if (first && resync) {
        first = false;
        // The catch-up frame stands in for everything dropped: say how much that was.
        const marked = { ...frame, resync: { skipped: this.skipped } };
        this.skipped = 0;
        this.deliver(marked, encodeFrame(marked));
        return;
      }
      first = false;
      this.deliver(frame, encodeShared(frame));
    });
  }

  private deliver(frame: Frame, data: Uint8Array): void {
    if (!this.receiver) return;
    if (this.skipped > 0) {
      // Dropping: nothing more is held until the receiver has caught up and resynced.
      this.skipped++;
      return;
    }
    if (this.held.length === 0 && this.inFlightBytes < this.maxInFlight) {
      this.sendNow(frame.seq, data);
      return;
    }
    this.held.push({ seq: frame.seq, data });
    this.heldBytes += data.byteLength;
    if (this.heldBytes > this.maxHeld) {
      this.skipped += this.held.length;
      this.held = [];
      this.heldBytes = 0;
    }
  }

  private drain(): void {
    let k = 0;
    while (k < this.held.length && this.inFlightBytes < this.maxInFlight) {
      const { seq, data } = this.held[k++];
      this.heldBytes -= data.byteLength;
      this.sendNow(seq, data);
    }
    if (k > 0) this.held = this.held.slice(k);
    if (this.skipped > 0 && this.held.length === 0 && this.inFlightBytes === 0) this.subscribe(true);
  }

  private sendNow(seq: number, data: Uint8Array): void {
    if (this.inFlight.length === this.inFlightHead) this.lastAckAt = Date.now();
    this.inFlight.push({ seq, bytes: data.byteLength });
    this.inFlightBytes += data.byteLength;
    this.receiver?.send(data);
  }

  private checkStall(): void {
    if (this.inFlightHead === this.inFlight.length) return;
    if (Date.now() - this.lastAckAt < this.stallTimeoutMs) return;
    const onStall = this.options.onStall;
    this.close();
    onStall?.(`it took in nothing for ${Math.round(this.stallTimeoutMs / 1000)} s`);
  }
}
