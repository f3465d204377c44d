"""Pool.imap_unordered: 10 tasks, results in completion order (tests)."""

import multiprocessing


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(sorted(pool.imap_unordered(cube, range(10), chunksize=3)))
