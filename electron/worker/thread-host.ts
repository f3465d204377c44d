/**
 * The process behind the thread and gil backends: it runs each worker as a
 * worker_thread of one process and relays messages between those threads and
 * the engine, tagged with the thread's lane. The threads share one GIL's cells;
 * only the gil backend's threads use them.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { ThreadData } from './index';
import { watchParent } from './parent-watch';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const utilityPort = (process as { parentPort?: ParentPort }).parentPort;
const send = (message: unknown) => (utilityPort ? utilityPort.postMessage(message) : process.send?.(message));

const lane = z.number().int().positive();
const commandSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('spawn'), lane, entry: z.string().min(1) }),
  z.strictObject({ t: z.literal('to'), lane, m: z.unknown() }),
  z.strictObject({ t: z.literal('kill'), lane }),
  z.strictObject({ t: z.literal('quit') }),
]);

const gilCells = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
const threads = new Map<number, Worker>();

function spawn(id: number, entry: string): void {
  const data: ThreadData = { lane: id, gilCells };
  const thread = new Worker(entry, { workerData: data, stdout: true, stderr: true });
  threads.set(id, thread);
  thread.on('message', (m) => send({ lane: id, m }));
  for (const stream of ['stdout', 'stderr'] as const) {
    thread[stream].setEncoding('utf8');
    thread[stream].on('data', (text: string) => send({ lane: id, out: stream, text }));
  }
  thread.on('error', (error) => send({ lane: id, out: 'stderr', text: `${error.stack ?? error.message}\n` }));
  thread.on('exit', (code) => {
    threads.delete(id);
    // A thread that died holding the GIL must not stall the others.
    if (Atomics.load(gilCells, 0) === id) {
      Atomics.store(gilCells, 0, 0);
      Atomics.notify(gilCells, 0);
    }
    send({ lane: id, exit: code });
  });
}

function onMessage(raw: unknown): void {
  const parsed = commandSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`poolscope thread host: ignored a malformed message\n`);
    return;
  }
  const command = parsed.data;
  switch (command.t) {
    case 'spawn':
      spawn(command.lane, command.entry);
      return;
    case 'to':
      threads.get(command.lane)?.postMessage(command.m);
      return;
    case 'kill':
      void threads.get(command.lane)?.terminate();
      return;
    case 'quit':
      process.exit(0);
  }
}

if (utilityPort) utilityPort.on('message', (event) => onMessage(event.data));
else {
  process.on('message', onMessage);
  process.on('disconnect', () => process.exit(0));
}
// Its threads may be stuck in tasks that never yield: a watcher thread ends the host with its parent.
watchParent();
