"""Prints time.monotonic_ns() as read in a pool worker (tests: shared clock)."""

import multiprocessing
import time


def read_clock(_):
    return time.monotonic_ns()


if __name__ == "__main__":
    with multiprocessing.Pool(1) as pool:
        print(pool.map(read_clock, [0])[0])
