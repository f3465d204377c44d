import { PassThrough } from 'node:stream';
import type { ChildExit, ChildHandle, Launcher, LaunchOptions } from './launcher';

type HostMessage =
  | { lane: number; m: unknown }
  | { lane: number; out: 'stdout' | 'stderr'; text: string }
  | { lane: number; exit: number };

interface Lane {
  /** The host process this thread runs in: a quitting host may linger while the next one starts. */
  host: ChildHandle;
  handle: ChildHandle;
  deliver(message: unknown): void;
  output(stream: 'stdout' | 'stderr', text: string): void;
  exit(exit: ChildExit): void;
}

/**
 * Launches workers as threads of one host process (the thread and gil
 * backends). Each thread looks to the pool like any worker process: a
 * ChildHandle whose pid is the host's, so the UI draws lanes as threads of one pid.
 */
export class ThreadLauncher implements Launcher {
  private host: ChildHandle | null = null;
  private readonly lanes = new Map<number, Lane>();
  private nextLane = 1;

  constructor(
    private readonly base: Launcher,
    private readonly hostEntry: string,
  ) {}

  launch({ entry, env }: LaunchOptions): ChildHandle {
    const host = this.ensureHost(env);
    const id = this.nextLane++;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let onMessage: (message: unknown) => void = () => {};
    let onExit: (exit: ChildExit) => void = () => {};
    let exited = false;
    const lane: Lane = {
      host,
      handle: {
        get pid() {
          return host.pid;
        },
        stdout,
        stderr,
        postMessage: (message) => {
          if (!exited) host.postMessage({ t: 'to', lane: id, m: message });
        },
        onMessage: (listener) => (onMessage = listener),
        onExit: (listener) => (onExit = listener),
        kill: () => {
          if (!exited) host.postMessage({ t: 'kill', lane: id });
        },
      },
      deliver: (message) => onMessage(message),
      output: (stream, text) => (stream === 'stdout' ? stdout : stderr).write(text),
      exit: (exit) => {
        if (exited) return;
        exited = true;
        this.lanes.delete(id);
        stdout.end();
        stderr.end();
        // Let the streams flush their last lines before the exit is reported.
        setImmediate(() => onExit(exit));
        if (this.lanes.size === 0 && this.host === host) {
          host.postMessage({ t: 'quit' });
          this.host = null;
        }
      },
    };
    this.lanes.set(id, lane);
    host.postMessage({ t: 'spawn', lane: id, entry });
    return lane.handle;
  }

  private ensureHost(env: Record<string, string>): ChildHandle {
    if (this.host) return this.host;
    const host = this.base.launch({ entry: this.hostEntry, name: 'poolscope-thread-host', env });
    host.onMessage((raw) => {
      const message = raw as HostMessage;
      const lane = this.lanes.get(message?.lane);
      if (!lane) return;
      if ('m' in message) lane.deliver(message.m);
      else if ('out' in message) lane.output(message.out, message.text);
      else if ('exit' in message) lane.exit({ code: message.exit, signal: null });
    });
    host.onExit((exit) => {
      if (this.host === host) this.host = null;
      // The host took every thread with it — its own, not those of a host started since.
      for (const lane of [...this.lanes.values()]) if (lane.host === host) lane.exit(exit);
    });
    // The host's own complaints (it cannot start, say) belong to every thread it carries.
    host.stdout?.resume();
    host.stderr?.setEncoding('utf8');
    host.stderr?.on('data', (text: string) => {
      for (const lane of this.lanes.values()) if (lane.host === host) lane.output('stderr', text);
    });
    this.host = host;
    return host;
  }
}
