"""The cluster sources against real local clusters (2 workers): the Dask
bridge (attached, owned, scaled, a worker killed, the scheduler gone), a
traced program's own Dask Client, and a traced Ray Pool program.

They need .venv with python/requirements-cluster.txt; without it they are
skipped, saying so (POOLSCOPE_REQUIRE_CLUSTER=1, as CI sets, fails instead).
"""

import collections
import importlib.util
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from collector import Collector
from conftest import BOOT

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cluster_scripts")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # python/: the converter
VENV_PYTHON = sys.executable  # pytest runs from .venv, where the engines are installed
HINT = ".venv/bin/pip install -r python/requirements-cluster.txt"


def _engine(module, what):
    present = importlib.util.find_spec(module) is not None
    if not present and os.environ.get("POOLSCOPE_REQUIRE_CLUSTER"):
        raise RuntimeError("%s is not installed in %s: %s" % (what, sys.prefix, HINT))
    return pytest.mark.skipif(not present, reason="%s is not installed in %s: %s" % (what, sys.prefix, HINT))


needs_dask = _engine("distributed", "Dask (distributed)")
needs_ray = _engine("ray", "Ray")


# No orphans: every process a test starts carries a mark in its environment.

def _marked(mark):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as environ:
                if mark in environ.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


@pytest.fixture
def mark():
    value = "POOLSCOPE_TEST_MARK=%s" % uuid.uuid4().hex
    yield value
    deadline = time.monotonic() + 30
    left = _marked(value.encode())
    while left and time.monotonic() < deadline:
        time.sleep(0.25)
        left = _marked(value.encode())
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    assert not left, "processes left behind: %s" % left


@pytest.fixture
def host():
    with Collector(BOOT) as collector:
        yield collector


def _env(host, mark, **extra):
    env = host.env(**extra)
    key, _, value = mark.partition("=")
    env[key] = value
    return env


class BridgeProcess(object):
    """A bridge the way the host runs it: commands in, JSON lines out."""

    def __init__(self, host, mark, module, *args):
        self.process = subprocess.Popen([VENV_PYTHON, "-m", module] + list(args), env=_env(host, mark),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        self.replies = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.replies.put(json.loads(line))

    def send(self, command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def reply(self, timeout=120, command=None):
        deadline = time.monotonic() + timeout
        while True:
            message = self.replies.get(timeout=max(0.1, deadline - time.monotonic()))
            if command is None or message.get("command") == command:
                return message

    def stop(self, timeout=60):
        if self.process.poll() is None:
            try:
                self.send({"stop": True})
            except OSError:
                pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, self.process.stderr.read()


def _records(host, kind):
    return host.records(kind)


def _settled(host):
    """(call, index) -> [kinds], for lane-done and lane-fail."""
    out = collections.defaultdict(list)
    for record in host.records():
        if record[0] in ("lane-done", "lane-fail"):
            out[(record[1], record[2])].append(record[0])
    return out


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _lane_groups(host):
    return {record[1]: record[4] for record in host.records("lane")}


def test_an_address_where_nothing_listens_is_refused_at_once():
    """The engines' clients would retry a refused connection until they time out."""
    import socket
    from poolscope_trace.cluster import check_reachable
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    for address in ("tcp://127.0.0.1:%d" % port, "127.0.0.1:%d" % port, "ray://127.0.0.1:%d" % port):
        check_reachable(address)
    listener.close()
    started = time.monotonic()
    with pytest.raises(ConnectionError, match=r"^nothing answers at tcp://127.0.0.1:%d \(Connection refused\)$" % port):
        check_reachable("tcp://127.0.0.1:%d" % port)
    assert time.monotonic() - started < 1
    for address in ("auto", "inproc://x", "ucx://127.0.0.1:1"):
        check_reachable(address)  # not ours to judge


@needs_ray
def test_attaching_to_a_ray_address_where_nothing_listens_fails_at_once(host, mark):
    """ray.init would wait minutes for a head that is not there."""
    import socket
    with socket.create_server(("127.0.0.1", 0)) as listener:
        address = "127.0.0.1:%d" % listener.getsockname()[1]
    started = time.monotonic()
    bridge = BridgeProcess(host, mark, "poolscope_trace.ray_bridge", "--address", address)
    code, stderr = bridge.stop(timeout=60)
    assert code == 1, stderr[-2000:]
    assert time.monotonic() - started < 30
    assert "nothing answers at %s" % address in stderr
    host.wait_closed(10)
    [gone] = host.records("gone")
    assert "nothing answers" in gone[2]


@needs_dask
def test_a_1000_task_map_reports_every_task_on_the_worker_dask_ran_it_on(host, mark):
    """A traced program's own Client: followed in its process, every task once,
    on the worker Dask's who_has names; a task that raises is a lane-fail."""
    completed = subprocess.run([VENV_PYTHON, os.path.join(SCRIPTS, "dask_client.py"), "1000"],
                               env=_env(host, mark), capture_output=True, text=True, timeout=240)
    assert completed.returncode == 0, completed.stderr[-3000:]
    host.wait_closed(10)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["sum"] == sum(i * i for i in range(1000))
    mains = [c for c in host.connections if c.hello and c.hello[5] == "main"]
    assert len(mains) == 1, [c.hello for c in host.connections]  # the workers stay untraced
    calls = {r[4]: r for r in host.records("call")}
    assert calls["square"][3] == "client.map"
    square = calls["square"][1]
    groups = _lane_groups(host)
    done = [r for r in host.records("lane-done") if r[1] == square]
    assert sorted(r[2] for r in done) == list(range(1000))  # each task once
    assert all(groups[r[3]] == result["placement"][r[2]] for r in done)
    assert len(set(groups.values())) == 2
    assert all(r[4] <= r[5] for r in done)
    # Pools, threads and processes of Dask's own are not reported as the program's.
    assert not host.records("pool") and not [r for r in host.records("call") if r[3] in ("Thread", "Process")]
    # The failing map: one lane-fail with the error, the nine others done.
    failing = calls["seven_fails"][1]
    fails = [r for r in host.records("lane-fail") if r[1] == failing]
    assert [(r[2], r[7]) for r in fails] == [(7, "ValueError: seven is not allowed")]
    assert len([r for r in host.records("lane-done") if r[1] == failing]) == 9
    assert result["errors"].count("ValueError") == 1
    assert {r[1] for r in host.records("call-end")} >= {square, failing}


@needs_dask
def test_scaling_2_4_1_during_a_run_counts_every_task_once(host, mark):
    bridge = BridgeProcess(host, mark, "poolscope_trace.dask_bridge", "--local", "2", "1")
    try:
        ready = bridge.reply(60)
        assert ready["ok"] and ready["ready"]["owned"], ready
        bridge.send({"run": {"workload": "io", "tasks": 150, "costMs": 60}})
        assert _wait_for(lambda: len(host.records("lane-done")) >= 10)
        bridge.send({"scale": 4})
        assert bridge.reply(30, "scale")["ok"]
        assert _wait_for(lambda: len(set(_lane_groups(host).values())) >= 4, 60)
        bridge.send({"scale": 1})
        assert bridge.reply(30, "scale")["ok"]
        ran = bridge.reply(180, "run")
        assert ran["ok"] and ran["failed"] == 0, ran
        assert _wait_for(lambda: len(_settled(host)) >= 150, 10)
    finally:
        code, stderr = bridge.stop()
    assert code == 0, stderr[-3000:]
    host.wait_closed(10)
    settled = _settled(host)
    assert sorted(index for _, index in settled) == list(range(150))
    assert all(kinds == ["lane-done"] for kinds in settled.values())
    assert len(set(_lane_groups(host).values())) >= 4
    ended = {r[1] for r in host.records("lane-end")}
    assert len({_lane_groups(host)[lane] for lane in ended}) >= 3  # three workers retired, then all closed
    assert [r[1] for r in host.records("mark") if r[1].startswith("scale")] == [
        "scale to 4 workers", "scale to 1 workers"]
    assert host.connections[0].saw_bye


@needs_dask
def test_a_worker_killed_mid_run_shows_the_lost_attempt_and_the_retry(host, mark):
    bridge = BridgeProcess(host, mark, "poolscope_trace.dask_bridge", "--local", "2", "1")
    try:
        assert bridge.reply(60)["ok"]
        bridge.send({"run": {"workload": "io", "tasks": 6, "costMs": 1000}})
        assert _wait_for(lambda: len(host.records("lane-run")) >= 2, 60)
        pids = {r[1]: r[5] for r in host.records("lane")}
        victim_lane = host.records("lane-run")[0][3]
        os.kill(pids[victim_lane], signal.SIGKILL)
        ran = bridge.reply(180, "run")
        assert ran["ok"] and ran["failed"] == 0, ran
        assert _wait_for(lambda: len(_settled(host)) >= 6, 10)
    finally:
        code, stderr = bridge.stop()
    assert code == 0, stderr[-3000:]
    host.wait_closed(10)
    attempts = host.records("attempt")
    assert attempts and all(r[6] == "worker-lost" for r in attempts), attempts
    assert all(r[3] == victim_lane for r in attempts)
    settled = _settled(host)
    assert sorted(index for _, index in settled) == list(range(6))
    assert all(kinds == ["lane-done"] for kinds in settled.values())
    retried = {(r[1], r[2]) for r in attempts}
    finals = {(r[1], r[2]): r[3] for r in host.records("lane-done")}
    assert all(finals[task] != victim_lane for task in retried)  # the retry ran elsewhere
    assert "crashed" in {r[3] for r in host.records("lane-end") if r[1] == victim_lane}


@needs_dask
def test_the_scheduler_going_away_gives_gone_and_the_bridge_exits(host, mark):
    scheduler = subprocess.Popen([VENV_PYTHON, os.path.join(SCRIPTS, "dask_scheduler.py")],
                                 env=_env(host, mark), stdout=subprocess.PIPE, text=True)
    try:
        address = scheduler.stdout.readline().strip()
        assert address.startswith("tcp://"), address
        bridge = BridgeProcess(host, mark, "poolscope_trace.dask_bridge", "--scheduler", address)
        ready = bridge.reply(60)
        assert ready["ok"] and not ready["ready"]["owned"]
        bridge.send({"scale": 3})
        refused = bridge.reply(30, "scale")
        assert not refused["ok"] and "not started by this bridge" in refused["error"]
        assert _wait_for(lambda: host.records("lane"), 30)
        scheduler.kill()
        bridge.process.wait(60)
        code, stderr = bridge.stop()
    finally:
        scheduler.kill()
        scheduler.wait()
    assert code == 0, stderr
    host.wait_closed(10)
    [gone] = host.records("gone")
    assert address in gone[2]
    assert "went away" in stderr


@needs_ray
def test_a_ray_pool_map_program_is_followed(host, mark, tmp_path):
    timeline = str(tmp_path / "timeline.json")
    completed = subprocess.run([VENV_PYTHON, os.path.join(SCRIPTS, "ray_pool.py"), timeline], env=_env(host, mark),
                               capture_output=True, text=True, timeout=240)
    assert completed.returncode == 0, completed.stderr[-3000:]
    host.wait_closed(10)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["results"] == [x * x for x in range(20)]
    mains = [c for c in host.connections if c.hello and c.hello[5] == "main"]
    assert len(mains) == 1, [c.hello for c in host.connections]  # Ray's processes stay untraced
    calls = {r[3]: r for r in host.records("call")}
    assert "Pool.map" in calls and "ray.remote" in calls, calls
    lanes = {r[1]: r for r in host.records("lane")}
    assert all(r[2] == "process" and r[4].startswith("node ") for r in lanes.values())
    for method, count in (("Pool.map", None), ("ray.remote", 5)):
        call = calls[method][1]
        done = [r for r in host.records("lane-done") if r[1] == call]
        assert done and all(r[3] in lanes for r in done)
        assert sorted(r[2] for r in done) == list(range(len(done)))
        if count is not None:
            assert len(done) == count
    # Its `ray timeline` file, converted: one slice per task, Pool batches and the 5 remote calls.
    from poolscope_trace import ray_timeline

    with open(timeline) as source:
        converted = ray_timeline.convert(json.load(source))
    slices = [e for e in converted["traceEvents"] if e["ph"] == "X"]
    names = collections.Counter(e["name"] for e in slices)
    assert names["square"] == 5 and names["PoolActor.run_batch"] >= 1, names
    assert all(e["dur"] >= 0 and len(e["tid"]) <= 64 and len(e["pid"]) <= 64 for e in slices)
    assert all("execute_ms" in e["args"] for e in slices)
