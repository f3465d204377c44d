"""Megabytes of output from the parent and from a worker, on both streams,
a line too long to send whole and no newline at the very end (tests: output
is unchanged). One worker, so that the bytes' order is the same every run."""

import multiprocessing
import sys


def chatter(n):
    for i in range(2000):
        print("worker task %d line %d %s" % (n, i, "x" * (i % 120)))
    sys.stderr.write("task %d done\n" % n)
    return n


if __name__ == "__main__":
    for i in range(20000):
        print("parent line %d %s" % (i, "y" * (i % 200)))
    print("a line that is far too long to send whole: " + "z" * 10000)
    with multiprocessing.Pool(1) as pool:
        print(pool.map(chatter, range(6)))
    sys.stdout.write("no newline at the end")
