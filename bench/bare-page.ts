/**
 * A Chromium page driven over the bare DevTools protocol, for measuring the
 * page as users have it. Playwright enables the Network domain on every page,
 * and with it Chromium hands DevTools a base64 copy of every WebSocket message:
 * at a million tasks that is 50 MB of frames encoded on the page's main thread,
 * a cost no user pays. Here only Target, Page, Emulation and Runtime commands are sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { sleep } from './stats';

const START_TIMEOUT_MS = 20_000;

/** One DevTools connection: commands out, their answers back by id. */
class Session {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id as number);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the DevTools connection closed'));
      this.pending.clear();
    });
  }

  static async open(url: string): Promise<Session> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new Session(socket);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

export class BarePage {
  private constructor(
    private readonly browser: ChildProcess,
    private readonly session: Session,
    private readonly profile: string,
  ) {}

  /** Starts Chromium with one page of `width`×`height`, whose documents all run `initScript` first. */
  static async open(options: {
    executablePath: string;
    args: string[];
    width: number;
    height: number;
    initScript: string;
  }): Promise<BarePage> {
    const profile = mkdtempSync(join(tmpdir(), 'poolscope-bench-chromium-'));
    const browser = spawn(
      options.executablePath,
      [
        '--headless',
        '--remote-debugging-port=0',
        `--user-data-dir=${profile}`,
        // No window of its own: a startup window brings browser UI whose renderer
        // competes for the cores and the display's frames. The page is made the way Playwright makes them.
        '--no-startup-window',
        ...options.args,
      ],
      // Its own process group, so closing takes its renderers and helpers with it.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    try {
      const endpoint = await devToolsEndpoint(browser);
      const root = await Session.open(endpoint);
      const { targetId } = (await root.send('Target.createTarget', {
        url: 'about:blank',
        width: options.width,
        height: options.height,
      })) as { targetId: string };
      root.close();
      const session = await Session.open(`ws://${new URL(endpoint).host}/devtools/page/${targetId}`);
      await session.send('Emulation.setDeviceMetricsOverride', {
        width: options.width,
        height: options.height,
        deviceScaleFactor: 1,
        mobile: false,
      });
      // Scripts to evaluate on new documents are kept only while the Page domain is on.
      await session.send('Page.enable');
      await session.send('Page.addScriptToEvaluateOnNewDocument', { source: options.initScript });
      return new BarePage(browser, session, profile);
    } catch (error) {
      killGroup(browser, 'SIGKILL');
      rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
      throw error;
    }
  }

  async goto(url: string): Promise<void> {
    await this.session.send('Page.navigate', { url });
  }

  /** The value of `expression` in the page (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.session.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text}`);
    return result.value;
  }

  waitFor(expression: string, timeoutMs: number): Promise<void> {
    return waitUntil((e) => this.evaluate(e), expression, timeoutMs);
  }

  async close(): Promise<void> {
    this.session.close();
    const exited = new Promise((resolve) => this.browser.once('exit', resolve));
    killGroup(this.browser, 'SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    killGroup(this.browser, 'SIGKILL');
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 5 });
  }
}

function killGroup(browser: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (browser.pid) process.kill(-browser.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Waits until `expression` is truthy in a page, checking every 50 ms (evaluated over DevTools, so the page's CSP allows it). */
export async function waitUntil(
  evaluate: (expression: string) => Promise<unknown>,
  expression: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await evaluate(`Boolean(${expression})`)) return;
    } catch {
      // The document may be between navigations.
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(50);
  }
}

/** The browser's DevTools endpoint, from its "DevTools listening on ws://…" line. */
function devToolsEndpoint(browser: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`Chromium did not start within ${START_TIMEOUT_MS} ms: ${text.slice(-400)}`)),
      START_TIMEOUT_MS,
    );
    browser.once('error', fail);
    browser.once('exit', (code) =>
      fail(new Error(`Chromium exited (${code}) before it listened: ${text.slice(-400)}`)),
    );
    browser.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      browser.stderr?.removeAllListeners('data');
      browser.stderr?.resume();
      resolve(match[1]);
    });
  });
}
