"""A scheduler (and one worker thread) for the bridge to attach to; prints
its address and runs until killed."""

import logging
import time

from distributed import LocalCluster

if __name__ == "__main__":
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None,
                           silence_logs=logging.ERROR)
    print(cluster.scheduler_address, flush=True)
    while True:
        time.sleep(60)
