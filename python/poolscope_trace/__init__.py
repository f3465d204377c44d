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


def _kind_of_process():
    """``main``, ``child`` (a spawned multiprocessing child before its
    bootstrap), or ``helper`` (multiprocessing's forkserver or resource
    tracker: nothing to show, and they must outlive a lost host)."""
    if "--multiprocessing-fork" in sys.argv:
        return "child"
    command = " ".join(_command_line())
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
    if hasattr(os, "register_at_fork"):  # not on Windows, where nothing forks
        os.register_at_fork(after_in_child=output.after_fork_in_child)
    settings = _config.read(environ)

    lifetimes.patch_threading(threading)
    imports.patch_on_import({
        "multiprocessing.process": lifetimes.patch_process,
        "multiprocessing.pool": lambda module: _patch_pool(module, settings),
        "concurrent.futures.thread": lambda module: _patch_thread_executor(module, settings),
        "concurrent.futures.process": lambda module: _patch_process_executor(module, settings),
    })

    kind = _kind_of_process()
    if kind == "helper":
        return  # dormant; a forkserver's children activate in Process._bootstrap
    output.install()
    if kind == "child":
        transport.start_buffering()
    else:
        transport.activate("main", None, "MainProcess", None)
    for problem in settings.problems:
        transport.warn(problem)


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
