"""Pool.imap over a generator: 9 tasks, results in order (tests)."""

import multiprocessing


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(list(pool.imap(cube, (n for n in range(9)))))
