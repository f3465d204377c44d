"""Pool.apply_async five times, then apply once (tests)."""

import multiprocessing


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        pending = [pool.apply_async(cube, (n,)) for n in range(5)]
        print([result.get() for result in pending])
        print(pool.apply(cube, (7,)))
