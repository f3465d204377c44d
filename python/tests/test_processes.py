"""Start methods, the host's pool overrides, killed workers, host loss and
the shared clock."""

import os
import signal
import subprocess
import time

import pytest

from collector import Collector
from conftest import BOOT, EXAMPLES, PYTHON, example, interpreters

START_METHODS = ["fork", "spawn", "forkserver"]


@pytest.mark.parametrize("python", interpreters)
@pytest.mark.parametrize("method", START_METHODS)
def test_pool_map_under_each_start_method(traced, method, python):
    run = traced("api_pool_map.py", method, python=python)
    assert run.stdout == b"[0, 1, 8, 27, 64, 125, 216, 343, 512, 729, 1000, 1331]\n"
    [call] = run.calls().values()
    assert [t[0] for t in run.tasks(call[1])] == list(range(12))
    # terminate() may kill a slow-starting (spawned) worker before it says hello.
    workers = run.children("pool-worker")
    assert {t[2] for t in run.tasks(call[1])} <= {c.pid for c in workers}
    assert all(c.hello[7] == method for c in workers)
    if method != "forkserver":  # the fork server is a forkserver worker's parent
        assert all(c.hello[3] == run.main.pid for c in workers)
    prefix = {"fork": "ForkPoolWorker-", "spawn": "SpawnPoolWorker-", "forkserver": "ForkServerPoolWorker-"}[method]
    assert all(c.hello[4].startswith(prefix) for c in workers)
    assert len(run.records("exit")) == 3


@pytest.mark.parametrize("method", START_METHODS)
def test_process_and_executor_under_each_start_method(traced, method):
    run = traced("q3_process.py", method)
    assert run.stdout == b"Child process is running.\nMain process is done.\n"
    [child] = run.children("process")
    assert child.hello[7] == method and child.saw_bye
    [out] = [r for r in child.records if r[0] == "out"]
    assert out[4] is not None and out[7] == "Child process is running."


@pytest.mark.parametrize("method", START_METHODS)
def test_process_pool_executor_under_each_start_method(traced, method):
    run = traced("api_process_executor.py", method)
    assert run.stdout == b"[0, 1, 8, 27]\n[0, 1, 8, 27, 64, 125]\n"
    assert len(run.records("done")) == 10
    assert {c.hello[7] for c in run.children("executor-worker")} == {method}


def test_processes_override_sets_every_pool_size(traced):
    run = traced("pool_sizes.py", env={"POOLSCOPE_PROCESSES": 3})
    assert run.stdout == b"4 4\n"
    assert sorted(r[3] for r in run.records("pool")) == [3, 3]
    for pool in run.records("pool"):
        assert len([c for c in run.children("pool-worker") if c.hello[6] == pool[1]]) == 3


def test_pool_kind_thread_turns_process_pools_into_thread_pools(traced):
    run = traced("api_process_executor.py", env={"POOLSCOPE_POOL_KIND": "thread", "POOLSCOPE_PROCESSES": 3})
    assert run.stdout == b"[0, 1, 8, 27]\n[0, 1, 8, 27, 64, 125]\n"
    [pool] = run.records("pool")
    assert pool[2:4] == ["ProcessPoolExecutor", 3] and pool[6] == "ThreadPoolExecutor"
    assert run.children() == []
    assert {r[3] for r in run.records("done")} == {run.main.pid}


def test_pool_kind_thread_turns_a_pool_into_a_thread_pool(traced):
    run_pool = traced("q1_squares.py", env={"POOLSCOPE_POOL_KIND": "thread"})
    assert run_pool.stdout.startswith(b"[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]\n")
    [pool] = run_pool.records("pool")
    assert pool[2:4] == ["Pool", 5] and pool[6] == "ThreadPool"
    assert len([r for r in run_pool.records("thread") if r[4] == "pool-thread"]) == 5


def test_bad_settings_are_ignored_with_a_warning(traced):
    run = traced("q4_pool.py", env={"POOLSCOPE_PROCESSES": 99, "POOLSCOPE_POOL_KIND": "gpu"})
    assert run.stdout == b"Results: [2, 4, 6, 8, 10]\n"
    assert [r[2:4] for r in run.records("pool")] == [["Pool", 5]]
    warnings = [r[3] for r in run.records("warn")]
    assert len(warnings) == 2 and "POOLSCOPE_PROCESSES" in warnings[0] and "POOLSCOPE_POOL_KIND" in warnings[1]


def test_pool_kind_serial_gives_one_worker_thread(traced):
    run = traced("pool_sizes.py", env={"POOLSCOPE_POOL_KIND": "serial", "POOLSCOPE_PROCESSES": 4})
    assert run.stdout == b"4 4\n"
    assert [r[3] for r in run.records("pool")] == [1, 1]
    assert len({r[4] for r in run.records("done")}) == 2  # one thread for each pool


def _start_traced(collector, script, **env):
    return subprocess.Popen([PYTHON, example(script)], env=collector.env(**env), cwd=EXAMPLES,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out")


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_worker_killed_from_outside_closes_without_bye_and_its_parent_reports_the_exit(collector):
    program = _start_traced(collector, "hanging.py")
    try:
        workers = _wait_for(lambda: [c for c in collector.connections if c.hello and c.hello[5] == "pool-worker"]
                            if len([c for c in collector.connections if c.hello]) >= 3 else None)
        victim = workers[0]
        _wait_for(lambda: any(r[0] == "run" for r in victim.records))
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.closed.wait(5)
        assert not victim.saw_bye
        main = next(c for c in collector.connections if c.hello and c.hello[5] == "main")
        exit_record = _wait_for(lambda: next((r for r in main.records if r[0] == "exit" and r[1] == victim.pid), None))
        assert exit_record[3:] == [-9, "SIGKILL"]
    finally:
        os.killpg(program.pid, signal.SIGKILL)
        program.wait()


def test_host_loss_ends_the_program_and_its_workers_within_a_second(collector):
    program = _start_traced(collector, "hanging.py")
    try:
        _wait_for(lambda: len([c for c in collector.connections if c.hello]) >= 3)
        # Its workers can say hello before it prints: the line first, then the host goes.
        assert program.stdout.readline() == b"hanging\n"
        pids = [c.pid for c in collector.connections if c.hello]
        collector.drop_everything()  # the host goes away: listening socket and every connection
        lost_at = time.monotonic()
        program.wait(timeout=1.0)
        _wait_for(lambda: not any(_alive(pid) for pid in pids), timeout=1.0 - (time.monotonic() - lost_at))
        assert program.returncode == 70
    finally:
        if program.poll() is None:
            os.killpg(program.pid, signal.SIGKILL)
            program.wait()


def test_monotonic_clock_of_a_traced_child_is_nodes_hrtime(traced):
    def node_now():
        return int(subprocess.run(["node", "-e", "console.log(String(process.hrtime.bigint()))"],
                                  capture_output=True, check=True, text=True).stdout)

    before = node_now()
    run = traced("clock.py")
    after = node_now()
    worker_read = int(run.stdout)
    assert before < worker_read < after
    [worker] = run.children("pool-worker")
    assert before < worker.hello[9] < after


def test_without_poolscope_trace_nothing_is_loaded():
    env = dict(os.environ, PYTHONPATH=BOOT)
    env.pop("POOLSCOPE_TRACE", None)
    code = "import sys; print('poolscope_trace' in sys.modules, sys.stdout.__class__.__name__)"
    probe = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert probe.stdout == "False TextIOWrapper\n"


def test_tcp_transport_as_on_windows():
    with Collector(BOOT, tcp=True) as host:
        completed = subprocess.run([PYTHON, example("q4_pool.py")], env=host.env(), capture_output=True, timeout=60)
        host.wait_closed(10)
    assert completed.stdout == b"Results: [2, 4, 6, 8, 10]\n"
    assert len([c for c in host.connections if c.hello and c.saw_bye]) >= 1
    assert sorted(r[8] for c in host.connections for r in c.records if r[0] == "done") == [2, 4, 6, 8, 10]
