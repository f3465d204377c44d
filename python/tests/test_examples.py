"""The six classic examples print exactly what they should, traced; and
traced programs print byte for byte what they print untraced."""

import pytest

from conftest import PYTHON, PYTHON_VERSION, interpreters, run_untraced

EXACT = {
    "q1_squares.py": b"[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\nAll squares calculated with multiprocessing\n",
    "q3_process.py": b"Child process is running.\nMain process is done.\n",
    "q4_pool.py": b"Results: [2, 4, 6, 8, 10]\n",
    "q5_steps.py": b"Results: [2, 4, 6, 8, 10]\n",
}


@pytest.mark.parametrize("python", interpreters)
@pytest.mark.parametrize("script", sorted(EXACT))
def test_example_prints_exactly_its_output_traced(traced, script, python):
    run = traced(script, python=python)
    assert run.stdout == EXACT[script]
    assert run.stderr == b""
    assert run.main.saw_bye


def test_q6_prints_four_squares_in_any_order_then_the_end(traced):
    run = traced("q6_processes.py")
    lines = run.stdout.decode().splitlines()
    assert sorted(lines[:4]) == ["Process %d: The square of %d is %d." % (n, n, n * n) for n in range(1, 5)]
    assert lines[4:] == ["All processes have finished."]
    # Each child's line is tagged with its own Process call.
    outs = [r for r in run.records("out") if r[7].startswith("Process ")]
    assert len(outs) == 4 and all(r[4] in run.calls() and run.calls()[r[4]][3] == "Process" for r in outs)


def test_q2_measures_three_ways_and_agrees(traced):
    run = traced("q2_gil.py")
    lines = run.stdout.decode().splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["process", "thread", "serial"]
    assert lines[3] == "same results: True"
    kinds = sorted(r[2] for r in run.records("pool"))
    assert kinds == ["Pool", "ThreadPool"]


@pytest.mark.parametrize("python", interpreters)
@pytest.mark.parametrize("script", ["q1_squares.py", "q3_process.py", "q5_steps.py", "failing_task.py",
                                    "api_pool_apply_async.py", "api_process_executor.py",
                                    "api_thread_executor.py", "exits_while_running.py", "loud.py"])
def test_output_is_byte_for_byte_the_untraced_output(traced, script, python):
    if script == "failing_task.py" and python == PYTHON and PYTHON_VERSION < (3, 11):
        pytest.skip("Python 3.8-3.10 tracebacks show the tracer's frame (PROTOCOL.md: fail)")
    untraced = run_untraced(script, python=python)
    run = traced(script, python=python, check=False)
    assert run.completed.returncode == untraced.returncode
    assert run.stdout == untraced.stdout
    assert run.stderr == untraced.stderr


@pytest.mark.parametrize("script", ["q4_pool.py", "api_pool_map.py", "api_pool_imap.py", "api_pool_imap_unordered.py",
                                    "api_pool_starmap.py", "api_thread_pool.py", "two_maps.py", "pool_sizes.py"])
def test_the_other_examples_print_the_same_traced(traced, script):
    untraced = run_untraced(script)
    run = traced(script)
    assert (run.stdout, run.stderr) == (untraced.stdout, untraced.stderr)


def test_loud_output_arrives_as_lines_cut_at_4096(traced):
    run = traced("loud.py")
    assert len(run.stdout) > 3_000_000
    outs = run.records("out")
    stdout_lines = [r for r in outs if r[3] == "stdout"]
    # Every line printed, parent and workers, plus the unterminated last one.
    assert len(stdout_lines) == run.stdout.count(b"\n") + 1
    assert [r for r in run.main.records if r[0] == "out"][-1][7] == "no newline at the end"
    long_line = next(r for r in stdout_lines if r[7].startswith("a line that is far too long"))
    assert len(long_line[7]) == 4096
    worker_lines = [r for r in stdout_lines if r[7].startswith("worker task")]
    assert len(worker_lines) == 6 * 2000 and all(r[4] is not None for r in worker_lines)
    assert sorted(r[7] for r in outs if r[3] == "stderr") == ["task %d done" % n for n in range(6)]


def test_a_users_own_sitecustomize_still_runs(traced, tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.stderr.write('user sitecustomize ran\\n')\n")
    run = traced("q4_pool.py", env={"PYTHONPATH": str(tmp_path)})
    assert run.stderr == b"user sitecustomize ran\n"
    assert run.stdout == EXACT["q4_pool.py"]
    assert run.records("pool")
