"""A workload on a Pool of 2 that prints how long its pool.map took, in ms,
and for tasks with a cost the CPU time they took between them (each measures
its own). Run untraced (python3) and traced (npm run cli -- python) by
bench/python-tracer.ts, which compares the two.

    python3 tracer_program.py TASKS CHUNKSIZE|auto COST_MS ITERATIONS_PER_MS
    python3 tracer_program.py calibrate     # prints ITERATIONS_PER_MS for this machine

The bench calibrates once and hands both sides the same figure, so traced and
untraced runs do the same work however busy the machine was while each started.
"""

import json
import multiprocessing as mp
import sys
import time


def tiny(n):
    return n + 1


def spin(iterations):
    """The loop's CPU time in ms: what the same work cost at the machine's speed of the moment."""
    start = time.thread_time()
    total = 0
    for i in range(iterations):
        total += i & 7
    return (time.thread_time() - start) * 1000


def calibrate():
    """Loop iterations per millisecond of CPU on this machine."""
    count = 200_000
    return max(1, int(count / spin(count)))


if __name__ == "__main__":
    if sys.argv[1] == "calibrate":
        print(max(calibrate() for _ in range(5)))
        sys.exit(0)
    tasks, chunksize, cost_ms, per_ms = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    chunks = None if chunksize == "auto" else int(chunksize)
    with mp.Pool(2) as pool:
        if cost_ms:
            work, inputs = spin, [cost_ms * per_ms] * tasks
        else:
            work, inputs = tiny, range(tasks)
        pool.map(tiny, range(2))  # both workers up before the clock starts
        start = time.perf_counter()
        results = pool.map(work, inputs, chunksize=chunks)
        wall = (time.perf_counter() - start) * 1000
    print(json.dumps({"wallMs": wall, "taskCpuMs": sum(results) if cost_ms else None}))
