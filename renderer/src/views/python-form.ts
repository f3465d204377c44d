/**
 * The Python panel's boxes as a request the host accepts, checked with the
 * command's own schema, so the panel refuses exactly what the host would and
 * names the box that holds it.
 */
import { clusterAddressSchema, pythonRequestSchema, type PythonRequest } from '../../../shared/commands';
import type { PythonForm } from '../store';

/** The panel's boxes, by the names their labels show. */
export const PYTHON_BOXES = {
  example: 'Example',
  path: 'Script path',
  code: 'Code',
  args: 'Arguments',
} as const;

/**
 * An argument line split as a POSIX shell splits words: spaces separate them,
 * quotes group them, a backslash escapes the next character (not inside '…').
 */
export function splitArgs(line: string): { ok: true; args: string[] } | { ok: false; problem: string } {
  const args: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) args.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (quote) return { ok: false, problem: `Close the ${quote === '"' ? 'double' : 'single'} quote.` };
  if (word !== null) args.push(word);
  return { ok: true, args };
}

export type PythonRequestResult =
  | { ok: true; request: PythonRequest }
  | { ok: false; problems: Partial<Record<(typeof PYTHON_BOXES)[keyof typeof PYTHON_BOXES], string>> };

/** The request the boxes describe, or what is wrong with each box that is wrong. */
export function pythonRequestFor(form: PythonForm, poolSize: number): PythonRequestResult {
  const problems: Partial<Record<(typeof PYTHON_BOXES)[keyof typeof PYTHON_BOXES], string>> = {};
  const split = splitArgs(form.args);
  if (!split.ok) problems[PYTHON_BOXES.args] = split.problem;
  const program =
    form.from === 'example'
      ? { kind: 'example' as const, name: form.example }
      : form.from === 'path'
        ? { kind: 'path' as const, path: form.path.trim() }
        : { kind: 'code' as const, code: form.code };
  const request = {
    program,
    args: split.ok ? split.args : [],
    ...(form.useSlider ? { processes: poolSize } : {}),
    ...(form.poolKind === 'as-written' ? {} : { poolKind: form.poolKind }),
  };
  const parsed = pythonRequestSchema.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const box = issue.path[0] === 'args' ? PYTHON_BOXES.args : PYTHON_BOXES[form.from];
      problems[box] ??= boxProblem(form, issue.path[0] === 'args' ? 'args' : form.from, issue.code);
    }
  }
  return Object.keys(problems).length ? { ok: false, problems } : { ok: true, request: parsed.data as PythonRequest };
}

function boxProblem(form: PythonForm, box: keyof typeof PYTHON_BOXES, code: string): string {
  if (box === 'example') return 'Pick an example.';
  if (box === 'path') return form.path.trim() ? 'The path is too long.' : 'Type the path of a Python script.';
  if (box === 'code') return form.code ? 'The code is too long to send.' : 'Paste or type some Python code.';
  return code === 'too_big' ? 'Too many arguments, or one too long.' : 'Check the arguments.';
}

/** What is wrong with a cluster's address, in the words of the attach form; null when the host would take it. */
export function clusterAddressProblem(address: string): string | null {
  if (!address.trim()) return 'Type the scheduler’s address, or auto for Ray.';
  return clusterAddressSchema.safeParse(address.trim()).success
    ? null
    : 'Expected auto, host:port or scheme://host:port (no spaces).';
}
