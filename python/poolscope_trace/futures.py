"""concurrent.futures: ProcessPoolExecutor and ThreadPoolExecutor.

``submit`` wraps its callable in a TracedTask; ``map`` numbers the elements
as they are drawn and hands ``(index, args)`` pairs to a TracedTask in
star mode, so chunks (ProcessPoolExecutor) need no special case.
"""

import inspect
import sys
import threading

from . import core, lifetimes, transport


class _MapCall(object):
    """Ends the call once every future of it is resolved and map() returned."""

    __slots__ = ("id", "count", "pending", "submitted", "lock", "ended")

    def __init__(self, call_id):
        self.id = call_id
        self.count = 0
        self.pending = 0
        self.submitted = False
        self.lock = threading.Lock()
        self.ended = False

    def add_future(self, future):
        with self.lock:
            self.pending += 1
        future.add_done_callback(self._resolved)

    def _resolved(self, _future):
        with self.lock:
            self.pending -= 1
        self._maybe_end()

    def finish_submitting(self):
        self.submitted = True
        self._maybe_end()

    def _maybe_end(self):
        with self.lock:
            if self.ended or not self.submitted or self.pending:
                return
            self.ended = True
        core.emit(["call-end", self.id, self.count, core.now()])


_maps = {}  # call id -> _MapCall while its map() submits


def _numbered(iterables, call):
    """Yields (index, args) and records each task as it is handed over."""
    index = 0
    try:
        for args in zip(*iterables):
            core.emit(["submit", call.id, index, 1, core.now()])
            call.count = index + 1
            yield (index, args)
            index += 1
    except BaseException as error:
        core.drop_own_frame(error)  # an exception of the program's own iterable
        raise


def _engine_made(executor):
    """Dask's and Ray's own executors (a subclass of theirs, or one they
    create) are theirs: a bridge reports the work, and POOLSCOPE_PROCESSES
    must not resize them."""
    if core.is_engine_module(type(executor).__module__):
        return True
    frame = sys._getframe(2)  # 0: here, 1: our __init__, 2: its caller
    while frame is not None:
        if core.is_engine_module(frame.f_globals.get("__name__")):
            return True
        if frame.f_code.co_name != "__init__":
            return False
        frame = frame.f_back  # a subclass's __init__ calling super(): look at its creator
    return False


def _ppe_arguments(max_workers=None, mp_context=None, initializer=None, initargs=(), **_ignored):
    return max_workers, initializer, initargs


def patch(module, config, kind):
    """``kind``: "ProcessPoolExecutor" or "ThreadPoolExecutor"."""
    Executor = getattr(module, kind)
    is_process = kind == "ProcessPoolExecutor"
    worker_target = module._process_worker if is_process else module._worker
    worker_role = "executor-worker" if is_process else "executor-thread"

    original_init = Executor.__init__
    init_signature = inspect.signature(original_init)

    def __init__(self, *args, **kwargs):
        if not core.enabled or _engine_made(self):
            return original_init(self, *args, **kwargs)
        try:
            bound = init_signature.bind(self, *args, **kwargs)
        except TypeError:
            bound = None  # the original raises the right error
        if bound is not None:
            bound.arguments["max_workers"] = config.pool_size(bound.arguments.get("max_workers"))
            args, kwargs = bound.args[1:], bound.kwargs
        try:
            original_init(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        pool_id = core.new_id()
        written = self.__dict__.pop("_poolscope_written", None)
        self.__dict__["_poolscope_pool"] = pool_id
        record = ["pool", pool_id, written or kind, self._max_workers, core.pid, core.now()]
        if written is not None:
            record.append(kind)
        core.emit(record)

    def starting_workers(name):
        original = getattr(Executor, name, None)
        if original is None:
            return  # not in this Python version

        def wrapper(self, *args, **kwargs):
            pool_id = self.__dict__.get("_poolscope_pool")
            previous = getattr(lifetimes.spawning, "pool", None)
            if pool_id is not None:
                lifetimes.spawning.pool = (pool_id, worker_role, worker_target)
            try:
                return original(self, *args, **kwargs)
            except BaseException as error:
                core.drop_own_frame(error)
                raise
            finally:
                lifetimes.spawning.pool = previous

        wrapper.__name__ = wrapper.__qualname__ = name
        setattr(Executor, name, wrapper)

    original_submit = Executor.submit

    def submit(self, *args, **kwargs):
        pool_id = self.__dict__.get("_poolscope_pool")
        if pool_id is None or not args or not core.enabled:
            return original_submit(self, *args, **kwargs)
        fn = args[0]
        if core.is_traced(fn):  # from our map(): one of its tasks or chunks
            try:
                future = original_submit(self, *args, **kwargs)
            except BaseException as error:
                core.drop_own_frame(error)
                raise
            task = fn if isinstance(fn, core.TracedTask) else fn.args[0]
            map_call = _maps.get(task.call)
            if map_call is not None:
                map_call.add_future(future)
            return future
        call = core.new_id()
        at = core.now()
        core.emit(["call", call, pool_id, "submit", core.callable_name(fn), 1, 1, at])
        core.emit(["submit", call, 0, 1, at])
        try:
            future = original_submit(self, core.traced(fn, call, 0), *args[1:], **kwargs)
        except BaseException as error:
            core.emit(["call-end", call, 0, core.now()])
            core.drop_own_frame(error)
            raise
        future.add_done_callback(lambda _future: core.emit(["call-end", call, 1, core.now()]))
        return future

    original_map = Executor.map

    def map(self, *args, **kwargs):
        pool_id = self.__dict__.get("_poolscope_pool")
        if pool_id is None or len(args) < 2 or not core.enabled:
            return original_map(self, *args, **kwargs)
        fn, iterables = args[0], args[1:]
        chunksize = kwargs.get("chunksize", 1) if is_process else 1
        call = _MapCall(core.new_id())
        sized = all(hasattr(iterable, "__len__") for iterable in iterables)
        total = min(len(iterable) for iterable in iterables) if sized else None
        core.emit(["call", call.id, pool_id, "executor.map", core.callable_name(fn),
                   chunksize if isinstance(chunksize, int) and chunksize > 0 else 1, total, core.now()])
        _maps[call.id] = call
        try:
            results = original_map(self, core.traced_pairs(fn, call.id), _numbered(iterables, call),
                                   **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        finally:
            _maps.pop(call.id, None)
            call.finish_submitting()
        return results

    original_shutdown = Executor.shutdown

    def shutdown(self, *args, **kwargs):
        try:
            result = original_shutdown(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        pool_id = self.__dict__.get("_poolscope_pool")
        if pool_id is not None and core.enabled:
            core.emit(["pool-op", pool_id, "shutdown", core.now()])
            transport.flush()
        return result

    Executor.__init__ = __init__
    Executor.submit = submit
    Executor.map = map
    Executor.shutdown = shutdown
    for name in ("_adjust_process_count", "_launch_processes", "_spawn_process", "_adjust_thread_count"):
        starting_workers(name)
    return Executor


def patch_process_kind(process_module, thread_executor, config):
    """POOLSCOPE_POOL_KIND=thread/serial: ProcessPoolExecutor(...) gives a
    ThreadPoolExecutor of the same size (one thread when serial)."""
    ProcessPoolExecutor = process_module.ProcessPoolExecutor

    def __new__(cls, *args, **kwargs):
        if cls is not ProcessPoolExecutor or config.kind == "process":
            return object.__new__(cls)
        max_workers, initializer, initargs = _ppe_arguments(*args, **kwargs)
        executor = object.__new__(thread_executor)
        executor.__dict__["_poolscope_written"] = "ProcessPoolExecutor"
        executor.__init__(max_workers, initializer=initializer, initargs=initargs)
        return executor

    ProcessPoolExecutor.__new__ = staticmethod(__new__)

