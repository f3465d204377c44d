"""multiprocessing.pool: Pool and ThreadPool.

Each call (map, imap, apply_async, …) is recorded where it is made; its task
tuples are rewritten as they are handed to the pool
(``Pool._guarded_task_generation``), so each element runs inside a
TracedTask in the worker. Jobs are tied to calls where the pool registers
them (``_PoolCache``), and end where it drops them.
"""

import select
import threading
import time
from multiprocessing import reduction

from . import core, transport

# Time for workers that have just gone idle to finish sending (each sends
# what it holds as it starts to wait for work).
TERMINATE_GRACE_SECONDS = transport.TICK_SECONDS + 0.01

_calling = threading.local()  # .call: the call this thread is making
_calls_by_job = {}


class _Call(object):
    __slots__ = ("id", "count", "job")

    def __init__(self, call_id):
        self.id = call_id
        self.count = 0
        self.job = None


def _auto_chunksize(pool, length):
    # Pool._map_async's rule (unchanged in 3.8 … 3.13); only for the record:
    # tasks are numbered by counting elements.
    chunksize, extra = divmod(length, max(len(pool._pool), 1) * 4)
    return chunksize + 1 if extra else chunksize


def _send_before_waiting(inqueue):
    """Makes a pool worker send what it holds whenever taking its next task
    could block: ``Pool.terminate`` (``with Pool`` on leaving) kills idle
    workers at once, and while short tasks stream the flusher sleeps long.

    ``SimpleQueue.get`` as multiprocessing has it (3.8 … 3.13), with a look
    before each wait: another worker holds the read lock (reading, or waiting
    for work itself), or the task pipe is empty under the lock. Looked at
    under the lock, an empty pipe cannot be a task another worker takes
    first. One try-acquire and one poll per task taken; nothing is sent while
    work is queued (PROTOCOL.md: Batching and cost)."""
    reader = getattr(inqueue, "_reader", None)  # None: a ThreadPool's queue.SimpleQueue
    lock = getattr(inqueue, "_rlock", None)
    if reader is None or lock is None:
        return
    buffer, flush = core.buffer, transport.flush
    loads = reduction.ForkingPickler.loads
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(reader.fileno(), select.POLLIN)

        def work_waits():
            return poller.poll(0)
    else:
        work_waits = reader.poll  # Windows' pipes do not poll

    def get():
        if not lock.acquire(False):
            if buffer:
                flush()
            lock.acquire()
        try:
            if buffer and not work_waits():
                flush()
            data = reader.recv_bytes()
        finally:
            lock.release()
        return loads(data)

    inqueue.get = get


def patch(pool_module, config):
    Pool = pool_module.Pool
    ThreadPool = pool_module.ThreadPool
    PoolCache = pool_module._PoolCache
    mapstar = pool_module.mapstar
    starmapstar = pool_module.starmapstar

    class ThreadPoolAsPool(ThreadPool):
        """What ``Pool(...)`` makes under POOLSCOPE_POOL_KIND=thread/serial."""

        def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None,
                     context=None):
            ThreadPool.__init__(self, processes, initializer, initargs)

    ThreadPoolAsPool.__name__ = ThreadPoolAsPool.__qualname__ = "ThreadPool"
    ThreadPoolAsPool.__module__ = pool_module.__name__

    def __new__(cls, *args, **kwargs):
        if cls is Pool and config.kind != "process":
            return object.__new__(ThreadPoolAsPool)
        return object.__new__(cls)

    original_init = Pool.__init__

    def __init__(self, *args, **kwargs):
        if not core.enabled:
            return original_init(self, *args, **kwargs)
        if isinstance(self, ThreadPoolAsPool):
            kind, as_kind = "Pool", "ThreadPool"
        else:
            kind, as_kind = ("ThreadPool" if isinstance(self, ThreadPool) else "Pool"), None
        if args:
            args = (config.pool_size(args[0]),) + args[1:]
        else:
            kwargs["processes"] = config.pool_size(kwargs.get("processes"))
        pool_id = core.new_id()
        role = "pool-thread" if isinstance(self, ThreadPool) else "pool-worker"
        make_process = type(self).Process

        def Process(ctx, *process_args, **process_kwargs):
            worker = make_process(ctx, *process_args, **process_kwargs)
            worker.__dict__["_poolscope_worker"] = (pool_id, role)
            return worker

        state = self.__dict__
        state["_poolscope_pool"] = (pool_id, kind, as_kind)
        state["Process"] = Process  # shadows the staticmethod for this pool only
        try:
            original_init(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise

    original_worker = pool_module.worker

    def worker(inqueue, *args, **kwargs):
        if core.enabled:
            _send_before_waiting(inqueue)
        return original_worker(inqueue, *args, **kwargs)

    # Pickled by name as a spawned worker's target: it must be found where the original was.
    worker.__module__, worker.__qualname__, worker.__name__ = pool_module.__name__, "worker", "worker"

    original_repopulate = Pool._repopulate_pool

    def _repopulate_pool(self):
        info = self.__dict__.get("_poolscope_pool")
        if info is not None and not self.__dict__.get("_poolscope_announced"):
            # __init__ has checked the size and is about to start the workers.
            self.__dict__["_poolscope_announced"] = True
            record = ["pool", info[0], info[1], self._processes, core.pid, core.now()]
            if info[2] is not None:
                record.append(info[2])
            core.emit(record)
        try:
            return original_repopulate(self)
        except BaseException as error:
            core.drop_own_frame(error)
            raise

    def _set_item(self, job, result):
        dict.__setitem__(self, job, result)
        call = getattr(_calling, "call", None)
        if call is not None and call.job is None:
            call.job = job
            _calls_by_job[job] = call

    original_del_item = PoolCache.__delitem__

    def _del_item(self, job):
        try:
            original_del_item(self, job)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        call = _calls_by_job.pop(job, None)
        if call is not None:
            core.emit(["call-end", call.id, call.count, core.now()])

    original_generation = Pool._guarded_task_generation

    def _guarded_task_generation(self, result_job, func, iterable):
        call = getattr(_calling, "call", None)
        tasks = original_generation(self, result_job, func, iterable)
        if call is None:
            return tasks
        return _traced_tasks(tasks, call)

    def _traced_tasks(tasks, call):
        # Runs in the pool's task handler thread, just before each put: once
        # per task at chunksize 1, so names are bound locally.
        call_id = call.id
        emit, now, traced, TracedTask = core.emit, core.now, core.traced, core.TracedTask
        reraise = pool_module._helper_reraises_exception
        for task in tasks:
            job, i, func, args, kwds = task
            if func is mapstar or func is starmapstar:
                fn, chunk = args[0]
                first = call.count
                call.count = first + len(chunk)
                emit(["submit", call_id, first, len(chunk), now()])
                task = (job, i, func, ((traced(fn, call_id, first), chunk),), kwds)
            elif func is not reraise:
                call.count += 1
                emit(["submit", call_id, i, 1, now()])
                task = (job, i, TracedTask((func, call_id, [i])), args, kwds)
            yield task

    def _start_call(pool, method, func, chunksize, total):
        info = pool.__dict__.get("_poolscope_pool")
        if info is None or not core.enabled:
            return None
        call = _Call(core.new_id())
        core.emit(["call", call.id, info[0], method, core.callable_name(func), max(chunksize, 1),
                   total, core.now()])
        return call

    def mapping(method, default_chunksize):
        original = getattr(Pool, method)
        lazy = default_chunksize == 1  # imap, imap_unordered

        def wrapper(self, *args, **kwargs):
            nested = getattr(_calling, "call", None) is not None  # made from inside a traced call
            call = None
            if not nested and len(args) >= 2:
                func, iterable = args[0], args[1]
                chunksize = args[2] if len(args) > 2 else kwargs.get("chunksize", default_chunksize)
                if not lazy and not hasattr(iterable, "__len__"):
                    iterable = list(iterable)  # as _map_async does, to count it
                    args = (func, iterable) + args[2:]
                total = len(iterable) if hasattr(iterable, "__len__") else None
                if not lazy and chunksize is None and self._state == pool_module.RUN:
                    chunksize = _auto_chunksize(self, total) if total else 1
                if isinstance(chunksize, int):
                    call = _start_call(self, method, func, chunksize, total)
            if not nested:
                _calling.call = call
            try:
                return original(self, *args, **kwargs)
            except BaseException as error:
                core.drop_own_frame(error)
                raise
            finally:
                if not nested:
                    _calling.call = None

        wrapper.__name__ = wrapper.__qualname__ = method
        return wrapper

    original_apply_async = Pool.apply_async
    original_apply = Pool.apply

    def apply_async(self, *args, **kwargs):
        nested = getattr(_calling, "call", None) is not None
        call = None
        if not nested and args:
            method = getattr(_calling, "method", None) or "apply_async"
            call = _start_call(self, method, args[0], 1, 1)
            if call is not None:
                call.count = 1
                args = (core.traced(args[0], call.id, 0),) + args[1:]
                core.emit(["submit", call.id, 0, 1, core.now()])
        if not nested:
            _calling.call = call
        try:
            return original_apply_async(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        finally:
            if not nested:
                _calling.call = None

    def apply(self, *args, **kwargs):
        _calling.method = "apply"  # Pool.apply is apply_async(...).get()
        try:
            return original_apply(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        finally:
            _calling.method = None

    def pool_op(op):
        original = getattr(Pool, op)

        def wrapper(self, *args, **kwargs):
            try:
                result = original(self, *args, **kwargs)
            except BaseException as error:
                core.drop_own_frame(error)
                raise
            info = self.__dict__.get("_poolscope_pool")
            if info is not None and core.enabled:
                core.emit(["pool-op", info[0], op, core.now()])
                transport.flush()
            return result

        wrapper.__name__ = wrapper.__qualname__ = op
        return wrapper

    original_terminate_pool = Pool._terminate_pool.__func__

    def _terminate_pool(cls, taskqueue, inqueue, outqueue, pool, *args, **kwargs):
        # terminate() kills the workers at once (``with Pool(...)`` does it as
        # soon as the results are in): give them a moment to send the records
        # of tasks whose results the parent already has.
        if core.enabled and pool and hasattr(pool[0], "terminate") and any(p.exitcode is None for p in pool):
            time.sleep(TERMINATE_GRACE_SECONDS)
        try:
            return original_terminate_pool(cls, taskqueue, inqueue, outqueue, pool, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise

    pool_module.worker = worker
    Pool.__new__ = staticmethod(__new__)
    Pool._terminate_pool = classmethod(_terminate_pool)
    Pool.__init__ = __init__
    Pool._repopulate_pool = _repopulate_pool
    Pool._guarded_task_generation = _guarded_task_generation
    PoolCache.__setitem__ = _set_item
    PoolCache.__delitem__ = _del_item
    for method in ("map", "starmap", "map_async", "starmap_async"):
        setattr(Pool, method, mapping(method, None))
    for method in ("imap", "imap_unordered"):
        setattr(Pool, method, mapping(method, 1))
    Pool.apply_async = apply_async
    Pool.apply = apply
    for op in ("close", "join", "terminate"):
        setattr(Pool, op, pool_op(op))
