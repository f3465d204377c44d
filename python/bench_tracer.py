"""What the tracer costs: the same pool work traced and untraced, runs
interleaved, medians printed.

    python3 python/bench_tracer.py [--runs 5]

Each run is a fresh ``python3`` process; the traced one reports to a sink
that reads and discards its lines (a host does more, but in its own
process). Wall times are the workload's, measured inside the program from
before the pool call to after its results; CPU times are the whole
program's (parent and workers, start-up included), which a busy machine
disturbs less.
"""

import argparse
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BOOT = os.path.join(HERE, "boot")

WORKLOADS = [
    # (label, pool size, tasks, chunksize or None for auto, milliseconds of CPU per task)
    ("100k tiny tasks, chunksize auto", 2, 100_000, None, 0),
    ("100k tiny tasks, chunksize 1", 2, 100_000, 1, 0),
    ("1000 x 1 ms CPU tasks, chunksize 1", 2, 1000, 1, 1),
    ("40 x 50 ms CPU tasks, pool of 2", 2, 40, 1, 50),
]


def tiny(n):
    return n + 1


_SPINS_PER_MS = 1


def spin(ms):
    total = 0
    for i in range(ms * _SPINS_PER_MS):
        total += i & 7
    return total


def _calibrate():
    """Loop iterations per millisecond of this machine's CPU time."""
    count = 200_000
    start = time.thread_time()
    total = 0
    for i in range(count):
        total += i & 7
    return max(1, int(count / ((time.thread_time() - start) * 1000)))


def child(pool_size, tasks, chunksize, cost_ms, spins_per_ms):
    """The measured program (run in a fresh interpreter)."""
    global _SPINS_PER_MS
    _SPINS_PER_MS = spins_per_ms
    import multiprocessing

    with multiprocessing.Pool(pool_size) as pool:
        pool.map(tiny, range(pool_size))  # workers up before the clock starts
        start = time.perf_counter()
        if cost_ms:
            pool.map(spin, [cost_ms] * tasks, chunksize)
        else:
            pool.map(tiny, range(tasks), chunksize)
        print(time.perf_counter() - start)


class Sink(object):
    """Accepts traced processes and reads their lines without parsing them."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="poolscope-bench-")
        self.path = os.path.join(self.folder, "trace.sock")
        self.token = secrets.token_hex(32)
        self.bytes = 0
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._drain, args=(sock,), daemon=True).start()

    def _drain(self, sock):
        with sock:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    return
                self.bytes += len(data)

    def env(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = BOOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["POOLSCOPE_TRACE"] = "unix:" + self.path
        env["POOLSCOPE_TRACE_TOKEN"] = self.token
        return env

    def close(self):
        self._server.close()
        os.unlink(self.path)
        os.rmdir(self.folder)


def _untraced_env():
    env = dict(os.environ)
    env.pop("POOLSCOPE_TRACE", None)
    return env


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(python, workload, env, spins_per_ms):
    """(wall seconds of the workload, CPU seconds of the whole program: parent and workers)."""
    _, pool_size, tasks, chunksize, cost_ms = workload
    arguments = json.dumps([pool_size, tasks, chunksize, cost_ms, spins_per_ms])
    cpu = _children_cpu()
    completed = subprocess.run([python, os.path.abspath(__file__), "--child", arguments], env=env,
                               capture_output=True, text=True, check=True, timeout=600)
    return float(completed.stdout.strip().splitlines()[-1]), _children_cpu() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(*json.loads(options.child))
        return

    spins_per_ms = _calibrate()
    sink = Sink()
    rows = []
    try:
        for workload in WORKLOADS:
            off, on = [], []
            for run in range(options.runs):
                # Interleaved, and alternating which goes first, so drift hits both alike.
                pair = [(off, _untraced_env()), (on, sink.env())]
                for times, env in pair if run % 2 == 0 else reversed(pair):
                    times.append(measure(options.python, workload, env, spins_per_ms))
            untraced = statistics.median(t for t, _ in off)
            traced = statistics.median(t for t, _ in on)
            untraced_cpu = statistics.median(c for _, c in off)
            traced_cpu = statistics.median(c for _, c in on)
            rows.append({
                "workload": workload[0],
                "untracedMs": round(untraced * 1000, 1),
                "tracedMs": round(traced * 1000, 1),
                "overheadPercent": round((traced / untraced - 1) * 100, 1),
                "perTaskUs": round((traced - untraced) / workload[2] * 1e6, 2),
                "untracedCpuMs": round(untraced_cpu * 1000, 1),
                "tracedCpuMs": round(traced_cpu * 1000, 1),
                "cpuPerTaskUs": round((traced_cpu - untraced_cpu) / workload[2] * 1e6, 2),
                "runs": options.runs,
            })
    finally:
        sink.close()

    if options.json:
        print(json.dumps({"python": options.python, "rows": rows}))
        return
    print("tracer cost, median of %d interleaved runs each (%s)" % (options.runs, options.python))
    print("%-34s %11s %10s %9s %11s %10s %10s %12s" % (
        "workload", "untraced ms", "traced ms", "overhead", "µs / task", "CPU ms off", "CPU ms on", "CPU µs / task"))
    for row in rows:
        print("%-34s %11.1f %10.1f %8.1f%% %11.2f %10.1f %10.1f %12.2f" % (
            row["workload"], row["untracedMs"], row["tracedMs"], row["overheadPercent"], row["perTaskUs"],
            row["untracedCpuMs"], row["tracedCpuMs"], row["cpuPerTaskUs"]))


if __name__ == "__main__":
    main()
