"""Four processes, each printing its own number's square; they finish in
whatever order the scheduler lets them."""

import multiprocessing


def report_square(n):
    print("Process %d: The square of %d is %d." % (n, n, n * n))


if __name__ == "__main__":
    children = [multiprocessing.Process(target=report_square, args=(n,)) for n in range(1, 5)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    print("All processes have finished.")
