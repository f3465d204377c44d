/**
 * Reading a trace file, as the import worker runs it: every failure comes back
 * as a message (naming the event index and field, for a malformed event), never
 * as an exception, so the page always hears how it ended.
 */
import { importTrace, type ImportedTrace } from '../../../shared/trace-import';

export type TraceReadResult = { ok: true; trace: ImportedTrace } | { ok: false; message: string };

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function readTrace(file: Blob): Promise<TraceReadResult> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch (error) {
    return { ok: false, message: `not valid JSON (${describe(error)})` };
  }
  try {
    return { ok: true, trace: importTrace(json) };
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
}
