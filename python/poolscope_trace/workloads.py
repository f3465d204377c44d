"""Poolscope's built-in workloads as Python callables, for the cluster
bridges' ``run`` command (the same results as electron/worker/workloads.ts).

The task functions reach the cluster's workers by value (``detached``), so
workers need no Poolscope code: each is self-contained (no module globals).
"""

import builtins
import time
import types

NAMES = ("cpu", "square", "io", "fail")


def spin(iterations, seed):
    """xorshift32 for ``iterations`` steps: deterministic busy work."""
    x = (seed & 0xFFFFFFFF) or 1
    for _ in range(iterations):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
    return x


def calibrate_spin():
    """Iterations of ``spin`` per millisecond here: the best of a few trials
    (measured once by the bridge, so that every task runs the same count)."""
    trial = 20000
    best = float("inf")
    for attempt in range(5):
        start = time.perf_counter()
        spin(trial, attempt + 1)
        best = min(best, time.perf_counter() - start)
    return trial / max(best * 1000.0, 1e-6)


def cpu(n, iterations):
    x = ((n + 1) & 0xFFFFFFFF) or 1  # spin(iterations, n + 1), inlined
    for _ in range(iterations):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
    return x


def square(n):
    return n * n


def io(n, seconds):
    import time

    time.sleep(seconds)
    return n


def fail(n, every):
    """n², except every ``every``-th task (n = every-1, 2·every-1, …) raises, as the engine's fail workload."""
    if every > 0 and (n + 1) % every == 0:
        raise ValueError("task %d failed on purpose" % n)
    return n * n


def detached(fn):
    """A copy of ``fn`` that belongs to no importable module, so every
    pickler (Dask's, Ray's cloudpickle) sends its code, not its name."""
    copy = types.FunctionType(fn.__code__, {"__builtins__": builtins, "__name__": "__main__"},
                              fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__module__ = "__main__"
    copy.__qualname__ = fn.__name__
    return copy


def plan(workload, tasks, cost_ms, iterations_per_ms=None, fault_every=5):
    """(function, iterables) for ``client.map``/``Pool.map``: task i gets n = i."""
    if workload not in NAMES:
        raise ValueError("workload must be one of %s, not %r" % (", ".join(NAMES), workload))
    inputs = range(tasks)
    if workload == "square":
        return detached(square), (inputs,)
    if workload == "fail":
        return detached(fail), (inputs, [int(fault_every)] * tasks)
    if workload == "io":
        return detached(io), (inputs, [cost_ms / 1000.0] * tasks)
    if iterations_per_ms is None:
        iterations_per_ms = calibrate_spin()
    return detached(cpu), (inputs, [max(0, int(round(cost_ms * iterations_per_ms)))] * tasks)
