"""The connection of one traced process to the host (PROTOCOL.md: Transport,
Batching and cost, Host loss).

A thread that ends a task sends the buffer itself once the last send is a
tick (20 ms) old. A daemon thread (a bare ``_thread`` one, so the program's
``threading.enumerate()`` is unchanged) sends it when no task did within a
tick or when 4,096 records wait, and so that a lost host is noticed. Pool
operations, a worker's exit, ``bye`` and ``atexit`` send synchronously.
"""

import _thread
import atexit
import json
import os
import select
import socket
import sys
import threading

from . import core

TICK_SECONDS = 0.02
_TICK_NS = int(TICK_SECONDS * 1e9)
IDLE_SLEEP_SECONDS = 0.1  # the flusher's longest sleep while tasks send for it
# Looking for a closed host is a system call, and each one made from the
# flusher makes it take the GIL back from the program's busy thread: not
# every tick.
_CLOSED_CHECK_NS = 100 * 1000 * 1000
LINE_LIMIT = 4 * 1024 * 1024
EXIT_HOST_LOST = 70
PYTHON_VERSION = "%d.%d.%d" % sys.version_info[:3]

_address = None  # ("unix", path) or ("tcp", host, port)
_token = None
_lock = _thread.allocate_lock()  # one sender at a time; replaced in a child
_sock = None
_identity = None  # (role, pool, name, start_method) once the process is known
_said_bye = False
_lost = False
_flusher_started = False
_encoder = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_before_bye = []  # callbacks that queue last records (partial output lines)
_on_lost = []  # a bridge's clean-up (its own cluster) before it exits
_dormant = False
_closed_check_at = 0  # core.now() after which the next send also looks for a closed host

# Set while this thread runs Process.start(): a child forked meanwhile is a
# multiprocessing child, and says who it is from Process._bootstrap.
starting_process = threading.local()


def parse_address(text):
    """``unix:/abs/path`` or ``tcp:HOST:PORT`` (PROTOCOL.md: Activation)."""
    if text.startswith("unix:") and len(text) > 5:
        return ("unix", text[5:])
    if text.startswith("tcp:"):
        host, _, port = text[4:].rpartition(":")
        if host and port.isdigit():
            return ("tcp", host, int(port))
    raise ValueError("POOLSCOPE_TRACE must be unix:/path or tcp:HOST:PORT, not %r" % text)


def configure(address, token):
    global _address, _token
    _address = address
    _token = token
    # Registered before multiprocessing is imported, so it runs after
    # multiprocessing's own exit handler has joined (and reported) workers.
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
        os.register_at_fork(after_in_child=_after_fork_in_child)


def on_before_bye(callback):
    _before_bye.append(callback)


def on_host_lost(callback):
    """``callback()`` runs (bounded: 5 s in all) before a lost host ends the
    process, so that a bridge shuts down the cluster it started."""
    _on_lost.append(callback)


def go_dormant():
    """An engine's own process (a Dask worker): nothing is recorded or sent."""
    global _dormant
    _dormant = True
    core.enabled = False
    del core.buffer[:]


def identity():
    return _identity


def start_buffering():
    """Records are kept from now on; they are sent once ``activate`` says who
    this process is (a spawned child learns that in Process._bootstrap)."""
    core.enabled = True
    _ensure_flusher()


def activate(role, pool, name, start_method):
    global _identity
    core.enabled = True
    _identity = (role, pool, name, start_method)
    _ensure_flusher()
    core.wake.set()  # say hello now rather than at the next tick


def warn(text):
    core.emit(["warn", core.pid, core.now(), core.cut(text, core.ERROR_LIMIT)])


def flush():
    """Sends everything queued, now, from the calling thread."""
    if _identity is None or _said_bye:
        return
    with _lock:
        try:
            _flush_locked()
        except OSError:
            lost = True
        else:
            lost = False
    if lost:
        _host_lost()


def say_bye():
    """The process's last records: partial output lines, then ``bye``."""
    global _said_bye, _sock
    if _identity is None or _said_bye or _lost:
        return
    for callback in _before_bye:
        try:
            callback()
        except Exception:
            pass
    with _lock:
        if _said_bye:
            return
        core.append(["bye", core.pid, core.now()])
        try:
            _flush_locked()
        except OSError:
            pass  # exiting anyway: the host will see the connection close
        _said_bye = True
        if _sock is not None:
            try:
                _sock.close()
            except OSError:
                pass
            _sock = None


def _at_exit():
    say_bye()


def _ensure_flusher():
    global _flusher_started
    if not _flusher_started:
        _flusher_started = True
        _thread.start_new_thread(_flusher, ())


def _flusher():
    sleep = TICK_SECONDS
    while True:
        wake = core.wake
        woken = wake.wait(sleep)
        wake.clear()
        if _said_bye or _lost or _dormant:
            return
        if _identity is None:
            continue
        if not woken and core.now() < core.send_due:
            # Tasks' threads are sending: each wake-up takes the GIL from one
            # of them (a few hundred µs on a busy machine), so wake less often.
            # A long task's run record may wait for the longest sleep.
            sleep = min(sleep * 2, IDLE_SLEEP_SECONDS)
            continue
        sleep = TICK_SECONDS
        with _lock:
            if _said_bye:
                return
            try:
                gone = _send_locked()
            except OSError:
                gone = True
            except Exception:
                gone = False  # a bug of ours must not end the program
        if gone:
            _host_lost()


def _send_from_task():
    """Sends what waits from the thread that just ended a task, once
    ``core.send_due`` has passed (PROTOCOL.md: Batching and cost). Left to the
    flusher: opening the connection, and a send while it holds the lock."""
    if _sock is None or _said_bye or _lost or _dormant or not _lock.acquire(False):
        return
    try:
        gone = _send_locked()
    except OSError:
        gone = True
    except Exception:
        gone = False
    finally:
        _lock.release()
    if gone:
        _host_lost()


core.send_from_task = _send_from_task


def _send_locked():
    """Sends what waits; True once the host has closed its end (looked for at
    most every 100 ms)."""
    global _closed_check_at
    _flush_locked()
    at = core.now()
    if at < _closed_check_at:
        return False
    _closed_check_at = at + _CLOSED_CHECK_NS
    return _host_closed()


def _flush_locked():
    global _sock
    if _said_bye:
        return
    runs = _run_records()
    count = len(core.buffer)
    if not count and not runs and _sock is not None:
        return
    batch = runs + core.buffer[:count]
    del core.buffer[:count]
    if _sock is None:
        batch.insert(0, _hello())
        data = b"".join(_encode_lines(_merge_submits(batch)))
        _sock = _connect()
    else:
        data = b"".join(_encode_lines(_merge_submits(batch)))
    _sock.sendall(data)
    core.send_due = core.now() + _TICK_NS


def _run_records():
    """``run`` for each task still running that has not been announced."""
    records = []
    for slot in list(core.running.values()):
        if not slot[4]:
            slot[4] = True
            records.append(["run", slot[0], slot[1], core.pid, slot[3], slot[2]])
    return records


def _merge_submits(batch):
    """Consecutive tasks of one call submitted between two flushes travel as
    one ``submit`` record with the first one's time."""
    merged = []
    open_runs = {}
    for record in batch:
        if record[0] == "submit":
            previous = open_runs.get(record[1])
            if previous is not None and previous[2] + previous[3] == record[2]:
                previous[3] += record[3]
                continue
            open_runs[record[1]] = record
        merged.append(record)
    return merged


def _encode_lines(batch):
    """JSON lines of at most LINE_LIMIT bytes (ASCII: one byte a character)."""
    try:
        line = _encoder.encode(batch)
    except (TypeError, ValueError):
        batch = [_encodable(record) for record in batch]
        line = _encoder.encode(batch)
    if len(line) < LINE_LIMIT:
        return [line.encode("ascii") + b"\n"]
    if len(batch) == 1:
        return _encode_lines([_warning("a record of %d bytes was dropped" % len(line))])
    half = len(batch) // 2
    return _encode_lines(batch[:half]) + _encode_lines(batch[half:])


def _encodable(record):
    try:
        _encoder.encode(record)
        return record
    except (TypeError, ValueError) as error:
        return _warning("a %r record could not be encoded: %s" % (record[0], error))


def _warning(text):
    return ["warn", core.pid, core.now(), core.cut(text, core.ERROR_LIMIT)]


def _connect():
    if _address[0] == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(_address[1])
        except OSError:
            sock.close()
            raise
    else:
        sock = socket.create_connection((_address[1], _address[2]))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _hello():
    role, pool, name, start_method = _identity
    if role == "main":
        try:
            # May be half imported by another thread right now.
            start_method = sys.modules["multiprocessing"].get_start_method(allow_none=True)
        except Exception:
            pass
    return ["hello", _token, core.pid, os.getppid(), name, role, pool, start_method,
            PYTHON_VERSION, core.now()]


def _host_closed():
    """True once the host has closed its end (it never writes to us)."""
    sock = _sock
    if sock is None:
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except (BlockingIOError, InterruptedError):
        return False


def _host_lost():
    """Nothing watches this process any more: it ends (PROTOCOL.md: Host loss)."""
    global _lost
    if _lost:
        return
    _lost = True
    if _on_lost:
        _thread.start_new_thread(_exit_after, (5.0,))
        for callback in _on_lost:
            try:
                callback()
            except Exception:
                pass
    # Flushing the program's streams must not keep it alive if they block.
    _thread.start_new_thread(_exit_after, (0.5,))
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    if _identity is not None and _identity[0] in ("main", "bridge"):
        try:
            os.write(2, b"poolscope: lost the connection to the host; exiting\n")
        except OSError:
            pass
    os._exit(EXIT_HOST_LOST)


def _exit_after(seconds):
    threading.Event().wait(seconds)
    os._exit(EXIT_HOST_LOST)


def _after_fork_in_child():
    global _lock, _sock, _identity, _said_bye, _lost, _flusher_started
    core.after_fork_in_child()
    _lock = _thread.allocate_lock()
    if _sock is not None:
        try:
            _sock.close()  # the parent's connection stays open in the parent
        except OSError:
            pass
        _sock = None
    _said_bye = False
    _lost = False
    _flusher_started = False
    if not core.enabled:
        return  # a helper's child (forkserver): Process._bootstrap activates it
    if getattr(starting_process, "active", False):
        _identity = None
    else:
        _identity = ("process", None, _process_name(), None)  # a bare os.fork()
    _ensure_flusher()


def _process_name():
    try:
        return sys.modules["multiprocessing"].current_process().name
    except Exception:
        return "MainProcess"
