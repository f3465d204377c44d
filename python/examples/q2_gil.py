"""The same CPU-bound work on a process pool, a thread pool and serially.

Threads share one interpreter lock, so CPU-bound work gains nothing from
them; processes each have their own.
"""

import multiprocessing
import multiprocessing.pool
import time

TASKS = 8
WORK = 600_000


def spin(n):
    total = 0
    for i in range(WORK):
        total += i % (n + 3)
    return total


def timed(label, run):
    start = time.perf_counter()
    results = run()
    print("%-8s %.2f s" % (label, time.perf_counter() - start))
    return results


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        by_processes = timed("process", lambda: pool.map(spin, range(TASKS)))
    with multiprocessing.pool.ThreadPool(2) as pool:
        by_threads = timed("thread", lambda: pool.map(spin, range(TASKS)))
    serial = timed("serial", lambda: [spin(n) for n in range(TASKS)])
    print("same results:", by_processes == by_threads == serial)
