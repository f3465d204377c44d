"""A user's program using Ray's drop-in multiprocessing Pool (run traced)."""

import json
import sys

import ray
from ray.util.multiprocessing import Pool


def square(x):
    return x * x


if __name__ == "__main__":
    ray.init(num_cpus=2, include_dashboard=True, log_to_driver=False)
    try:
        with Pool(processes=2) as pool:
            results = pool.map(square, range(20))
        remote_square = ray.remote(square)
        more = ray.get([remote_square.remote(x) for x in range(5)])
        if len(sys.argv) > 1:
            ray.timeline(filename=sys.argv[1])  # what `ray timeline` writes
        print(json.dumps({"results": results, "more": more}))
    finally:
        ray.shutdown()
