"""Pool.map: 12 tasks on 3 processes, chunksize 2 (tests; optional start method)."""

import multiprocessing
import sys


def cube(n):
    return n ** 3


if __name__ == "__main__":
    if len(sys.argv) > 1:
        multiprocessing.set_start_method(sys.argv[1])  # tests: fork, spawn, forkserver
    with multiprocessing.Pool(3) as pool:
        print(pool.map(cube, range(12), chunksize=2))
