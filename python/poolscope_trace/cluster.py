"""What the Dask and Ray bridges share (PROTOCOL.md: Cluster sources):
the wall-to-monotonic clock, lanes, the host's commands on stdin and the
replies on stdout, and the start and end of a bridge process.

Standard library only; the engines are imported by the bridges themselves.
"""

import json
import os
import signal
import socket
import sys
import threading
import time

from . import core, transport

INSTALL_HINT = ".venv/bin/pip install -r python/requirements-cluster.txt"
EXIT_USAGE = 2
EXIT_NO_ENGINE = 3
ENV_OF_OURS = ("POOLSCOPE_TRACE", "POOLSCOPE_TRACE_TOKEN", "POOLSCOPE_PROCESSES", "POOLSCOPE_POOL_KIND")


class Clock(object):
    """Engines stamp wall-clock seconds; records use time.monotonic_ns().
    The offset is the pair of readings closest together out of a few."""

    def __init__(self):
        best = None
        for _ in range(7):
            before = time.monotonic_ns()
            wall = time.time_ns()
            after = time.monotonic_ns()
            if best is None or after - before < best[0]:
                best = (after - before, (before + after) // 2 - wall)
        self.offset = best[1]

    def mono(self, wall_seconds):
        return int(wall_seconds * 1e9) + self.offset

    def mono_ns(self, wall_ns):
        return int(wall_ns) + self.offset


class Lanes(object):
    """Lanes by key: ``lane`` once when first seen, ``lane-end`` once."""

    def __init__(self):
        self._open = {}
        self.ended = set()
        self._lock = threading.Lock()

    def add(self, key, kind, name, group, pid, at):
        with self._lock:
            if key in self._open or key in self.ended:
                return False  # a lane is never reopened: its engine names a new one
            self._open[key] = group
        core.emit(["lane", key, kind, name, group, pid, at])
        return True

    def end(self, key, at, reason):
        with self._lock:
            if self._open.pop(key, None) is None:
                return
            self.ended.add(key)
        core.emit(["lane-end", key, at, reason])

    def end_group(self, group, at, reason):
        with self._lock:
            keys = [key for key, owner in self._open.items() if owner == group]
        for key in keys:
            self.end(key, at, reason)

    def end_all(self, at, reason):
        with self._lock:
            keys = list(self._open)
        for key in keys:
            self.end(key, at, reason)

    def is_open(self, key):
        return key in self._open


def mark(text, group=None):
    core.emit(["mark", core.cut(text, core.ERROR_LIMIT), group, core.now()])


def run_done(text):
    """The last record of a ``run`` command, in group ``run done``: the host
    ends the run when it reads it (the reply on stdout may overtake records)."""
    mark(text, "run done")


def gone(text):
    core.emit(["gone", core.now(), core.cut(text, core.ERROR_LIMIT)])
    transport.flush()


_reply_lock = threading.Lock()


def reply(message):
    """One JSON line to the host on stdout (answers to its commands)."""
    line = json.dumps(message, separators=(",", ":"), default=str)
    with _reply_lock:
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):
            pass


def read_commands(handle, stream=None):
    """Reads newline-JSON commands on a daemon thread and calls ``handle``
    with each object. End of input means no more commands (not: stop)."""

    def loop():
        source = stream if stream is not None else sys.stdin
        for line in source:
            line = line.strip()
            if not line:
                continue
            try:
                command = json.loads(line)
                if not isinstance(command, dict):
                    raise ValueError("a command is a JSON object")
            except ValueError as error:
                reply({"ok": False, "error": "bad command: %s" % error})
                continue
            try:
                handle(command)
            except Exception as error:  # one bad command must not end the bridge
                reply({"ok": False, "error": core.describe_error(error)})

    thread = threading.Thread(target=loop, name="poolscope-commands", daemon=True)
    thread.start()
    return thread


class Bridge(object):
    """What both bridges do with the host's commands: one run at a time, on a
    thread of its own so that commands keep coming while it goes; a cancel
    that reaches a run even before it has submitted; stop. An engine's bridge
    plans, submits, cancels and scales (the methods below that raise)."""

    def __init__(self, follower):
        self.follower = follower  # has drain(): every record is sent before it returns
        self.stop = threading.Event()
        self.tasks = None  # the engine's handles of the run's tasks (futures, object refs)
        self.cancelled = False
        self._run_lock = threading.Lock()

    def handle(self, command):
        if "scale" in command:
            self.scale(command["scale"])
        elif "run" in command:
            # Taken here, not on the run's thread: a cancel read right after this run finds it going.
            if not self._run_lock.acquire(False):
                reply({"ok": False, "command": "run", "error": "a run is already going on"})
                return
            threading.Thread(target=self._run, args=(command["run"],), name="poolscope-run", daemon=True).start()
        elif command.get("cancel"):
            self.cancel()
        elif command.get("stop"):
            self.stop.set()
        else:
            reply({"ok": False, "error": "unknown command: expected scale, run, cancel or stop"})

    def cancel(self):
        if not self._run_lock.locked():
            reply({"ok": False, "command": "cancel", "error": "no run is going on"})
            return
        self.cancelled = True  # before reading the tasks: a run that has none yet cancels its own
        if self.tasks is not None:
            self.cancel_tasks(self.tasks)
        reply({"ok": True, "command": "cancel"})

    def _run(self, spec):
        try:
            workload = spec.get("workload", "square")
            tasks = int(spec.get("tasks", 10))
            fn, iterables = self.plan(workload, tasks, float(spec.get("costMs", 50)), spec.get("faultEvery", 5))
            started = time.monotonic()
            failed = self.submit(fn, iterables, workload)
            elapsed = time.monotonic() - started
            self.follower.drain()  # the host has every record before the reply
            run_done("run done: %d %s tasks" % (tasks, workload))
            reply({"ok": True, "command": "run", "workload": workload, "tasks": tasks, "failed": failed,
                   "cancelled": self.cancelled, "elapsedMs": round(elapsed * 1000, 1)})
        except Exception as error:
            reply({"ok": False, "command": "run", "error": core.describe_error(error)})
        finally:
            self.tasks = None
            self.cancelled = False
            self._run_lock.release()

    def scale(self, count):
        raise NotImplementedError

    def plan(self, workload, tasks, cost_ms, fault_every):
        """(fn, iterables) for the workload, as workloads.plan gives them."""
        raise NotImplementedError

    def submit(self, fn, iterables, workload):
        """Submits the tasks (kept in self.tasks, cancelled at once if self.cancelled), waits, returns how many failed."""
        raise NotImplementedError

    def cancel_tasks(self, tasks):
        raise NotImplementedError


def connect_bridge(name):
    """Connects to the host as role ``bridge``, unless python/boot's
    sitecustomize did already. Exits with a usage error without a host."""
    if transport.identity() is None:
        if not os.environ.get("POOLSCOPE_TRACE"):
            sys.stderr.write("poolscope: %s reports to a Poolscope host: POOLSCOPE_TRACE and "
                             "POOLSCOPE_TRACE_TOKEN must be set (the app sets them)\n" % name)
            sys.exit(EXIT_USAGE)
        import poolscope_trace
        poolscope_trace.install_bridge(name)
    # The engine's processes (workers, raylets) inherit our environment:
    # they must not connect to the host themselves.
    for key in ENV_OF_OURS:
        os.environ.pop(key, None)


# Schemes that run over TCP: for these a plain connect says whether anything listens.
TCP_SCHEMES = ("", "tcp", "tls", "ws", "wss", "ray")


class Unreachable(ConnectionError):
    """Nothing listens at the address given: its message says so, in full."""


def failure(what, error):
    """Why a bridge could not start or reach ``what``, for the user."""
    if isinstance(error, Unreachable):
        return str(error)
    return "could not start or reach %s: %s" % (what, core.describe_error(error))


def check_reachable(address):
    """Raises Unreachable at once when nothing listens at a ``[scheme://]host:port``
    address. The engines' clients retry a refused connection until they time out
    (Dask after 10 s, Ray after minutes), which only delays the same answer."""
    scheme, _, rest = address.rpartition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in TCP_SCHEMES or not (host and port.isdigit()):
        return  # "auto", a scheduler file, another transport: the engine's to judge
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=3).close()
    except OSError as error:
        raise Unreachable("nothing answers at %s (%s)" % (address, error.strerror or error))


def spawn_without_main():
    """Spawned engine processes (Dask's worker processes) must not re-import
    the bridge as their __main__: they could not (no Poolscope code on their
    path) and need nothing from it (what they run is pickled by value)."""
    main = sys.modules.get("__main__")
    if main is not None:
        main.__spec__ = None
        main.__dict__.pop("__file__", None)


def no_engine(what, error):
    """The one line that says what is missing and how to install it."""
    sys.stderr.write("poolscope: %s is not installed for %s (%s); install it with: %s\n"
                     % (what, sys.executable, error, INSTALL_HINT))
    sys.exit(EXIT_NO_ENGINE)


def wait_for_stop(stop):
    """Blocks until ``stop`` is set; SIGTERM and SIGINT set it."""

    def handler(signum, frame):
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            signal.signal(signum, handler)
        except (ValueError, OSError):
            pass
    while not stop.wait(0.2):
        pass
