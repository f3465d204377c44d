"""One child process, started and joined (tests: optional start method)."""

import multiprocessing
import sys


def greet():
    print("Child process is running.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        multiprocessing.set_start_method(sys.argv[1])  # tests: fork, spawn, forkserver
    child = multiprocessing.Process(target=greet)
    child.start()
    child.join()
    print("Main process is done.")
