"""multiprocessing.pool.ThreadPool.map: 8 tasks on 3 threads (tests)."""

from multiprocessing.pool import ThreadPool


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with ThreadPool(3) as pool:
        print(pool.map(cube, range(8)))
