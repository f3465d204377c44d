/** Boxes tell their form what is wrong with them; the form's action refuses while anything is. */
import { useCallback } from 'react';
import { formProblem, useApp, type FormName } from '../store';

/** The `onProblem` of one box of a form, named as its label reads. */
export function useBoxProblem(form: FormName, box: string): (problem: string | null) => void {
  return useCallback((problem: string | null) => useApp.getState().setProblem(form, box, problem), [form, box]);
}

/** Why the form cannot run now, naming the box; null when every box holds a value. */
export function useFormProblem(form: FormName): string | null {
  return useApp((s) => formProblem(s.problems[form]));
}
