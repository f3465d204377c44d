"""Doubling five numbers on a pool of five processes."""

import multiprocessing


def double(n):
    return n * 2


if __name__ == "__main__":
    with multiprocessing.Pool(processes=5) as pool:
        doubled = pool.map(double, [1, 2, 3, 4, 5])
    print("Results:", doubled)
