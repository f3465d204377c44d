/**
 * Frames in binary, for every transport that carries bytes (the browser host's
 * WebSocket, Electron's frame port): a small JSON header for the rare events,
 * then each per-task column's raw bytes, 8-byte aligned, in FRAME_COLUMNS order.
 * Decoding makes typed-array views onto the message: no per-task parsing.
 */
import { COLUMN_ARRAYS, FRAME_COLUMNS, rowsOf, type ColumnGroupName, type Frame, type FrameColumns } from './events';

type Header = Pick<Frame, 'seq' | 'at' | 'runId' | 'counts' | 'events' | 'resync'> & {
  rows: Record<ColumnGroupName, number>;
};

const MAGIC = 0x31465350; // "PSF1", little-endian
const PREFIX = 8; // magic, header length
const align = (n: number) => (n + 7) & ~7;
const GROUPS = Object.keys(FRAME_COLUMNS) as ColumnGroupName[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(frame: Frame): Uint8Array {
  const rows = {} as Record<ColumnGroupName, number>;
  for (const group of GROUPS) rows[group] = rowsOf(frame[group]);
  const { seq, at, runId, counts, events, resync } = frame;
  const header = encoder.encode(JSON.stringify({ seq, at, runId, counts, events, resync, rows } satisfies Header));
  let size = align(PREFIX + header.length);
  for (const group of GROUPS) {
    for (const kind of Object.values(FRAME_COLUMNS[group]))
      size += align(rows[group] * COLUMN_ARRAYS[kind].BYTES_PER_ELEMENT);
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  bytes.set(header, PREFIX);
  let offset = align(PREFIX + header.length);
  for (const group of GROUPS) {
    const columns = frame[group] as unknown as Record<
      string,
      ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }
    >;
    for (const name of Object.keys(FRAME_COLUMNS[group])) {
      const column = columns[name];
      bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
      offset += align(column.byteLength);
    }
  }
  return bytes;
}

export class FrameDecodeError extends Error {}

/** The frame in `bytes`; throws FrameDecodeError on anything that is not one. */
export function decodeFrame(input: Uint8Array | ArrayBuffer): Frame {
  // Typed-array views need aligned offsets; a pooled Node Buffer may not be.
  const raw = input instanceof Uint8Array ? input : new Uint8Array(input);
  const bytes: Uint8Array<ArrayBuffer> =
    raw.byteOffset % 8 === 0 && raw.buffer instanceof ArrayBuffer ? (raw as Uint8Array<ArrayBuffer>) : raw.slice();
  if (bytes.byteLength < PREFIX) throw new FrameDecodeError('frame too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new FrameDecodeError('not a Poolscope frame');
  const headerLength = view.getUint32(4, true);
  if (PREFIX + headerLength > bytes.byteLength) throw new FrameDecodeError('frame header overruns the message');
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(PREFIX, PREFIX + headerLength))) as Header;
  } catch {
    throw new FrameDecodeError('frame header is not JSON');
  }
  const columns = {} as Record<string, Record<string, unknown>>;
  let offset = align(PREFIX + headerLength);
  for (const group of GROUPS) {
    const n = header.rows?.[group];
    if (!Number.isSafeInteger(n) || n < 0) throw new FrameDecodeError(`bad row count for ${group}`);
    columns[group] = {};
    for (const [name, kind] of Object.entries(FRAME_COLUMNS[group])) {
      const View = COLUMN_ARRAYS[kind];
      const byteLength = n * View.BYTES_PER_ELEMENT;
      if (offset + byteLength > bytes.byteLength)
        throw new FrameDecodeError(`column ${group}.${name} overruns the message`);
      columns[group][name] = new View(bytes.buffer, bytes.byteOffset + offset, n);
      offset += align(byteLength);
    }
  }
  const { seq, at, runId, counts, events, resync } = header;
  return { seq, at, runId, counts, events, ...(resync ? { resync } : {}), ...(columns as unknown as FrameColumns) };
}
