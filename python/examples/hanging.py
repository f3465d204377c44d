"""A pool whose tasks never finish (tests: stop() and host loss)."""

import multiprocessing
import sys
import time


def wait_forever(n):
    while True:
        time.sleep(1)


if __name__ == "__main__":
    pool = multiprocessing.Pool(2)
    pool.map_async(wait_forever, range(4))
    print("hanging", flush=True)
    sys.stdout.flush()
    while True:
        time.sleep(1)
