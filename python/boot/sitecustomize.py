"""Poolscope's hook into a traced Python program.

The host puts this folder first on PYTHONPATH. With POOLSCOPE_TRACE set it
starts the tracer (../poolscope_trace); either way it then runs the
``sitecustomize`` that would have run without it, if there is one.
"""

import os
import sys


def _start_tracer():
    here = os.path.dirname(os.path.abspath(__file__))
    package = os.path.join(os.path.dirname(here), "poolscope_trace")
    if sys.version_info < (3, 8):
        sys.stderr.write("poolscope: tracing needs Python 3.8 or newer; running untraced\n")
        return
    import importlib.util

    # Loaded by path: putting python/ on sys.path would expose its other folders.
    spec = importlib.util.spec_from_file_location(
        "poolscope_trace", os.path.join(package, "__init__.py"), submodule_search_locations=[package]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["poolscope_trace"] = module
    spec.loader.exec_module(module)
    module.install()


def _run_next_sitecustomize():
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    entries = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", entries)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


if os.environ.get("POOLSCOPE_TRACE"):
    try:
        _start_tracer()
    except Exception as error:  # the program runs untraced rather than not at all
        sys.stderr.write("poolscope: the tracer did not start: %s: %s\n" % (type(error).__name__, error))
_run_next_sitecustomize()
