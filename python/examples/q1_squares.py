"""Squares of 0…9 on a pool of five worker processes."""

import multiprocessing


def square(n):
    return n * n


if __name__ == "__main__":
    pool = multiprocessing.Pool(processes=5)
    squares = pool.map(square, range(10))
    print(squares)
    pool.close()
    pool.join()
    print("All squares calculated with multiprocessing")
