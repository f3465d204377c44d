"""One task of five raises; the map re-raises it in the parent (tests)."""

import multiprocessing


def invert(n):
    return 10 // (n - 3)


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.map(invert, range(5), chunksize=1))
