/**
 * The records a traced Python program sends (python/PROTOCOL.md), as types,
 * and a hand-written validator: records arrive in bulk, so a plain check of
 * each field, no schema library per record.
 *
 * Ids are strings; times are integer nanoseconds of CLOCK_MONOTONIC (they fit
 * a `number` exactly for years of uptime: divide by 1e6 for milliseconds).
 */

/** Nanoseconds on the machine's monotonic clock (Node's `process.hrtime`). */
export type MonotonicNs = number;

export type ProcessRole = 'main' | 'pool-worker' | 'executor-worker' | 'process' | 'bridge';
export type ThreadRole = 'pool-thread' | 'executor-thread' | 'thread';
export type StartMethod = 'fork' | 'spawn' | 'forkserver';
export type PoolKind = 'Pool' | 'ThreadPool' | 'ProcessPoolExecutor' | 'ThreadPoolExecutor';
export type PoolOp = 'close' | 'join' | 'terminate' | 'shutdown';
export type CallMethod =
  | 'map'
  | 'imap'
  | 'imap_unordered'
  | 'starmap'
  | 'map_async'
  | 'starmap_async'
  | 'apply'
  | 'apply_async'
  | 'submit'
  | 'executor.map'
  | 'Process'
  | 'Thread'
  | 'client.map'
  | 'adopted'
  | 'ray.remote'
  | 'actor'
  | 'Pool.map';
/** A task's return value as sent: exact numbers, null, booleans, else a short repr. */
export type TaskResult = number | boolean | string | null;

export type HelloRecord = readonly [
  kind: 'hello',
  token: string,
  pid: number,
  ppid: number,
  name: string,
  role: ProcessRole,
  pool: string | null,
  startMethod: StartMethod | null,
  pythonVersion: string,
  at: MonotonicNs,
];
export type ThreadRecord = readonly [
  kind: 'thread',
  pid: number,
  tid: number,
  name: string,
  role: ThreadRole,
  pool: string | null,
  at: MonotonicNs,
];
export type ThreadEndRecord = readonly [kind: 'thread-end', pid: number, tid: number, at: MonotonicNs];
export type ExitRecord = readonly [kind: 'exit', pid: number, at: MonotonicNs, exitcode: number, signal: string | null];
export type ByeRecord = readonly [kind: 'bye', pid: number, at: MonotonicNs];
export type PoolRecord =
  | readonly [kind: 'pool', pool: string, poolKind: PoolKind, size: number, pid: number, at: MonotonicNs]
  | readonly [
      kind: 'pool',
      pool: string,
      poolKind: PoolKind,
      size: number,
      pid: number,
      at: MonotonicNs,
      asKind: PoolKind,
    ];
export type PoolOpRecord = readonly [kind: 'pool-op', pool: string, op: PoolOp, at: MonotonicNs];
export type CallRecord = readonly [
  kind: 'call',
  call: string,
  pool: string | null,
  method: CallMethod,
  func: string,
  chunksize: number,
  total: number | null,
  at: MonotonicNs,
];
export type SubmitRecord = readonly [kind: 'submit', call: string, first: number, count: number, at: MonotonicNs];
export type CallEndRecord = readonly [kind: 'call-end', call: string, total: number, at: MonotonicNs];
export type RunRecord = readonly [kind: 'run', call: string, index: number, pid: number, tid: number, at: MonotonicNs];
export type DoneRecord = readonly [
  kind: 'done',
  call: string,
  index: number,
  pid: number,
  tid: number,
  start: MonotonicNs,
  end: MonotonicNs,
  cpuNs: number,
  result: TaskResult,
];
export type FailRecord = readonly [
  kind: 'fail',
  call: string,
  index: number,
  pid: number,
  tid: number,
  start: MonotonicNs,
  end: MonotonicNs,
  cpuNs: number,
  error: string,
];
export type OutRecord = readonly [
  kind: 'out',
  pid: number,
  tid: number,
  stream: 'stdout' | 'stderr',
  call: string | null,
  index: number | null,
  at: MonotonicNs,
  text: string,
];
export type WarnRecord = readonly [kind: 'warn', pid: number, at: MonotonicNs, text: string];

// Cluster bridges (PROTOCOL.md: Cluster sources): lanes named by key, not pid and tid.
export type ClusterLaneRecord = readonly [
  kind: 'lane',
  lane: string,
  laneKind: 'process' | 'thread',
  name: string,
  group: string,
  pid: number | null,
  at: MonotonicNs,
];
export type LaneEndRecord = readonly [kind: 'lane-end', lane: string, at: MonotonicNs, reason: string];
export type LaneRunRecord = readonly [kind: 'lane-run', call: string, index: number, lane: string, at: MonotonicNs];
export type LaneDoneRecord = readonly [
  kind: 'lane-done',
  call: string,
  index: number,
  lane: string,
  start: MonotonicNs,
  end: MonotonicNs,
  cpuNs: number | null,
  result: TaskResult,
];
export type LaneFailRecord = readonly [
  kind: 'lane-fail',
  call: string,
  index: number,
  /** null: it failed without running anywhere (a task it needs failed, its client let it go). */
  lane: string | null,
  start: MonotonicNs,
  end: MonotonicNs,
  cpuNs: number | null,
  error: string,
];
export type PhaseName = 'compute' | 'transfer' | 'deserialize' | 'disk-read' | 'disk-write';
export type PhaseRecord = readonly [
  kind: 'phase',
  call: string,
  index: number,
  lane: string,
  phase: PhaseName,
  start: MonotonicNs,
  end: MonotonicNs,
];
export type AttemptRecord = readonly [
  kind: 'attempt',
  call: string,
  index: number,
  lane: string,
  start: MonotonicNs,
  end: MonotonicNs,
  reason: string,
];
export type MarkRecord = readonly [kind: 'mark', text: string, group: string | null, at: MonotonicNs];
export type GoneRecord = readonly [kind: 'gone', at: MonotonicNs, text: string];

/** Every record after a connection's hello. */
export type TraceRecord =
  | ThreadRecord
  | ThreadEndRecord
  | ExitRecord
  | ByeRecord
  | PoolRecord
  | PoolOpRecord
  | CallRecord
  | SubmitRecord
  | CallEndRecord
  | RunRecord
  | DoneRecord
  | FailRecord
  | OutRecord
  | WarnRecord
  | ClusterLaneRecord
  | LaneEndRecord
  | LaneRunRecord
  | LaneDoneRecord
  | LaneFailRecord
  | PhaseRecord
  | AttemptRecord
  | MarkRecord
  | GoneRecord;

export type RecordKind = TraceRecord[0] | 'hello';

const PROCESS_ROLES: ReadonlySet<unknown> = new Set(['main', 'pool-worker', 'executor-worker', 'process', 'bridge']);
const PHASES: ReadonlySet<unknown> = new Set(['compute', 'transfer', 'deserialize', 'disk-read', 'disk-write']);
const THREAD_ROLES: ReadonlySet<unknown> = new Set(['pool-thread', 'executor-thread', 'thread']);
const START_METHODS: ReadonlySet<unknown> = new Set(['fork', 'spawn', 'forkserver']);
const POOL_KINDS: ReadonlySet<unknown> = new Set(['Pool', 'ThreadPool', 'ProcessPoolExecutor', 'ThreadPoolExecutor']);
const POOL_OPS: ReadonlySet<unknown> = new Set(['close', 'join', 'terminate', 'shutdown']);
const CALL_METHODS: ReadonlySet<unknown> = new Set([
  'map',
  'imap',
  'imap_unordered',
  'starmap',
  'map_async',
  'starmap_async',
  'apply',
  'apply_async',
  'submit',
  'executor.map',
  'Process',
  'Thread',
  'client.map',
  'adopted',
  'ray.remote',
  'actor',
  'Pool.map',
]);

/** Longest id, name or repr we accept; the tracer cuts output text at 4,096 characters. */
const MAX_ID = 64;
const MAX_NAME = 1_000;
const MAX_TEXT = 4_096;

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isTime = isCount;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_NAME;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;
const isIdOrNull = (v: unknown): boolean => v === null || isId(v);
/** A cluster lane's key: a worker address and slot, a Ray worker id. */
const isKey = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isCpu = (v: unknown): boolean => v === null || isCount(v);
const isResult = (v: unknown): boolean =>
  v === null || typeof v === 'boolean' || Number.isFinite(v) || (typeof v === 'string' && v.length <= MAX_NAME);

function wrongLength(kind: string, r: readonly unknown[], length: number): string | null {
  return r.length === length ? null : `${kind} needs ${length} fields, has ${r.length}`;
}

/** Why `fields` is not a record of `kind`, or null when it is. */
function problem(kind: string, r: readonly unknown[]): string | null {
  switch (kind) {
    case 'hello':
      return (
        wrongLength(kind, r, 10) ??
        (typeof r[1] !== 'string'
          ? 'hello: token is not a string'
          : !isPid(r[2]) || !isCount(r[3])
            ? 'hello: bad pid or ppid'
            : !isName(r[4])
              ? 'hello: bad name'
              : !PROCESS_ROLES.has(r[5])
                ? `hello: unknown role ${JSON.stringify(r[5])}`
                : !isIdOrNull(r[6])
                  ? 'hello: bad pool'
                  : r[7] !== null && !START_METHODS.has(r[7])
                    ? `hello: unknown start method ${JSON.stringify(r[7])}`
                    : typeof r[8] !== 'string' || !isTime(r[9])
                      ? 'hello: bad python version or time'
                      : null)
      );
    case 'thread':
      return (
        wrongLength(kind, r, 7) ??
        (!isPid(r[1]) || !isPid(r[2]) || !isName(r[3]) || !THREAD_ROLES.has(r[4]) || !isIdOrNull(r[5]) || !isTime(r[6])
          ? 'thread: bad field'
          : null)
      );
    case 'thread-end':
      return (
        wrongLength(kind, r, 4) ?? (!isPid(r[1]) || !isPid(r[2]) || !isTime(r[3]) ? 'thread-end: bad field' : null)
      );
    case 'exit':
      return (
        wrongLength(kind, r, 5) ??
        (!isPid(r[1]) || !isTime(r[2]) || !Number.isSafeInteger(r[3]) || (r[4] !== null && !isName(r[4]))
          ? 'exit: bad field'
          : null)
      );
    case 'bye':
      return wrongLength(kind, r, 3) ?? (!isPid(r[1]) || !isTime(r[2]) ? 'bye: bad field' : null);
    case 'pool':
      if (r.length !== 6 && r.length !== 7) return `pool needs 6 or 7 fields, has ${r.length}`;
      return !isId(r[1]) ||
        !POOL_KINDS.has(r[2]) ||
        !isPid(r[3]) ||
        !isPid(r[4]) ||
        !isTime(r[5]) ||
        (r.length === 7 && !POOL_KINDS.has(r[6]))
        ? 'pool: bad field'
        : null;
    case 'pool-op':
      return (
        wrongLength(kind, r, 4) ?? (!isId(r[1]) || !POOL_OPS.has(r[2]) || !isTime(r[3]) ? 'pool-op: bad field' : null)
      );
    case 'call':
      return (
        wrongLength(kind, r, 8) ??
        (!isId(r[1]) ||
        !isIdOrNull(r[2]) ||
        !CALL_METHODS.has(r[3]) ||
        !isName(r[4]) ||
        !isPid(r[5]) ||
        (r[6] !== null && !isCount(r[6])) ||
        !isTime(r[7])
          ? 'call: bad field'
          : null)
      );
    case 'submit':
      return (
        wrongLength(kind, r, 5) ??
        (!isId(r[1]) || !isCount(r[2]) || !isPid(r[3]) || !isTime(r[4]) ? 'submit: bad field' : null)
      );
    case 'call-end':
      return wrongLength(kind, r, 4) ?? (!isId(r[1]) || !isCount(r[2]) || !isTime(r[3]) ? 'call-end: bad field' : null);
    case 'run':
      return (
        wrongLength(kind, r, 6) ??
        (!isId(r[1]) || !isCount(r[2]) || !isPid(r[3]) || !isPid(r[4]) || !isTime(r[5]) ? 'run: bad field' : null)
      );
    case 'done':
    case 'fail': {
      const bad = wrongLength(kind, r, 9);
      if (bad) return bad;
      if (!isId(r[1]) || !isCount(r[2]) || !isPid(r[3]) || !isPid(r[4])) return `${kind}: bad field`;
      if (!isTime(r[5]) || !isTime(r[6]) || (r[6] as number) < (r[5] as number) || !isCount(r[7]))
        return `${kind}: bad times`;
      const outcome = r[8];
      if (kind === 'fail') return typeof outcome === 'string' && outcome.length <= MAX_NAME ? null : 'fail: bad error';
      return outcome === null ||
        typeof outcome === 'boolean' ||
        Number.isFinite(outcome) ||
        (typeof outcome === 'string' && outcome.length <= MAX_NAME)
        ? null
        : 'done: bad result';
    }
    case 'out':
      return (
        wrongLength(kind, r, 8) ??
        (!isPid(r[1]) ||
        !isPid(r[2]) ||
        (r[3] !== 'stdout' && r[3] !== 'stderr') ||
        !isIdOrNull(r[4]) ||
        (r[5] !== null && !isCount(r[5])) ||
        (r[4] === null) !== (r[5] === null) ||
        !isTime(r[6]) ||
        !isText(r[7])
          ? 'out: bad field'
          : null)
      );
    case 'warn':
      return wrongLength(kind, r, 4) ?? (!isPid(r[1]) || !isTime(r[2]) || !isName(r[3]) ? 'warn: bad field' : null);
    case 'lane':
      return (
        wrongLength(kind, r, 7) ??
        (!isKey(r[1]) ||
        (r[2] !== 'process' && r[2] !== 'thread') ||
        !isName(r[3]) ||
        !isName(r[4]) ||
        (r[5] !== null && !isPid(r[5])) ||
        !isTime(r[6])
          ? 'lane: bad field'
          : null)
      );
    case 'lane-end':
      return wrongLength(kind, r, 4) ?? (!isKey(r[1]) || !isTime(r[2]) || !isName(r[3]) ? 'lane-end: bad field' : null);
    case 'lane-run':
      return (
        wrongLength(kind, r, 5) ??
        (!isId(r[1]) || !isCount(r[2]) || !isKey(r[3]) || !isTime(r[4]) ? 'lane-run: bad field' : null)
      );
    case 'lane-done':
    case 'lane-fail': {
      const bad = wrongLength(kind, r, 8);
      if (bad) return bad;
      const laneOk = kind === 'lane-fail' ? r[3] === null || isKey(r[3]) : isKey(r[3]);
      if (!isId(r[1]) || !isCount(r[2]) || !laneOk || !isCpu(r[6])) return `${kind}: bad field`;
      if (!isTime(r[4]) || !isTime(r[5]) || (r[5] as number) < (r[4] as number)) return `${kind}: bad times`;
      if (kind === 'lane-fail')
        return typeof r[7] === 'string' && r[7].length <= MAX_NAME ? null : 'lane-fail: bad error';
      return isResult(r[7]) ? null : 'lane-done: bad result';
    }
    case 'phase':
      return (
        wrongLength(kind, r, 7) ??
        (!isId(r[1]) || !isCount(r[2]) || !isKey(r[3]) || !PHASES.has(r[4]) || !isTime(r[5]) || !isTime(r[6])
          ? 'phase: bad field'
          : (r[6] as number) < (r[5] as number)
            ? 'phase: bad times'
            : null)
      );
    case 'attempt':
      return (
        wrongLength(kind, r, 7) ??
        (!isId(r[1]) || !isCount(r[2]) || !isKey(r[3]) || !isTime(r[4]) || !isTime(r[5]) || !isName(r[6])
          ? 'attempt: bad field'
          : (r[5] as number) < (r[4] as number)
            ? 'attempt: bad times'
            : null)
      );
    case 'mark':
      return (
        wrongLength(kind, r, 4) ??
        (!isName(r[1]) || (r[2] !== null && !isName(r[2])) || !isTime(r[3]) ? 'mark: bad field' : null)
      );
    case 'gone':
      return wrongLength(kind, r, 3) ?? (!isTime(r[1]) || !isName(r[2]) ? 'gone: bad field' : null);
    default:
      return `unknown record kind ${JSON.stringify(kind).slice(0, 40)}`;
  }
}

/**
 * Checks one parsed JSON value: the record, typed, or the reason it is not one.
 * `hello` is checked here too; whether its token is right is the server's business.
 */
export function validateRecord(value: unknown): TraceRecord | HelloRecord | string {
  if (!Array.isArray(value) || value.length === 0) return 'a record must be a non-empty array';
  const kind = value[0];
  if (typeof kind !== 'string') return 'a record must start with its kind';
  return problem(kind, value) ?? (value as unknown as TraceRecord | HelloRecord);
}

/** True for a `hello` record that passed `validateRecord`. */
export function isHello(record: TraceRecord | HelloRecord): record is HelloRecord {
  return record[0] === 'hello';
}

/** Nanoseconds on the monotonic clock to milliseconds (Poolscope's `performance`-style times). */
export function nsToMs(ns: MonotonicNs): number {
  return ns / 1e6;
}
