/**
 * The live controls' Python program: one of the shipped examples, a script on
 * the host's machine, or pasted code, with its arguments and how its pools are
 * sized. Run traces it in the same views as the engine's runs.
 */
import { memo, useEffect, useLayoutEffect, useMemo } from 'react';
import { POOL_KINDS } from '../../../shared/commands';
import { LIMITS } from '../../../shared/run-spec';
import { plural } from '../../../shared/format';
import { report } from '../app/pool-commands';
import { useRuntime } from '../app/runtime';
import { useApp, type PoolKindChoice, type ProgramFrom } from '../store';
import { PYTHON_BOXES, pythonRequestFor } from './python-form';
import { Field, Segmented } from './ui';

const FROM: readonly ProgramFrom[] = ['example', 'path', 'code'];
const FROM_NAMES: Record<ProgramFrom, string> = { example: 'example', path: 'script file', code: 'paste code' };
const POOL_KIND_CHOICES: readonly PoolKindChoice[] = ['as-written', ...POOL_KINDS.filter((k) => k !== 'process')];
const POOL_KIND_NAMES: Record<PoolKindChoice, string> = {
  'as-written': 'as written',
  thread: 'threads',
  serial: 'serial',
};

/** Reports each box's problem to the live form (so Run refuses and names it), and clears them when the panel goes. */
function usePythonProblems(): Partial<Record<string, string>> {
  const form = useApp((s) => s.python);
  const poolSize = useApp((s) => s.spec.poolSize);
  const problems = useMemo(() => {
    const made = pythonRequestFor(form, poolSize);
    return made.ok ? {} : made.problems;
  }, [form, poolSize]);
  useLayoutEffect(() => {
    const { setProblem } = useApp.getState();
    for (const box of Object.values(PYTHON_BOXES)) setProblem('live', box, problems[box] ?? null);
  }, [problems]);
  useLayoutEffect(
    () => () => {
      for (const box of Object.values(PYTHON_BOXES)) useApp.getState().setProblem('live', box, null);
    },
    [],
  );
  return problems;
}

export const PythonProgramControls = memo(function PythonProgramControls() {
  const { api } = useRuntime();
  const form = useApp((s) => s.python);
  const setPython = useApp((s) => s.setPython);
  const setup = useApp((s) => s.pythonSetup);
  const desktop = useApp((s) => s.host?.host === 'electron');
  const problems = usePythonProblems();

  useEffect(() => {
    if (useApp.getState().pythonSetup) return;
    void api.pythonSetup().then((r) => {
      if (r.ok) useApp.getState().setPythonSetup(r.value);
      else report('Could not ask the host about Python', r);
    });
  }, [api]);

  const choose = () =>
    void api.choosePythonScript().then((r) => {
      if (!r.ok) report('Could not open the file dialog', r);
      else if (r.value.path) setPython({ path: r.value.path });
    });

  return (
    <section className="control-group" aria-labelledby="group-program">
      <h2 id="group-program">Program</h2>
      <InterpreterLine />
      <Field
        label="Program"
        tip="Run one of the programs that come with Poolscope, a script on the host's machine, or code you paste. Its pools, executors, processes and threads appear in the views as they work; what it prints appears in the console, unchanged."
      >
        <Segmented
          label="Program"
          options={FROM}
          value={form.from}
          names={FROM_NAMES}
          onChange={(from) => setPython({ from })}
        />
      </Field>
      {form.from === 'example' && (
        <Field
          label="Example"
          htmlFor="python-example"
          tip="Programs that ship with Poolscope: the multiprocessing assignment's six classic examples (q1 … q6), and one program per pool API."
        >
          <select
            id="python-example"
            className="select"
            value={form.example}
            aria-invalid={problems[PYTHON_BOXES.example] !== undefined}
            onChange={(e) => setPython({ example: e.target.value })}
          >
            {!setup?.examples.some((x) => x.name === form.example) && (
              <option value={form.example}>{form.example}</option>
            )}
            {setup?.examples.map((example) => (
              <option key={example.name} value={example.name}>
                {example.name}
              </option>
            ))}
          </select>
          <p className="field-hint">{setup?.examples.find((x) => x.name === form.example)?.title ?? ' '}</p>
        </Field>
      )}
      {form.from === 'path' && (
        <Field
          label="Script path"
          htmlFor="python-path"
          tip="The path of a .py file on the machine the host runs on; it runs with its own folder as the working directory."
          hint={
            desktop ? undefined : 'This host has no file dialog: type the path of the script on the host’s machine.'
          }
        >
          <div className="path-row">
            <input
              id="python-path"
              className="text-input"
              type="text"
              spellCheck={false}
              placeholder="/home/me/work/crunch.py"
              value={form.path}
              aria-invalid={problems[PYTHON_BOXES.path] !== undefined}
              onChange={(e) => setPython({ path: e.target.value })}
            />
            {desktop && (
              <button type="button" className="btn small" onClick={choose}>
                Choose…
              </button>
            )}
          </div>
        </Field>
      )}
      {form.from === 'code' && (
        <Field
          label="Code"
          htmlFor="python-code"
          tip={`A whole Python program, up to ${plural(LIMITS.pythonCode.max / 1024, 'KiB')}. Guard its pools with if __name__ == "__main__": as a script must.`}
        >
          <textarea
            id="python-code"
            className="code-input"
            rows={9}
            spellCheck={false}
            placeholder={
              'from multiprocessing import Pool\n\nif __name__ == "__main__":\n    with Pool() as pool:\n        print(pool.map(abs, range(-4, 4)))'
            }
            value={form.code}
            aria-invalid={problems[PYTHON_BOXES.code] !== undefined}
            onChange={(e) => setPython({ code: e.target.value })}
          />
        </Field>
      )}
      <Field
        label="Arguments"
        htmlFor="python-args"
        tip="What the program finds in sys.argv[1:], split at spaces; quote an argument that contains one."
        hint={problems[PYTHON_BOXES.args]}
      >
        <input
          id="python-args"
          className="text-input"
          type="text"
          spellCheck={false}
          placeholder="none"
          value={form.args}
          aria-invalid={problems[PYTHON_BOXES.args] !== undefined}
          onChange={(e) => setPython({ args: e.target.value })}
        />
      </Field>
      <Field
        label="Pool kind"
        tip="As written keeps every pool as the program makes it. Threads turns its process pools into thread pools in one process — the real GIL at work; serial gives every pool a single worker: the baseline."
      >
        <Segmented
          label="Pool kind"
          options={POOL_KIND_CHOICES}
          value={form.poolKind}
          names={POOL_KIND_NAMES}
          onChange={(poolKind) => setPython({ poolKind })}
        />
      </Field>
    </section>
  );
});

/** Which Python the host runs programs with, or why it has none and how to fix that. */
function InterpreterLine() {
  const setup = useApp((s) => s.pythonSetup);
  if (!setup) return <p className="field-hint interpreter">Asking the host which Python it runs…</p>;
  if (setup.error)
    return (
      <p className="form-problem interpreter" role="alert" data-testid="python-interpreter">
        No Python to run programs with: {setup.error}
      </p>
    );
  return (
    <p className="field-hint interpreter" data-testid="python-interpreter">
      Python {setup.version} · <code title={setup.interpreter ?? undefined}>{setup.interpreter}</code>
    </p>
  );
}
