import { describe, expect, it } from 'vitest';
import { formProblem } from '../store/view-slice';
import { numberProblem, parseNumber } from './validate';

describe('numberProblem', () => {
  const tasks = { min: 1, max: 1_000_000, integer: true };
  const cost = { min: 0, max: 60_000, integer: false };

  it('refuses what the issue found accepted: abc, 0, -3, 2.5 and 1e9', () => {
    expect(numberProblem('abc', tasks)).toBe('Enter a number.');
    expect(numberProblem('', tasks)).toBe('Enter a number.');
    expect(numberProblem('0', tasks)).toBe('Between 1 and 1,000,000.');
    expect(numberProblem('-3', tasks)).toBe('Between 1 and 1,000,000.');
    expect(numberProblem('2.5', tasks)).toBe('Enter a whole number.');
    expect(numberProblem('1e9', tasks)).toBe('Between 1 and 1,000,000.');
  });

  it('accepts numbers as people write them, and decimals where the box takes them', () => {
    expect(numberProblem('1,000', tasks)).toBeNull();
    expect(parseNumber('1 000_000')).toBe(1_000_000);
    expect(numberProblem('2.5', cost)).toBeNull();
    expect(numberProblem('60001', cost)).toBe('Between 0 and 60,000.');
  });

  it('names the box in the form’s message', () => {
    expect(formProblem({})).toBeNull();
    expect(formProblem({ 'Task count': 'Enter a whole number.' })).toBe(
      'Fix “Task count” to run: enter a whole number.',
    );
  });
});
