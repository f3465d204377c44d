"""Two maps on one pool: squares, then cubes (tests: two calls)."""

import multiprocessing


def square(n):
    return n * n


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.map(square, range(5)))
        print(pool.map(cube, range(7)))
