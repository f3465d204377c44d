"""Poolscope's tracer for CPython programs (standard library only).

Imported by ``python/boot/sitecustomize.py`` when POOLSCOPE_TRACE is set;
``install()`` patches what PROTOCOL.md names and starts reporting.
"""

import os
import sys
import threading

from . import config as _config
from . import imports, lifetimes, output, transport

_installed = False


def _command_line():
    argv = getattr(sys, "orig_argv", None)
    if argv is not None:
        return argv
    try:
        with open("/proc/self/cmdline", "rb") as cmdline:
            return [part.decode("utf-8", "replace") for part in cmdline.read().split(b"\0")]
    except OSError:
        return list(sys.argv)


_BRIDGES = {"poolscope_trace.dask_bridge": "dask-bridge", "poolscope_trace.ray_bridge": "ray-bridge"}


def _bridge_name(argv):
    """``dask-bridge``/``ray-bridge`` when this is ``python -m`` one of ours."""
    for position, part in enumerate(argv[:-1]):
        if part == "-m":
            return _BRIDGES.get(argv[position + 1])
    return None


def _kind_of_process():
    """``main``, ``child`` (a spawned multiprocessing child before its
    bootstrap), ``bridge`` (``python -m poolscope_trace.dask_bridge`` or
    ``ray_bridge``), or ``helper`` (multiprocessing's forkserver or resource
    tracker: nothing to show, and they must outlive a lost host)."""
    if "--multiprocessing-fork" in sys.argv:
        return "child"
    argv = _command_line()
    if _bridge_name(argv):
        return "bridge"
    command = " ".join(argv)
    if "multiprocessing.forkserver import main" in command or "multiprocessing.resource_tracker import main" in command:
        return "helper"
    return "main"


def install(environ=os.environ):
    """Starts tracing this process. Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    address = transport.parse_address(environ["POOLSCOPE_TRACE"])
    transport.configure(address, environ.get("POOLSCOPE_TRACE_TOKEN", ""))
    kind = _kind_of_process()
    if kind == "bridge":
        # Our own process: nothing of it is patched; it reports a cluster.
        transport.activate("bridge", None, _bridge_name(_command_line()), None)
        return
    if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
        os.register_at_fork(after_in_child=output.after_fork_in_child)
    settings = _config.read(environ)

    lifetimes.patch_threading(threading)
    imports.patch_on_import({
        "multiprocessing.process": lifetimes.patch_process,
        "multiprocessing.pool": lambda module: _patch_pool(module, settings),
        "concurrent.futures.thread": lambda module: _patch_thread_executor(module, settings),
        "concurrent.futures.process": lambda module: _patch_process_executor(module, settings),
        # A program's own Dask Client or Ray cluster is followed in-process;
        # the bridges are imported only if the program imports the engine.
        "distributed.client": _patch_dask_client,
        "ray": _patch_ray,
    })

    if kind == "helper":
        return  # dormant; a forkserver's children activate in Process._bootstrap
    output.install()
    if kind == "child":
        transport.start_buffering()
    else:
        transport.activate("main", None, "MainProcess", None)
    for problem in settings.problems:
        transport.warn(problem)


def install_bridge(name, environ=os.environ):
    """For a bridge started without python/boot on PYTHONPATH: connects as
    role ``bridge``. Raises KeyError without POOLSCOPE_TRACE."""
    global _installed
    if _installed:
        return
    _installed = True
    address = transport.parse_address(environ["POOLSCOPE_TRACE"])
    transport.configure(address, environ.get("POOLSCOPE_TRACE_TOKEN", ""))
    transport.activate("bridge", None, name, None)


def _patch_dask_client(module):
    from . import dask_bridge
    dask_bridge.patch_client(module)


def _patch_ray(module):
    from . import ray_bridge
    ray_bridge.patch_ray(module)


def _patch_pool(module, settings):
    from . import pools
    pools.patch(module, settings)


def _patch_thread_executor(module, settings):
    from . import futures
    futures.patch(module, settings, "ThreadPoolExecutor")


def _patch_process_executor(module, settings):
    from . import futures
    futures.patch(module, settings, "ProcessPoolExecutor")
    # Its thread-pool stand-in must be patched too.
    import concurrent.futures.thread as thread_module
    futures.patch_process_kind(module, thread_module.ThreadPoolExecutor, settings)
