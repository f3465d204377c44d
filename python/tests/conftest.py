"""Runs real Python programs with and without the tracer, against a
Collector standing in for the host."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from collector import Collector  # noqa: E402

PYTHON_DIR = os.path.dirname(HERE)
BOOT = os.path.join(PYTHON_DIR, "boot")
EXAMPLES = os.path.join(PYTHON_DIR, "examples")
SYSTEM_PYTHON = "/usr/bin/python3"
# The interpreter running pytest is the venv's; run programs with the base
# one so the tests see what a user's python3 does (or with POOLSCOPE_TEST_PYTHON).
PYTHON = os.environ.get("POOLSCOPE_TEST_PYTHON") or getattr(sys, "_base_executable", None) or sys.executable
PYTHON_VERSION = tuple(int(part) for part in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True, check=True
).stdout.split())

interpreters = [PYTHON]
if os.path.exists(SYSTEM_PYTHON) and os.path.realpath(SYSTEM_PYTHON) != os.path.realpath(PYTHON):
    interpreters.append(SYSTEM_PYTHON)


def example(name):
    return os.path.join(EXAMPLES, name)


def run_untraced(script, *args, python=PYTHON, timeout=60):
    env = dict(os.environ)
    for key in ("POOLSCOPE_TRACE", "POOLSCOPE_TRACE_TOKEN", "POOLSCOPE_PROCESSES", "POOLSCOPE_POOL_KIND"):
        env.pop(key, None)
    return subprocess.run([python, example(script)] + list(args), env=env, capture_output=True,
                          timeout=timeout, cwd=EXAMPLES)


class Traced(object):
    """One traced run: its completed process and what the collector got."""

    def __init__(self, collector, completed):
        self.collector = collector
        self.completed = completed
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def main(self):
        mains = [c for c in self.collector.connections if c.hello and c.hello[5] == "main"]
        assert len(mains) == 1, [c.hello for c in self.collector.connections]
        return mains[0]

    def children(self, role=None):
        return [c for c in self.collector.connections
                if c.hello and c.hello[5] != "main" and (role is None or c.hello[5] == role)]

    def records(self, kind):
        return self.collector.records(kind)

    def calls(self):
        return {r[1]: r for r in self.records("call")}

    def tasks(self, call_id):
        """(index, kind, pid, tid) of each done/fail record of the call."""
        return sorted((r[2], r[0], r[3], r[4]) for r in self.records("done") + self.records("fail")
                      if r[1] == call_id)


@pytest.fixture
def collector():
    with Collector(BOOT) as host:
        yield host


@pytest.fixture
def traced(collector):
    def run(script, *args, python=PYTHON, env=None, timeout=60, check=True):
        completed = subprocess.run([python, example(script)] + list(args), env=collector.env(**(env or {})),
                                   capture_output=True, timeout=timeout, cwd=EXAMPLES)
        collector.wait_closed(10)
        if check:
            assert completed.returncode == 0, completed.stderr.decode()
        assert not [c for c in collector.connections if c.bad_token]
        return Traced(collector, completed)

    return run
