"""A pool's life as explicit steps: create, map, close, join."""

import multiprocessing


def double(n):
    return n * 2


if __name__ == "__main__":
    pool = multiprocessing.Pool(processes=5)  # 1. create the pool
    doubled = pool.map(double, [1, 2, 3, 4, 5])  # 2. hand it the work
    pool.close()  # 3. no more work will come
    pool.join()  # 4. wait for the workers to exit
    print("Results:", doubled)
