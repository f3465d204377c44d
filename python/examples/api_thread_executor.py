"""ThreadPoolExecutor: 3 submits and a map of 5 (tests)."""

from concurrent.futures import ThreadPoolExecutor


def cube(n):
    return n ** 3


if __name__ == "__main__":
    with ThreadPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(cube, n) for n in range(3)]
        print([future.result() for future in futures])
        print(list(executor.map(cube, range(5))))
