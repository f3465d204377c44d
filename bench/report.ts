/** One printed figure per row: median of its samples, its target, its anchor and Python's figure. */
import { formatValue, median, type Unit } from './stats';

export interface Target {
  /** Whether the figure should be at least or at most `value`. */
  op: '>=' | '<=';
  value: number;
}

export interface BenchRow {
  /** The benchmark it belongs to (what the command-line filter matches). */
  bench: string;
  figure: string;
  unit: Unit;
  /** Every repeat's value; the row reports their median unless `value` is given. */
  samples: number[];
  /** The figure when it is not the median of `samples` (a ratio of two medians). */
  value?: number;
  target?: Target;
  /** Target written out when it is not a plain bound on this figure (e.g. "T + 50 ms"). */
  targetText?: string;
  anchor?: string;
  /** The same figure measured on Python's multiprocessing.Pool in this run. */
  python?: number[];
  note?: string;
}

export type Status = 'met' | 'MISSED' | 'info';

export function valueOf(row: BenchRow): number {
  return row.value ?? median(row.samples);
}

export function statusOf(row: BenchRow): Status {
  if (!row.target) return 'info';
  const value = valueOf(row);
  const ok = row.target.op === '>=' ? value >= row.target.value : value <= row.target.value;
  return ok ? 'met' : 'MISSED';
}

function targetText(row: BenchRow): string {
  if (row.targetText) return row.targetText;
  if (!row.target) return '—';
  return `${row.target.op === '>=' ? '≥' : '≤'} ${formatValue(row.target.value, row.unit).replace(/^\+/, '')}`;
}

/** ours / Python, for figures where a ratio means something. */
function ratioText(row: BenchRow): string {
  if (!row.python?.length || row.unit === '%') return '';
  const ratio = valueOf(row) / median(row.python);
  return `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×`;
}

const COLUMNS = ['figure', 'median', 'runs', 'target', 'status', 'python', 'ours/py', 'anchor (DESIGN §7)'] as const;

/** The table, one section per benchmark; `sectionNotes` adds a word to a section's title. */
export function tableLines(rows: readonly BenchRow[], sectionNotes: Record<string, string> = {}): string[] {
  const cells = rows.map((row) => [
    row.figure,
    formatValue(valueOf(row), row.unit),
    String(row.samples.length),
    targetText(row),
    statusOf(row),
    row.python?.length ? formatValue(median(row.python), row.unit) : '',
    ratioText(row),
    row.anchor ?? '',
  ]);
  const widths = COLUMNS.map((title, c) => Math.max(title.length, ...cells.map((line) => line[c].length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, c) => (c === 0 || c === line.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const lines = [format(COLUMNS), widths.map((w) => '─'.repeat(w)).join('  ')];
  let bench = '';
  for (const [i, line] of cells.entries()) {
    if (rows[i].bench !== bench) {
      bench = rows[i].bench;
      const extra = sectionNotes[bench] ? ` (${sectionNotes[bench]})` : '';
      lines.push(`[${bench}${extra}]`);
    }
    lines.push(format(line));
  }
  const notes = rows.filter((row) => row.note);
  if (notes.length > 0) {
    lines.push('', 'notes:');
    for (const row of notes) lines.push(`  ${row.figure}: ${row.note}`);
  }
  return lines;
}
