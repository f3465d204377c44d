"""A user's program with its own Dask cluster and Client (run traced by the
tests): prints where Dask says each task of its map ran."""

import json
import logging
import sys

from distributed import Client, LocalCluster


def square(x):
    return x * x


def seven_fails(x):
    if x == 7:
        raise ValueError("seven is not allowed")
    return x


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        futures = client.map(square, range(count))
        results = client.gather(futures)
        who_has = client.who_has(futures)
        placement = [who_has[future.key][0] for future in futures]
        failing = client.map(seven_fails, range(10))
        errors = [type(future.exception()).__name__ if future.exception() else None for future in failing]
        print(json.dumps({"sum": sum(results), "placement": placement, "errors": errors}))
