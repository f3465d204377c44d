"""Leaves without waiting: the pool's workers are terminated at exit (tests)."""

import multiprocessing
import time


def slow(n):
    time.sleep(5)
    return n


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    pool.map_async(slow, range(4))
    time.sleep(0.3)
    print("leaving with work still running")
