"""Three threading.Threads, each printing one line (tests)."""

import threading


def shout(n):
    print("thread %d" % n)


if __name__ == "__main__":
    threads = [threading.Thread(target=shout, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("threads joined:", threading.active_count())
