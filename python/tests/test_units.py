"""The tracer's pure parts, in this process: encodings, the address and the
host's settings."""

import importlib.util
import os
import socket
import sys

import pytest

from conftest import PYTHON_DIR

# Loaded by path, as sitecustomize does (python/ itself is not on sys.path).
_package = os.path.join(PYTHON_DIR, "poolscope_trace")
_spec = importlib.util.spec_from_file_location("poolscope_trace", os.path.join(_package, "__init__.py"),
                                               submodule_search_locations=[_package])
poolscope_trace = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("poolscope_trace", poolscope_trace)
_spec.loader.exec_module(poolscope_trace)
from poolscope_trace import config, core, transport  # noqa: E402


@pytest.mark.parametrize("value, sent", [
    (7, 7), (-3, -3), (2 ** 53 - 1, 2 ** 53 - 1), (2 ** 53, "9007199254740992"), (1.5, 1.5),
    (float("nan"), "nan"), (float("inf"), "inf"), (None, None), (True, True), ("hi", "'hi'"),
])
def test_results_are_sent_exactly_when_json_can_hold_them(value, sent):
    assert core.encode_result(value) == sent


def test_big_results_are_a_short_repr_cut_to_80():
    sent = core.encode_result(list(range(10 ** 6)))
    assert sent.startswith("[0, 1, 2") and len(sent) <= 80
    long_text = core.encode_result("x" * 1000)
    assert len(long_text) <= 80 and long_text.endswith("'")
    assert core.cut("y" * 100, 80) == "y" * 79 + "\u2026"


def test_an_unrepresentable_result_names_its_type():
    class Broken(object):
        def __repr__(self):
            raise RuntimeError("no")

    assert core.encode_result(Broken()).startswith("<Broken instance at 0x")


def test_errors_are_type_and_message_cut_to_500():
    assert core.describe_error(ZeroDivisionError("division by zero")) == "ZeroDivisionError: division by zero"
    assert len(core.describe_error(ValueError("v" * 1000))) == 500


def test_a_task_records_its_outcome_and_keeps_the_exception():
    del core.buffer[:]
    core.traced(lambda n: n * 2, "9.1", 4)(21)
    task = core.traced(lambda: 1 // 0, "9.2", 0)
    with pytest.raises(ZeroDivisionError) as raised:
        task()
    done, fail = core.buffer[-2:]
    assert done[:3] == ("done", "9.1", 4) and done[8] == 42 and done[6] >= done[5]
    assert fail[:3] == ("fail", "9.2", 0) and fail[8] == "ZeroDivisionError: integer division or modulo by zero"
    assert core.running == {}
    if sys.version_info >= (3, 11):  # the wrapper's own frame is not in the traceback
        frames = [entry.name for entry in raised.traceback]
        assert "__call__" not in frames
    del core.buffer[:]


def test_a_task_that_ends_after_a_tick_sends_from_its_own_thread():
    # No flusher runs here: only the task's own thread can have sent.
    ours, host = socket.socketpair()
    host.setblocking(False)
    saved = transport._sock, transport._identity, core.send_due
    transport._sock, transport._identity = ours, ("process", None, "Test", None)
    try:
        del core.buffer[:]
        core.send_due = 0
        core.traced(lambda n: n, "9.3", 0)(5)
        assert b'["done","9.3",0,' in host.recv(65536)
        assert core.send_due > core.now()  # sent a moment ago: the next tasks' records wait
        core.traced(lambda n: n, "9.3", 1)(6)
        with pytest.raises(BlockingIOError):
            host.recv(65536)
        assert core.buffer[-1][:3] == ("done", "9.3", 1)
    finally:
        transport._sock, transport._identity, core.send_due = saved
        del core.buffer[:]
        ours.close()
        host.close()


def test_merged_submits_keep_order_and_gaps():
    batch = [["submit", "a", 0, 2, 1], ["done", "a", 0], ["submit", "a", 2, 3, 2], ["submit", "b", 0, 1, 3],
             ["submit", "a", 9, 1, 4]]
    assert transport._merge_submits(batch) == [["submit", "a", 0, 5, 1], ["done", "a", 0], ["submit", "b", 0, 1, 3],
                                               ["submit", "a", 9, 1, 4]]


def test_a_batch_over_the_line_limit_is_split():
    batch = [["out", 1, 1, "stdout", None, None, 1, "z" * 4000] for _ in range(2000)]
    lines = transport._encode_lines(batch)
    assert len(lines) > 1 and all(len(line) <= transport.LINE_LIMIT for line in lines)
    assert sum(line.count(b'"out"') for line in lines) == 2000


@pytest.mark.parametrize("text, address", [
    ("unix:/tmp/x.sock", ("unix", "/tmp/x.sock")), ("tcp:127.0.0.1:5000", ("tcp", "127.0.0.1", 5000)),
])
def test_addresses(text, address):
    assert transport.parse_address(text) == address


@pytest.mark.parametrize("text", ["", "unix:", "tcp:127.0.0.1", "http://x"])
def test_bad_addresses(text):
    with pytest.raises(ValueError):
        transport.parse_address(text)


def test_settings_from_the_environment():
    settings = config.read({"POOLSCOPE_PROCESSES": "3", "POOLSCOPE_POOL_KIND": "thread"})
    assert (settings.processes, settings.kind, settings.problems) == (3, "thread", [])
    assert settings.pool_size(8) == 3 and settings.pool_size(None) == 3
    serial = config.read({"POOLSCOPE_PROCESSES": "3", "POOLSCOPE_POOL_KIND": "serial"})
    assert serial.pool_size(8) == 1
    bad = config.read({"POOLSCOPE_PROCESSES": "99", "POOLSCOPE_POOL_KIND": "gpu"})
    assert (bad.processes, bad.kind, len(bad.problems)) == (None, "process", 2)
    assert config.read({}).pool_size(None) is None
