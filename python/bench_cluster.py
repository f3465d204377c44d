"""What a cluster costs per task, beside multiprocessing.Pool, and how well
the Dask bridge keeps up (issue 12: Scale, Benchmarks).

    .venv/bin/python python/bench_cluster.py [--json] [--sizes 100000,200000] [--skip-ray]

1. Per-task overhead: 10^4 tiny tasks (n*n) and 40 x 50 ms tasks (sleep) on
   multiprocessing.Pool(2), a Dask LocalCluster (2 worker processes x 1
   thread) and a local Ray instance (2 CPUs): (wall - ideal) / tasks, where
   ideal is 0 for tiny tasks and 20 x 50 ms = 1 s for the 50 ms ones.
   Cluster start-up is measured apart.
2. The bridge at scale: ``dask_bridge --local 2 1`` reporting to a stand-in
   host, running a ``client.map`` of N tiny tasks: records/s, and the lag
   from each task's end (Dask's own timestamp) to its record reaching the
   host, median and p95, beside Dask's own task rate with no bridge.
"""

import argparse
import json
import logging
import multiprocessing
import os
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))
sys.path.insert(0, HERE)

from collector import Collector  # noqa: E402
from poolscope_trace import workloads  # noqa: E402

TINY = 10000
SLOW = 40
SLOW_MS = 50
WORKERS = 2


def square(n):
    return n * n


def nap(n):
    time.sleep(SLOW_MS / 1000.0)
    return n


def _row(engine, case, tasks, wall, ideal):
    return {"engine": engine, "case": case, "tasks": tasks, "wallMs": round(wall * 1000, 1),
            "overheadPerTaskUs": round((wall - ideal) / tasks * 1e6, 1)}


def bench_pool():
    rows = []
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        pool.map(square, range(WORKERS))  # workers up before timing
        start = time.perf_counter()
        pool.map(square, range(TINY))
        rows.append(_row("multiprocessing.Pool", "10^4 tiny", TINY, time.perf_counter() - start, 0))
        start = time.perf_counter()
        pool.map(nap, range(SLOW), chunksize=1)
        rows.append(_row("multiprocessing.Pool", "40 x 50 ms", SLOW, time.perf_counter() - start,
                         SLOW / WORKERS * SLOW_MS / 1000.0))
    return rows


def bench_dask():
    from distributed import Client, LocalCluster, wait

    rows = []
    start = time.perf_counter()
    with LocalCluster(n_workers=WORKERS, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        startup = time.perf_counter() - start
        tiny = workloads.detached(square)
        slow = workloads.detached(workloads.io)
        wait(client.map(tiny, range(WORKERS), pure=False))
        start = time.perf_counter()
        futures = client.map(tiny, range(TINY), pure=False)
        wait(futures)
        rows.append(_row("dask", "10^4 tiny", TINY, time.perf_counter() - start, 0))
        del futures
        start = time.perf_counter()
        futures = client.map(slow, range(SLOW), [SLOW_MS / 1000.0] * SLOW, pure=False)
        wait(futures)
        rows.append(_row("dask", "40 x 50 ms", SLOW, time.perf_counter() - start, SLOW / WORKERS * SLOW_MS / 1000.0))
        del futures
    return rows, startup


def bench_ray():
    import ray

    rows = []
    start = time.perf_counter()
    ray.init(num_cpus=WORKERS, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        startup = time.perf_counter() - start
        tiny = ray.remote(workloads.detached(square))
        slow = ray.remote(workloads.detached(workloads.io))
        ray.get([tiny.remote(i) for i in range(WORKERS * 4)])
        start = time.perf_counter()
        ray.get([tiny.remote(i) for i in range(TINY)])
        rows.append(_row("ray", "10^4 tiny", TINY, time.perf_counter() - start, 0))
        start = time.perf_counter()
        ray.get([slow.remote(i, SLOW_MS / 1000.0) for i in range(SLOW)])
        rows.append(_row("ray", "40 x 50 ms", SLOW, time.perf_counter() - start, SLOW / WORKERS * SLOW_MS / 1000.0))
        from ray.util.multiprocessing import Pool

        with Pool(WORKERS) as pool:
            start = time.perf_counter()
            pool.map(square, range(TINY))
            rows.append(_row("ray Pool", "10^4 tiny", TINY, time.perf_counter() - start, 0))
    finally:
        ray.shutdown()
    return rows, startup


class StampingCollector(Collector):
    """Keeps when each lane-done arrived (monotonic ns, the records' axis)."""

    def __init__(self, boot_dir):
        self.arrivals = []  # (arrived, end)
        super().__init__(boot_dir)

    def _read(self, sock, connection):
        pending = b""
        try:
            while True:
                data = sock.recv(1 << 20)
                if not data:
                    break
                pending += data
                *lines, pending = pending.split(b"\n")
                arrived = time.monotonic_ns()
                for line in lines:
                    for record in json.loads(line):
                        if connection.hello is None:
                            connection.hello = record
                        elif record[0] == "lane-done":
                            self.arrivals.append((arrived, record[5]))
                        else:
                            connection.records.append(record)
        except OSError:
            pass
        finally:
            sock.close()
            connection.closed.set()


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_bridge(size):
    with StampingCollector(os.path.join(HERE, "boot")) as host:
        bridge = subprocess.Popen([sys.executable, "-m", "poolscope_trace.dask_bridge", "--local", str(WORKERS), "1"],
                                  env=host.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            json.loads(bridge.stdout.readline())
            peak = [0]

            def watch_memory():
                while bridge.poll() is None:
                    try:
                        with open("/proc/%d/status" % bridge.pid) as status:
                            for line in status:
                                if line.startswith("VmRSS:"):
                                    peak[0] = max(peak[0], int(line.split()[1]))
                    except OSError:
                        return
                    time.sleep(0.5)

            threading.Thread(target=watch_memory, daemon=True).start()
            bridge.stdin.write(json.dumps({"run": {"workload": "square", "tasks": size}}) + "\n")
            bridge.stdin.flush()
            ran = json.loads(bridge.stdout.readline())
            bridge.stdin.write('{"stop": true}\n')
            bridge.stdin.flush()
            bridge.wait(120)
        finally:
            if bridge.poll() is None:
                bridge.kill()
                bridge.wait()
        host.wait_closed(10)
        lags = [(arrived - end) / 1e6 for arrived, end in host.arrivals]
        span = (max(a for a, _ in host.arrivals) - min(a for a, _ in host.arrivals)) / 1e9
        return {"tasks": size, "reported": len(lags), "daskElapsedMs": ran.get("elapsedMs"),
                "daskTasksPerS": round(size / (ran["elapsedMs"] / 1000.0)),
                "recordsPerS": round(len(lags) / span) if span else None,
                "lagMedianMs": round(statistics.median(lags), 1), "lagP95Ms": round(_percentile(lags, 0.95), 1),
                "lagMaxMs": round(max(lags), 1), "bridgePeakRssMiB": round(peak[0] / 1024.0, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    parser.add_argument("--sizes", default="100000", help="client.map sizes for the bridge (100000)")
    parser.add_argument("--skip-ray", action="store_true")
    options = parser.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        sys.exit("poolscope: Dask is not installed for %s; install it with: "
                 ".venv/bin/pip install -r python/requirements-cluster.txt" % sys.executable)
    load = os.getloadavg()
    overhead = bench_pool()
    dask_rows, dask_startup = bench_dask()
    overhead += dask_rows
    startup = {"daskLocalClusterS": round(dask_startup, 2)}
    if not options.skip_ray:
        ray_rows, ray_startup = bench_ray()
        overhead += ray_rows
        startup["rayInitS"] = round(ray_startup, 2)
    bridge = [bench_bridge(int(size)) for size in options.sizes.split(",")]
    result = {"machine": {"cpus": os.cpu_count(), "loadAverageAtStart": [round(x, 2) for x in load],
                          "loadAverageAtEnd": [round(x, 2) for x in os.getloadavg()]},
              "overhead": overhead, "startup": startup, "bridge": bridge}
    if options.json:
        print(json.dumps(result, indent=2))
        return
    print("per-task overhead (2 workers):")
    for row in overhead:
        print("  %-22s %-11s %8.1f ms  %9.1f us/task" % (row["engine"], row["case"], row["wallMs"],
                                                        row["overheadPerTaskUs"]))
    print("start-up: %s" % startup)
    print("dask bridge:")
    for row in bridge:
        print("  %(tasks)d tasks: dask %(daskTasksPerS)d tasks/s; bridge %(recordsPerS)s records/s; lag median "
              "%(lagMedianMs)s ms, p95 %(lagP95Ms)s ms, max %(lagMaxMs)s ms; bridge RSS %(bridgePeakRssMiB)s MiB"
              % row)
    print("load average: %s -> %s" % (result["machine"]["loadAverageAtStart"], result["machine"]["loadAverageAtEnd"]))


if __name__ == "__main__":
    main()
