"""ProcessPoolExecutor: 4 submits and a map of 6 in chunks of 2 (tests)."""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor


def cube(n):
    return n ** 3


if __name__ == "__main__":
    if len(sys.argv) > 1:
        multiprocessing.set_start_method(sys.argv[1])  # tests: fork, spawn, forkserver
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(cube, n) for n in range(4)]
        print([future.result() for future in futures])
        print(list(executor.map(cube, range(6), chunksize=2)))
