"""Each API shows up with the right lanes (processes or threads), calls and
task counts."""

import pytest

from conftest import interpreters


def _one_call(run, method):
    calls = [c for c in run.calls().values() if c[3] == method]
    assert len(calls) == 1, run.calls()
    return calls[0]


def _assert_complete(run, call, count):
    """Every task 0…count-1 submitted, finished once, and the call ended."""
    submitted = sorted(i for r in run.records("submit") if r[1] == call[1] for i in range(r[2], r[2] + r[3]))
    assert submitted == list(range(count))
    assert [t[0] for t in run.tasks(call[1])] == list(range(count))
    assert [r[2] for r in run.records("call-end") if r[1] == call[1]] == [count]


def _worker_pids(run, pool_id, role):
    return {c.pid for c in run.children(role) if c.hello[6] == pool_id}


@pytest.mark.parametrize("python", interpreters)
def test_pool_map_runs_on_worker_processes(traced, python):
    run = traced("api_pool_map.py", python=python)
    [pool] = run.records("pool")
    assert pool[2:4] == ["Pool", 3]
    call = _one_call(run, "map")
    assert call[2] == pool[1] and call[4] == "cube" and call[5] == 2 and call[6] == 12
    _assert_complete(run, call, 12)
    workers = _worker_pids(run, pool[1], "pool-worker")
    assert len(workers) == 3
    assert {t[2] for t in run.tasks(call[1])} <= workers
    assert all(r[8] == r[2] ** 3 for r in run.records("done"))
    assert sorted(r[1] for r in run.records("exit")) == sorted(workers)
    assert [r[2] for r in run.records("pool-op")] == ["terminate"]


@pytest.mark.parametrize("script, method, count", [
    ("api_pool_imap.py", "imap", 9),
    ("api_pool_imap_unordered.py", "imap_unordered", 10),
    ("api_pool_starmap.py", "starmap", 6),
])
def test_pool_lazy_and_star_calls(traced, script, method, count):
    run = traced(script)
    call = _one_call(run, method)
    _assert_complete(run, call, count)
    assert {t[2] for t in run.tasks(call[1])} <= {c.pid for c in run.children("pool-worker")}


def test_pool_apply_async_and_apply_are_one_task_calls(traced):
    run = traced("api_pool_apply_async.py")
    methods = sorted(c[3] for c in run.calls().values())
    assert methods == ["apply"] + ["apply_async"] * 5
    for call in run.calls().values():
        _assert_complete(run, call, 1)


def test_thread_pool_runs_on_threads_of_the_main_process(traced):
    run = traced("api_thread_pool.py")
    [pool] = run.records("pool")
    assert pool[2:4] == ["ThreadPool", 3]
    call = _one_call(run, "map")
    _assert_complete(run, call, 8)
    threads = {r[2] for r in run.records("thread") if r[4] == "pool-thread" and r[5] == pool[1]}
    assert len(threads) == 3
    assert {(t[2], t[3]) for t in run.tasks(call[1])} <= {(run.main.pid, tid) for tid in threads}
    assert run.children() == []
    # terminate() does not wait for a ThreadPool's daemon threads: some may outlive bye.
    assert {r[2] for r in run.records("thread-end")} <= threads


@pytest.mark.parametrize("python", interpreters)
def test_process_pool_executor_submit_and_map(traced, python):
    run = traced("api_process_executor.py", python=python)
    [pool] = run.records("pool")
    assert pool[2:4] == ["ProcessPoolExecutor", 2]
    submits = [c for c in run.calls().values() if c[3] == "submit"]
    assert len(submits) == 4
    for call in submits:
        _assert_complete(run, call, 1)
    mapped = _one_call(run, "executor.map")
    assert mapped[5] == 2
    _assert_complete(run, mapped, 6)
    workers = _worker_pids(run, pool[1], "executor-worker")
    assert 1 <= len(workers) <= 2
    assert {t[2] for t in run.tasks(mapped[1])} <= workers
    assert [r[2] for r in run.records("pool-op")] == ["shutdown"]


def test_thread_pool_executor_submit_and_map(traced):
    run = traced("api_thread_executor.py")
    [pool] = run.records("pool")
    assert pool[2:4] == ["ThreadPoolExecutor", 2]
    assert sorted(c[3] for c in run.calls().values()) == ["executor.map"] + ["submit"] * 3
    mapped = _one_call(run, "executor.map")
    _assert_complete(run, mapped, 5)
    threads = {r[2] for r in run.records("thread") if r[4] == "executor-thread"}
    assert 1 <= len(threads) <= 2
    assert {t[3] for t in run.tasks(mapped[1])} <= threads


def test_threads_are_one_task_calls_on_their_own_lanes(traced):
    run = traced("api_threads.py")
    assert run.stdout.decode().splitlines()[-1] == "threads joined: 1"  # the flusher is not counted
    calls = [c for c in run.calls().values() if c[3] == "Thread"]
    assert len(calls) == 3 and all(c[2] is None and c[4] == "shout" for c in calls)
    lanes = {r[2] for r in run.records("thread") if r[4] == "thread"}
    assert len(lanes) == 3
    for call in calls:
        _assert_complete(run, call, 1)
        [task] = run.tasks(call[1])
        assert task[3] in lanes
    tagged = {r[4] for r in run.records("out") if r[7].startswith("thread ")}
    assert tagged == {c[1] for c in calls}


def test_process_is_a_one_task_call_with_its_exit(traced):
    run = traced("q3_process.py")
    call = _one_call(run, "Process")
    assert call[2] is None and call[4] == "greet"
    _assert_complete(run, call, 1)
    [child] = run.children("process")
    assert child.saw_bye
    assert [r[1:2] + r[3:] for r in run.records("exit")] == [[child.pid, 0, None]]


def test_two_maps_are_two_calls(traced):
    run = traced("two_maps.py")
    maps = sorted((c[7], c) for c in run.calls().values() if c[3] == "map")
    assert [c[4] for _, c in maps] == ["square", "cube"]
    _assert_complete(run, maps[0][1], 5)
    _assert_complete(run, maps[1][1], 7)
    assert {r[8] for r in run.records("done") if r[1] == maps[1][1][1]} == {n ** 3 for n in range(7)}


def test_a_failing_task_is_reported_with_its_type(traced):
    run = traced("failing_task.py", check=False)
    assert run.completed.returncode == 1
    [fail] = run.records("fail")
    assert fail[2] == 3 and fail[8] == "ZeroDivisionError: integer division or modulo by zero"
    assert fail[6] >= fail[5] >= 0 and fail[7] >= 0
    assert sorted(r[2] for r in run.records("done")) == [0, 1, 2, 4]


def test_a_worker_killed_once_idle_has_sent_every_task_it_ran(traced, tmp_path):
    # Pool.terminate (``with Pool`` on leaving) kills idle workers at once,
    # and after a long stream of short tasks a worker's flusher sleeps long:
    # a worker sends what it holds before it waits for the next task.
    script = tmp_path / "killed_when_idle.py"
    script.write_text(
        "import multiprocessing as mp, os, signal, time\n"
        "def spin(n):\n"
        "    end = time.perf_counter() + 0.001\n"
        "    while time.perf_counter() < end:\n"
        "        pass\n"
        "    return n\n"
        "if __name__ == '__main__':\n"
        "    pool = mp.Pool(2)\n"
        "    pool.map(spin, range(600), chunksize=1)\n"
        "    time.sleep(0.05)\n"
        "    for worker in pool._pool:\n"
        "        os.kill(worker.pid, signal.SIGKILL)\n"
        "    pool.close()  # sends the main's records: the call's end\n"
        "    os._exit(0)  # not terminate(): a killed worker may hold the queue's lock\n"
    )
    run = traced(str(script))
    _assert_complete(run, _one_call(run, "map"), 600)
    assert not any(c.saw_bye for c in run.children("pool-worker"))
