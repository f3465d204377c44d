import { describe, expect, it } from 'vitest';
import { MAX_TRACE_BYTES } from '../../../shared/trace-import';
import { refuseBySize } from './import-trace';
import { readTrace } from './read-trace';

describe('refuseBySize', () => {
  it('lets files up to the limit through and names the size of bigger ones', () => {
    expect(refuseBySize({ name: 'a.json', size: MAX_TRACE_BYTES })).toBeNull();
    expect(refuseBySize({ name: 'big.json', size: 300 * 1024 * 1024 })).toMatch(
      /^big\.json is 300 MiB; traces over 256 MiB are refused/,
    );
  });
});

describe('readTrace', () => {
  const blob = (text: string) => new Blob([text], { type: 'application/json' });

  it('parses a trace', async () => {
    const result = await readTrace(blob(JSON.stringify([{ ph: 'X', pid: 1, tid: 1, ts: 0, dur: 5 }])));
    expect(result.ok && result.trace.tasks.length).toBe(1);
  });

  it('answers with a message for bad JSON and for a bad event, never throwing', async () => {
    expect(await readTrace(blob('[{"ph":'))).toEqual({ ok: false, message: expect.stringMatching(/^not valid JSON/) });
    expect(await readTrace(blob('[{"ph":"X","pid":1,"ts":0,"dur":-1}]'))).toEqual({
      ok: false,
      message: 'event 0, field "dur": expected at least 0, got -1',
    });
  });
});
