"""Four processes, each printing its own number's square; they finish in
whatever order the scheduler lets them."""

import multiprocessing
import sys


def report_square(n):
    # One write of the whole line: print() writes the text and the newline
    # separately, and four processes sharing a pipe can interleave between them.
    sys.stdout.write("Process %d: The square of %d is %d.\n" % (n, n, n * n))
    sys.stdout.flush()


if __name__ == "__main__":
    children = [multiprocessing.Process(target=report_square, args=(n,)) for n in range(1, 5)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    print("All processes have finished.")
