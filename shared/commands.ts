/**
 * The command table: every command the renderer may send a host, with its
 * arguments' names and runtime schema and the type of what it answers. The
 * wire union, the PoolscopeApi (api.ts), the validator here and the host's
 * dispatcher (electron/engine/controller.ts) all derive from it, so adding a
 * command is one entry here plus its handler, and the compiler checks the rest.
 */
import { z } from 'zod';
import { commandError, type CommandError, type HostInfo } from './results';
import { BACKENDS, CLUSTER_BACKENDS, LIMITS, runSpecSchema } from './run-spec';

/** Commands larger than this (serialised) are refused before parsing. */
export const MAX_COMMAND_BYTES = 16 * 1024;

export const CANCEL_RUNNING = ['kill', 'finish'] as const;
export type CancelRunning = (typeof CANCEL_RUNNING)[number];

const poolSize = z.number().int().min(LIMITS.poolSize.min).max(LIMITS.poolSize.max);
const backend = z.enum(BACKENDS);

/** Where a cluster is: `auto`, `host:port`, or `scheme://host:port` (no spaces, no options). */
export const clusterAddressSchema = z
  .string()
  .max(256)
  .regex(/^(auto|([a-z][a-z0-9+.-]*:\/\/)?[A-Za-z0-9._\-[\]:]+)$/, 'expected auto, host:port or scheme://host:port');

/** A Python program to run: one of the shipped examples, a file on the host's machine, or pasted code. */
export const pythonProgramSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('example'),
    name: z.string().regex(/^[a-z0-9_]{1,64}$/, 'expected an example name'),
  }),
  z.strictObject({ kind: z.literal('path'), path: z.string().min(1).max(4096) }),
  z.strictObject({ kind: z.literal('code'), code: z.string().min(1).max(LIMITS.pythonCode.max) }),
]);
export type PythonProgram = z.infer<typeof pythonProgramSchema>;

export const POOL_KINDS = ['process', 'thread', 'serial'] as const;

export const pythonRequestSchema = z.strictObject({
  program: pythonProgramSchema,
  args: z.array(z.string().max(4096)).max(64),
  /** Every pool the program creates gets this many workers; absent: as written. */
  processes: poolSize.optional(),
  /** `thread`: process pools run as thread pools (the real GIL); `serial`: one worker each. */
  poolKind: z.enum(POOL_KINDS).optional(),
});
export type PythonRequest = z.infer<typeof pythonRequestSchema>;

/** What the host can run in Python, for the UI to offer. */
export interface PythonSetup {
  /** The interpreter the host would use, and its version; null with `error` when none works. */
  interpreter: string | null;
  version: string | null;
  error: string | null;
  /** The shipped examples, by name, with a line saying what each does. */
  examples: { name: string; title: string }[];
}

/** A phantom for the answer's type: the table carries it for the compiler only. */
const answers = <T>() => undefined as unknown as T;

interface Entry {
  /** Argument names, for error messages (`poolSize: too big`). */
  params: readonly string[];
  args: z.ZodTuple;
  value: unknown;
  /** Its own size limit, where it carries more than a few hundred bytes (pasted code). */
  maxBytes?: number;
}

export const COMMANDS = {
  info: { params: [], args: z.tuple([]), value: answers<HostInfo>() },
  configure: { params: ['poolSize', 'backend'], args: z.tuple([poolSize, backend]), value: answers<undefined>() },
  start: { params: ['spec'], args: z.tuple([runSpecSchema]), value: answers<{ runId: number }>() },
  pause: { params: [], args: z.tuple([]), value: answers<undefined>() },
  resume: { params: [], args: z.tuple([]), value: answers<undefined>() },
  /** running: 'kill' stops in-flight tasks now (they count as cancelled); 'finish' lets them complete. */
  cancel: { params: ['running'], args: z.tuple([z.enum(CANCEL_RUNNING)]), value: answers<undefined>() },
  resize: { params: ['poolSize'], args: z.tuple([poolSize]), value: answers<undefined>() },
  reset: { params: [], args: z.tuple([]), value: answers<undefined>() },
  /** Python's pool.close() then join(): every worker finishes and exits; the next configure or run starts new ones. */
  close: { params: [], args: z.tuple([]), value: answers<undefined>() },
  /** Runs a Python program traced, as the current run; cancel stops it (the whole process tree). */
  runPython: {
    params: ['request'],
    args: z.tuple([pythonRequestSchema]),
    value: answers<{ runId: number }>(),
    maxBytes: LIMITS.pythonCode.max + 16 * 1024,
  },
  pythonSetup: { params: [], args: z.tuple([]), value: answers<PythonSetup>() },
  /** The desktop app's file dialog for a script; null when the user cancelled. Other hosts refuse: type a path. */
  choosePythonScript: { params: [], args: z.tuple([]), value: answers<{ path: string | null }>() },
  /**
   * Follows someone else's cluster, read-only, as one run until cancel detaches:
   * a Dask scheduler (`tcp://host:8786`) or a Ray cluster (`host:6379`, `auto`).
   */
  attachCluster: {
    params: ['engine', 'address'],
    args: z.tuple([z.enum(CLUSTER_BACKENDS), clusterAddressSchema]),
    value: answers<{ runId: number }>(),
  },
} as const satisfies Record<string, Entry>;

type Table = typeof COMMANDS;
export type CommandName = keyof Table;
export type CommandArgs<K extends CommandName> = z.infer<Table[K]['args']>;
export type CommandValue<K extends CommandName> = Table[K]['value'];
/** What crosses a process boundary: a name and its positional arguments. */
export type WireCommand = { [K in CommandName]: { name: K; args: CommandArgs<K> } }[CommandName];

const wireSchema = z.strictObject({ name: z.string(), args: z.array(z.unknown()) });

/**
 * Validates anything that arrived from another process. Never throws: a bad
 * command is answered with the first problem found, naming its field.
 */
export function parseCommand(raw: unknown): { ok: true; command: WireCommand } | CommandError {
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch {
    return commandError('invalid', 'command is not serialisable');
  }
  const named = (raw as { name?: unknown } | null)?.name;
  const own =
    typeof named === 'string' && Object.hasOwn(COMMANDS, named)
      ? (COMMANDS[named as CommandName] as Entry).maxBytes
      : undefined;
  const limit = own ?? MAX_COMMAND_BYTES;
  if (size > limit) return commandError('too-large', `command is ${size} bytes; the limit is ${limit}`);
  const wire = wireSchema.safeParse(raw);
  if (!wire.success) return refusal(wire.error.issues[0], []);
  const { name, args } = wire.data;
  if (!Object.hasOwn(COMMANDS, name)) return commandError('invalid', `name: unknown command "${name}"`, 'name');
  const entry: Entry = COMMANDS[name as CommandName];
  if (args.length !== entry.params.length) {
    const expected = entry.params.length ? entry.params.join(', ') : 'no arguments';
    return commandError('invalid', `${name} takes ${expected}; got ${args.length} argument(s)`, 'args');
  }
  const parsed = entry.args.safeParse(args);
  if (!parsed.success) return refusal(parsed.error.issues[0], entry.params);
  return { ok: true, command: { name, args: parsed.data } as WireCommand };
}

/** A zod issue as a refusal naming the field: `spec.tasks`, `poolSize`, `name`. */
function refusal(issue: z.core.$ZodIssue, params: readonly string[]): CommandError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]);
  // Positional arguments are named: args.0.tasks → spec.tasks.
  if (params.length && path[0] !== undefined && /^\d+$/.test(path[0])) path[0] = params[Number(path[0])] ?? path[0];
  const field = path.join('.');
  return commandError('invalid', `${field || 'command'}: ${issue.message}`, field);
}
