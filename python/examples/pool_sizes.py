"""A Pool() of the default size and a Pool(8) (tests: POOLSCOPE_PROCESSES)."""

import multiprocessing
import os


def whoami(_):
    return os.getpid()


if __name__ == "__main__":
    with multiprocessing.Pool() as default_pool, multiprocessing.Pool(8) as eight:
        print(len(default_pool.map(whoami, range(4))), len(eight.map(whoami, range(4))))
