"""Python's multiprocessing.Pool on the workloads Poolscope's engine benchmarks.

A small server driven by bench/python.ts: one JSON command per stdin line, one
JSON answer per stdout line. Driving it run by run lets the benchmark interleave
Python's runs with the engine's, so both see the same noise on a shared machine.

    {"op": "throughput", "n": 100000, "chunksize": 1}     -> tasks/s
    {"op": "cpu", "pool": 2, "tasks": 40, "costMs": 50}   -> {"wallMs", "busyMs"}
    {"op": "startup", "method": "fork"}                   -> ms until Pool(2) has both workers up
"""

import json
import multiprocessing as mp
import os
import sys
import time


def square(n):
    return n * n


# Iterations of the busy loop that take 1 ms, set in each worker by the initializer.
ITERS_PER_MS = 0


def spin(iterations, seed):
    # A pure-Python busy loop: the GIL-bound work a Python user would put in a pool.
    x = seed | 1
    for _ in range(iterations):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
    return x


def calibrate():
    # Best of a few trials, as the engine calibrates its own busy loop.
    trial = 200_000
    best = float("inf")
    for i in range(7):
        t0 = time.perf_counter()
        spin(trial, i + 1)
        best = min(best, time.perf_counter() - t0)
    return trial / (best * 1000)


def init_worker(iters_per_ms):
    global ITERS_PER_MS
    ITERS_PER_MS = iters_per_ms


def cpu_task(args):
    index, cost_ms = args
    t0 = time.perf_counter()
    spin(int(cost_ms * ITERS_PER_MS), index + 1)
    # Its own start and end (perf_counter is CLOCK_MONOTONIC, shared by all processes
    # on Linux), for the busy-time efficiency and where the idle time lies.
    return os.getpid(), t0, time.perf_counter()


def signal_ready(queue):
    queue.put(os.getpid())


class Server:
    def __init__(self):
        self.iters_per_ms = calibrate()
        self.pools = {}

    def pool(self, size):
        if size not in self.pools:
            pool = mp.Pool(size, initializer=init_worker, initargs=(self.iters_per_ms,))
            pool.map(square, range(10_000), chunksize=1)  # warm-up
            self.pools[size] = pool
        return self.pools[size]

    def throughput(self, n, chunksize):
        pool = self.pool(2)
        t0 = time.perf_counter()
        result = pool.map(square, range(n), chunksize=chunksize)
        seconds = time.perf_counter() - t0
        assert result[-1] == (n - 1) ** 2
        return n / seconds

    def cpu(self, size, tasks, cost_ms):
        pool = self.pool(size)
        t0 = time.perf_counter()
        # No chunksize: Python's default rule, ceil(n / (4 * workers)), as the engine's auto.
        spans = pool.map(cpu_task, [(i, cost_ms) for i in range(tasks)])
        t1 = time.perf_counter()
        busy = {}
        last = {}
        for pid, start, end in spans:
            busy[pid] = busy.get(pid, 0) + end - start
            last[pid] = max(last.get(pid, end), end)
        wall = t1 - t0
        # Workers that got no task idle the whole run.
        unused = (size - len(busy)) * wall
        return {
            "wallMs": wall * 1000,
            "busyMs": sum(busy.values()) * 1000,
            "idleMs": (sum(wall - b for b in busy.values()) + unused) / size * 1000,
            "tailMs": (sum(t1 - e for e in last.values()) + unused) / size * 1000,
        }

    def startup(self, method):
        ctx = mp.get_context(method)
        queue = ctx.SimpleQueue()
        t0 = time.perf_counter()
        pool = ctx.Pool(2, initializer=signal_ready, initargs=(queue,))
        # Ready = both workers are up and have run their initializer.
        queue.get()
        queue.get()
        ms = (time.perf_counter() - t0) * 1000
        pool.terminate()
        pool.join()
        return ms

    def handle(self, command):
        op = command["op"]
        if op == "throughput":
            return self.throughput(command["n"], command["chunksize"])
        if op == "cpu":
            return self.cpu(command["pool"], command["tasks"], command["costMs"])
        if op == "startup":
            return self.startup(command["method"])
        raise ValueError(f"unknown op {op!r}")

    def close(self):
        for pool in self.pools.values():
            pool.terminate()
            pool.join()


def reply(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    server = Server()
    reply(
        {
            "python": sys.version.split()[0],
            "startMethod": mp.get_start_method(),
            "itersPerMs": server.iters_per_ms,
        }
    )
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                reply({"ok": True, "value": server.handle(json.loads(line))})
            except Exception as error:  # the caller prints it; the server stays up
                reply({"ok": False, "error": f"{type(error).__name__}: {error}"})
    finally:
        server.close()


if __name__ == "__main__":
    main()
