"""Python's twin of `npm run cli -- run --workload square`: a whole program that
maps square over range(N) on a Pool of the machine's cores and exits. Timed
from outside, as the CLI is, so both pay their start-up; the benchmark takes
the difference of two task counts to see the per-task rate.

    python3 pool_program.py N CHUNKSIZE|auto
"""

import multiprocessing as mp
import os
import sys


def square(n):
    return n * n


if __name__ == "__main__":
    n = int(sys.argv[1])
    chunksize = None if sys.argv[2] == "auto" else int(sys.argv[2])
    with mp.Pool(os.cpu_count()) as pool:
        results = pool.map(square, range(n), chunksize=chunksize)
    assert results[-1] == (n - 1) ** 2
