/** What a number box accepts, said the way its message says it. */
import { formatCount } from '../../../shared/format';

export interface NumberRule {
  min: number;
  max: number;
  /** Whole numbers only (counts); false lets decimals through (costs in ms). */
  integer: boolean;
}

/** Thousands separators, spaces and underscores are how people write numbers; they are not part of them. */
export function parseNumber(text: string): number {
  return text.trim() === '' ? NaN : Number(text.replace(/[_,\s]/g, ''));
}

/** What is wrong with `text` as a value of the box, or null when it is a value it accepts. */
export function numberProblem(text: string, rule: NumberRule): string | null {
  const n = parseNumber(text);
  if (!Number.isFinite(n)) return 'Enter a number.';
  if (rule.integer && !Number.isInteger(n)) return 'Enter a whole number.';
  if (n < rule.min || n > rule.max) return `Between ${formatCount(rule.min)} and ${formatCount(rule.max)}.`;
  return null;
}
