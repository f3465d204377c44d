"""What every part of the tracer shares: the record buffer, ids, the tasks
running now, and the callable that times each task where it runs.

The task path (TracedTask.__call__) reads clocks and appends to a list; once
a tick since the last send, it also sends the list (transport.py).
"""

import functools
import itertools
import os
import reprlib
import threading
import time

FLUSH_AT = 4096  # records waiting that wake the flusher before its 20 ms tick
_FLUSH_MASK = FLUSH_AT - 1  # a power of two: "every 4,096th record" is one AND
TEXT_LIMIT = 4096  # characters of one output line that are sent
ERROR_LIMIT = 500
SHORT_LIMIT = 80
_MAX_EXACT = 2 ** 53

now = time.monotonic_ns
thread_cpu = time.thread_time_ns
get_ident = threading.get_ident
get_native_id = threading.get_native_id

# One list for the life of the process: the hot path keeps a bound append,
# the flusher takes from the front, a forked child empties it.
buffer = []
append = buffer.append
wake = threading.Event()

pid = os.getpid()
# After this monotonic time, the end of a task sends the buffer from the
# task's own thread (transport sets both once connected), so the flusher
# thread need not wake and take the GIL to send it.
_NEVER = 2 ** 63
send_due = _NEVER
send_from_task = None
enabled = False  # False in multiprocessing's helper processes (no host there)

# Thread ident -> [call, index, start, tid, run_sent] of the task it runs.
running = {}
# Each thread's native id, kept (a system call each time otherwise); new after a fork.
_thread_ids = threading.local()

_ids = itertools.count(1)

# Cluster engines' own machinery (their threads, executors and processes):
# a bridge reports their work, so the tracer leaves them alone.
ENGINES = ("distributed.", "dask.", "ray.", "tornado.")


def is_engine_module(name):
    return isinstance(name, str) and (name.startswith(ENGINES) or name in ("distributed", "dask", "ray"))


def new_id():
    """A pool or call id, unique in the program: "<pid>.<n>"."""
    return "%d.%d" % (pid, next(_ids))


def emit(record):
    """Queues one record (any thread; never blocks)."""
    if enabled:
        append(record)
        if not len(buffer) & _FLUSH_MASK:
            wake.set()


def native_id():
    """This thread's native id (``threading.get_native_id()``), cached."""
    try:
        return _thread_ids.tid
    except AttributeError:
        tid = _thread_ids.tid = get_native_id()
        return tid


def after_fork_in_child():
    """The child starts with nothing of its parent's: no records, no tasks."""
    global pid, wake, _ids, _thread_ids, send_due
    pid = os.getpid()
    send_due = _NEVER
    del buffer[:]
    running.clear()
    _thread_ids = threading.local()
    wake = threading.Event()
    _ids = itertools.count(1)


def drop_own_frame(error):
    """Removes the wrapper's frame from a re-raised exception's traceback, so
    tracebacks print exactly as untraced (effective on Python 3.11+, where a
    bare ``raise`` uses ``__traceback__``)."""
    tb = error.__traceback__
    if tb is not None:
        error.__traceback__ = tb.tb_next


_repr = reprlib.Repr()
_repr.maxstring = SHORT_LIMIT
_repr.maxother = SHORT_LIMIT
_repr.maxlong = SHORT_LIMIT


def cut(text, limit):
    if len(text) > limit:
        return text[: limit - 1] + "\u2026"
    return text


def short_repr(value):
    """A bounded-cost repr: reprlib elides big containers before formatting."""
    try:
        return cut(_repr.repr(value), SHORT_LIMIT)
    except Exception:
        return "<%s>" % type(value).__name__


def encode_result(value):
    kind = type(value)
    if kind is int:
        return value if -_MAX_EXACT < value < _MAX_EXACT else short_repr(value)
    if kind is float:
        # NaN fails both comparisons; infinities fail one.
        return value if -_MAX_EXACT < value < _MAX_EXACT else short_repr(value)
    if value is None or kind is bool:
        return value
    return short_repr(value)


def describe_error(error):
    try:
        text = "%s: %s" % (type(error).__name__, error)
    except Exception:
        text = type(error).__name__
    return cut(text, ERROR_LIMIT)


def callable_name(fn):
    name = getattr(fn, "__qualname__", None)
    if isinstance(name, str):
        return name
    return short_repr(fn)


def _is_clean_exit(error):
    return isinstance(error, SystemExit) and error.code in (None, 0)


class TracedTask(tuple):
    """Runs the user's callable and records the task's start, end, CPU time
    and outcome where it runs (worker process or thread).

    Made in the submitting process and pickled to the worker with the task:
    a tuple ``(fn, call, counter)``, so that pickling it runs no Python code.
    ``counter`` is ``[next index]``, numbering the calls of one chunk (map:
    one call per element), or None when each call brings ``(index, args)``
    (executor.map, whose elements we number as they are drawn).
    """

    __slots__ = ()

    @property
    def call(self):
        return self[1]

    def __call__(self, *args, **kwargs):
        fn, call, counter = self
        if counter is None:
            index, args = args[0]
        else:
            index = counter[0]
            counter[0] = index + 1
        key = get_ident()
        try:
            tid = _thread_ids.tid
        except AttributeError:
            tid = _thread_ids.tid = get_native_id()
        outer = running.get(key)
        start = now()
        running[key] = [call, index, start, tid, False]
        cpu = thread_cpu()
        try:
            result = fn(*args, **kwargs)
        except BaseException as error:
            cpu = thread_cpu() - cpu
            end = now()
            if outer is None:
                running.pop(key, None)
            else:
                running[key] = outer
            if _is_clean_exit(error):
                append(("done", call, index, pid, tid, start, end, cpu, None))
            else:
                append(("fail", call, index, pid, tid, start, end, cpu, describe_error(error)))
            if end >= send_due:
                send_from_task()
            drop_own_frame(error)
            raise
        cpu = thread_cpu() - cpu
        end = now()
        if outer is None:
            del running[key]
        else:
            running[key] = outer
        kind = type(result)
        if kind is int and -_MAX_EXACT < result < _MAX_EXACT:
            encoded = result
        elif result is None or kind is bool:
            encoded = result
        else:
            encoded = encode_result(result)
        append(("done", call, index, pid, tid, start, end, cpu, encoded))
        if end >= send_due:
            send_from_task()
        elif not len(buffer) & _FLUSH_MASK:
            wake.set()
        return result


def traced(fn, call, first):
    """``fn`` as task ``first`` (then first+1, … for each further call) of ``call``."""
    return TracedTask((fn, call, [first]))


def traced_pairs(fn, call):
    """``fn`` for executor.map: each call brings ``(index, args)``."""
    return TracedTask((fn, call, None))


def is_traced(fn):
    """True for our own wrappers, as executor.map hands them to submit()."""
    if isinstance(fn, TracedTask):
        return True
    # ProcessPoolExecutor.map submits functools.partial(_process_chunk, task).
    return (isinstance(fn, functools.partial) and bool(fn.args)
            and isinstance(fn.args[0], TracedTask))
