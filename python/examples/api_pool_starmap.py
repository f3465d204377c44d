"""Pool.starmap: 6 pairs multiplied (tests)."""

import multiprocessing


def multiply(a, b):
    return a * b


if __name__ == "__main__":
    with multiprocessing.Pool(2) as pool:
        print(pool.starmap(multiply, [(n, n + 1) for n in range(6)]))
