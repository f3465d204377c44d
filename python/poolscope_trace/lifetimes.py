"""Threads and processes: their lifetimes, ``Process``/``Thread`` as calls of
one task, and children's exits as their parent sees them."""

import signal
import sys
import threading

from . import core, output, transport

# Set by an executor while it starts workers: (pool id, role, worker target).
spawning = threading.local()

_MACHINERY = ("multiprocessing.", "concurrent.futures.", "poolscope_trace")


def _is_machinery(fn):
    """Pool handler threads, queue feeders, executor managers, Manager
    servers, and the cluster engines' own threads and processes."""
    module = getattr(fn, "__module__", None)
    return isinstance(module, str) and (module.startswith(_MACHINERY) or core.is_engine_module(module))


def _is_engine(fn):
    return core.is_engine_module(getattr(fn, "__module__", None))


def _worker_of(obj, target):
    """(pool, role) when ``obj`` is a pool's worker, else None."""
    worker = obj.__dict__.get("_poolscope_worker")  # set by Pool's Process factory
    if worker is not None:
        return worker
    starting = getattr(spawning, "pool", None)
    if starting is not None and target is starting[2]:
        return starting[0], starting[1]
    return None


def _new_one_task_call(method, fn):
    call = core.new_id()
    at = core.now()
    core.emit(["call", call, None, method, core.callable_name(fn), 1, 1, at])
    core.emit(["submit", call, 0, 1, at])
    return call


def _first(obj, key):
    """True for the first caller only, even when two threads race."""
    token = object()
    return obj.__dict__.setdefault(key, token) is token


def _signal_name(exitcode):
    if exitcode >= 0:
        return None
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return None


def patch_threading(threading_module):
    Thread = threading_module.Thread
    original_start = Thread.start
    original_bootstrap_inner = Thread._bootstrap_inner
    original_join = Thread.join

    def start(self, *args, **kwargs):
        state = self.__dict__
        if core.enabled and "_poolscope_thread" not in state:
            target = state.get("_target")
            worker = _worker_of(self, target)
            fn = target if target is not None else type(self).run
            if worker is not None:
                state["_poolscope_thread"] = (worker[1], worker[0], None)
            elif _is_machinery(fn):
                state["_poolscope_thread"] = None
            else:
                state["_poolscope_thread"] = ("thread", None, _new_one_task_call("Thread", fn))
        try:
            return original_start(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise

    def _bootstrap_inner(self):
        state = self.__dict__
        info = state.get("_poolscope_thread")
        if info is None:
            return original_bootstrap_inner(self)
        role, pool, call = info
        tid = core.native_id()
        core.emit(["thread", core.pid, tid, self.name, role, pool, core.now()])
        if call is not None:
            state["run"] = core.traced(self.run, call, 0)
        try:
            return original_bootstrap_inner(self)
        finally:
            if call is not None:
                state.pop("run", None)
            core.emit(["thread-end", core.pid, tid, core.now()])

    def join(self, *args, **kwargs):
        try:
            original_join(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        info = self.__dict__.get("_poolscope_thread")
        if info is not None and info[2] is not None and not self.is_alive():
            if _first(self, "_poolscope_ended"):
                core.emit(["call-end", info[2], 1, core.now()])

    Thread.start = start
    Thread._bootstrap_inner = _bootstrap_inner
    Thread.join = join


def patch_process(process_module):
    BaseProcess = process_module.BaseProcess
    original_start = BaseProcess.start
    original_bootstrap = BaseProcess._bootstrap
    original_join = BaseProcess.join
    original_is_alive = BaseProcess.is_alive
    original_exitcode = BaseProcess.exitcode.fget

    def _describe(self):
        state = self.__dict__
        target = state.get("_target")
        if _is_engine(target if target is not None else type(self).run):
            # A Dask nanny's worker process: its bridge reports it; traced,
            # it would report Dask's executor threads as pools of its own.
            state["_poolscope_process"] = None
            return
        worker = _worker_of(self, target)
        call = None
        if worker is not None:
            pool, role = worker
        else:
            pool, role = None, "process"
            fn = target if target is not None else type(self).run
            if not _is_machinery(fn):
                call = _new_one_task_call("Process", fn)
        method = self._start_method
        if method is None:
            # The default context, which start() is about to fix anyway.
            method = sys.modules["multiprocessing"].get_start_method()
        state["_poolscope_process"] = (role, pool, call, method)

    def start(self, *args, **kwargs):
        if core.enabled and "_poolscope_process" not in self.__dict__:
            _describe(self)
        transport.starting_process.active = True
        try:
            return original_start(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        finally:
            transport.starting_process.active = False

    def _bootstrap(self, *args, **kwargs):
        # Runs in the child, whatever the start method.
        state = self.__dict__
        info = state.get("_poolscope_process", ("process", None, None, None))
        if info is None:
            transport.go_dormant()
            return original_bootstrap(self, *args, **kwargs)
        role, pool, call, method = info
        transport.activate(role, pool, self.name, method)
        output.install()
        if call is not None:
            state["run"] = core.traced(self.run, call, 0)
        try:
            return original_bootstrap(self, *args, **kwargs)
        finally:
            transport.say_bye()

    def report_exit(self):
        popen = self.__dict__.get("_popen")
        code = getattr(popen, "returncode", None)
        if code is None or self.__dict__.get("_poolscope_process", ()) is None:
            return  # running, or an engine's process (never traced)
        if not _first(self, "_poolscope_exit"):
            return
        at = core.now()
        core.emit(["exit", popen.pid, at, code, _signal_name(code)])
        info = self.__dict__.get("_poolscope_process")
        if info is not None and info[2] is not None:
            core.emit(["call-end", info[2], 1, at])

    def join(self, *args, **kwargs):
        try:
            original_join(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        report_exit(self)

    def is_alive(self):
        try:
            alive = original_is_alive(self)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        if not alive:
            report_exit(self)
        return alive

    def exitcode(self):
        try:
            code = original_exitcode(self)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        if code is not None:
            report_exit(self)
        return code

    BaseProcess.start = start
    BaseProcess._bootstrap = _bootstrap
    BaseProcess.join = join
    BaseProcess.is_alive = is_alive
    BaseProcess.exitcode = property(exitcode, doc=BaseProcess.exitcode.__doc__)
