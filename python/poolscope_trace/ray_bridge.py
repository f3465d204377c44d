"""The Ray source (PROTOCOL.md: Cluster sources).

    python -m poolscope_trace.ray_bridge --address ADDRESS
    python -m poolscope_trace.ray_bridge --local N_CPUS

follows Ray tasks (and ``ray.util.multiprocessing.Pool`` work, which Ray
runs as ``PoolActor.run_batch`` actor tasks, one per chunk) from Ray's own
task events, read through its state API: ``ray.util.state.list_tasks`` and
``list_workers``, polled. The state API has no "since" filter, so each poll
reads every task the cluster still keeps, at most ``LIMIT`` (10,000, the
API's own ceiling): this source is exact up to 10k tasks a job and then
shows the newest 10k; Ray itself delays events by its report interval
(``RAY_task_events_report_interval_ms``, 1 s unless set; clusters the bridge
or a traced program starts use 100 ms).

A traced program's ``ray.init()`` (also the one a Ray ``Pool`` makes) is
followed in its process (``patch_ray``, installed by the tracer).
"""

import argparse
import os
import sys
import threading
import time

from . import cluster, core, transport, workloads

LIMIT = 10000
POLL_SECONDS = 0.25
RETRY_GRACE_SECONDS = 3.0  # a failed attempt waits this long for its retry
GONE_AFTER_SECONDS = 3.0
REPORT_INTERVAL_MS = "100"
_SKIP_TYPES = ("DRIVER_TASK", "ACTOR_CREATION_TASK")
_SKIP_NAMES = ("PoolActor.ping", "PoolActor.__init__")
_SKIP_SUFFIXES = (".__ray_terminate__", ".__ray_ready__", ".__ray_call__")
CALL_QUIET_SECONDS = 1.0  # a call with nothing left and nothing new for this long has ended
_LOST_ERRORS = ("WORKER_DIED", "NODE_DIED", "LOCAL_RAYLET_DIED", "OUT_OF_MEMORY")


def _field(row, name):
    if isinstance(row, dict):
        return row.get(name)
    return getattr(row, name, None)


class RayFollower(object):
    """Polls the state API on its own thread and emits cluster records."""

    def __init__(self, address=None, poll_seconds=POLL_SECONDS):
        self.address = address
        self.poll_seconds = poll_seconds
        self.clock = cluster.Clock()
        self.lanes = cluster.Lanes()
        self.calls = {}  # (job, name) -> [call id, next index, unsettled]
        self.tasks = {}  # task id -> [call id, index, settled]
        self.attempts = {}  # (task id, attempt) -> state last reported
        self.pending_failures = {}  # (task id, attempt) -> (row, first seen)
        self.closing = False
        self.gone = threading.Event()
        self.polls = 0
        self._stopped = threading.Event()
        self._on_gone = []
        self._lock = threading.Lock()

    def on_gone(self, callback):
        self._on_gone.append(callback)

    def start(self):
        threading.Thread(target=self._loop, name="poolscope-ray-poll", daemon=True).start()
        return self

    def stop(self, final_wait=0.0):
        """One last poll after Ray's report interval, then no more."""
        if self.closing:
            return
        if final_wait:
            time.sleep(final_wait)
        try:
            self.poll(final=True)
        except Exception:
            pass
        self.closing = True
        self._stopped.wait(2.0)

    def drain(self, wait=0.3):
        """Ray reports task events late: a poll after its report interval (100 ms on clusters we start)."""
        time.sleep(wait)
        try:
            self.poll()
        except Exception:
            pass
        transport.flush()

    def _loop(self):
        failing_since = None
        try:
            while not self.closing:
                started = time.monotonic()
                try:
                    self.poll()
                    failing_since = None
                except Exception as error:
                    if self.closing:
                        break
                    if failing_since is None:
                        failing_since = time.monotonic()
                    elif time.monotonic() - failing_since >= GONE_AFTER_SECONDS:
                        self._head_gone(error)
                        break
                # Never more than about a quarter of the time polling.
                spent = time.monotonic() - started
                time.sleep(max(self.poll_seconds, 3 * spent))
        finally:
            self._stopped.set()

    def _head_gone(self, error):
        if self.gone.is_set():
            return
        self.gone.set()
        at = core.now()
        self._fail_pending(force=True)
        self.lanes.end_all(at, "head gone")
        cluster.gone("the Ray head%s went away (%s)" % (
            " at %s" % self.address if self.address else "", core.describe_error(error)))
        for callback in self._on_gone:
            try:
                callback()
            except Exception:
                pass

    # One poll -----------------------------------------------------------------

    def poll(self, final=False):
        from ray.util.state import list_tasks, list_workers

        with self._lock:
            workers = list_workers(address=self.address, limit=LIMIT, timeout=10, raise_on_missing_output=False)
            self._workers(workers)
            rows = list_tasks(address=self.address, detail=True, limit=LIMIT, timeout=10,
                              raise_on_missing_output=False)
            rows = [row for row in rows if _field(row, "type") not in _SKIP_TYPES
                    and _field(row, "func_or_class_name") not in _SKIP_NAMES
                    and not (_field(row, "func_or_class_name") or "").endswith(_SKIP_SUFFIXES)]
            # Submission order: by creation time, then attempt.
            rows.sort(key=lambda row: (_field(row, "creation_time_ms") or 0, _field(row, "attempt_number") or 0))
            for row in rows:
                self._task(row)
            self._fail_pending(force=final)
            self._end_calls(force=final)
            self.polls += 1

    def _workers(self, workers):
        mono = self.clock.mono
        for worker in workers:
            if _field(worker, "worker_type") != "WORKER":
                continue
            key = _field(worker, "worker_id")
            node = (_field(worker, "node_id") or "")[:8]
            if _field(worker, "is_alive"):
                started = _field(worker, "start_time_ms") or 0
                at = mono(started / 1000.0) if started > 0 else core.now()
                self.lanes.add(key, "process", key[:8], "node " + node, _field(worker, "pid"), at)
            elif self.lanes.is_open(key):
                ended = _field(worker, "end_time_ms") or 0
                at = mono(ended / 1000.0) if ended > 0 else core.now()
                reason = {"SYSTEM_ERROR": "crashed", "INTENDED_SYSTEM_EXIT": "retired",
                          "USER_ERROR": "crashed", "INTENDED_USER_EXIT": "closed"}.get(
                              _field(worker, "exit_type"), _field(worker, "exit_type") or "closed")
                self.lanes.end(key, at, reason)

    def _lane(self, row):
        key = _field(row, "worker_id")
        if not key:
            return None
        if not self.lanes.is_open(key) and key not in self.lanes.ended:
            node = (_field(row, "node_id") or "")[:8]
            self.lanes.add(key, "process", key[:8], "node " + node, _field(row, "worker_pid"), core.now())
        return key

    def _call_of(self, row):
        task_id = _field(row, "task_id")
        task = self.tasks.get(task_id)
        if task is not None:
            return task
        name = _field(row, "func_or_class_name") or _field(row, "name") or "task"
        group = (_field(row, "job_id"), name)
        call = self.calls.get(group)
        at = self._ms(_field(row, "creation_time_ms"))
        if call is None:
            if name.startswith("PoolActor."):
                method, func = "Pool.map", name.partition(".")[2]
            elif _field(row, "type") == "ACTOR_TASK":
                method, func = "actor", name
            else:
                method, func = "ray.remote", name
            call = self.calls[group] = [core.new_id(), 0, 0, 0.0]
            core.emit(["call", call[0], None, method, core.cut(func, core.SHORT_LIMIT), 1, None, at])
        task = self.tasks[task_id] = [call[0], call[1], False, group]
        call[1] += 1
        call[2] += 1
        call[3] = time.monotonic()
        core.emit(["submit", call[0], task[1], 1, at])
        return task

    def _ms(self, value):
        return self.clock.mono(value / 1000.0) if value else core.now()

    def _task(self, row):
        task = self._call_of(row)
        attempt = (_field(row, "task_id"), _field(row, "attempt_number") or 0)
        state = _field(row, "state")
        before = self.attempts.get(attempt)
        if before == state or before in ("FINISHED", "FAILED", "ATTEMPT"):
            return
        # A later attempt of the task: the earlier one did not count.
        if attempt[1] > 0:
            for earlier in range(attempt[1]):
                self._retry(task, (attempt[0], earlier))
        call, index = task[0], task[1]
        if state == "RUNNING":
            lane = self._lane(row)
            if lane is not None:
                core.emit(["lane-run", call, index, lane, self._ms(_field(row, "start_time_ms"))])
        elif state == "FINISHED":
            lane = self._lane(row)
            core.emit(["lane-done", call, index, lane, self._ms(_field(row, "start_time_ms")),
                       self._ms(_field(row, "end_time_ms")), None, None])
            self._settle(task)
        elif state == "FAILED":
            # It may be retried: wait for the retry before it counts as failed.
            self.pending_failures[attempt] = (row, time.monotonic())
        else:
            return  # scheduled, waiting for arguments, a node or a worker: not drawn yet
        self.attempts[attempt] = state

    def _retry(self, task, attempt):
        pending = self.pending_failures.pop(attempt, None)
        if self.attempts.get(attempt) == "ATTEMPT":
            return
        self.attempts[attempt] = "ATTEMPT"
        if pending is None:
            return  # never seen running: nothing to draw
        row = pending[0]
        reason = "worker-lost" if _field(row, "error_type") in _LOST_ERRORS else "retry"
        core.emit(["attempt", task[0], task[1], self._lane(row), self._ms(_field(row, "start_time_ms")),
                   self._ms(_field(row, "end_time_ms")), reason])

    def _fail_pending(self, force=False):
        now = time.monotonic()
        for attempt, (row, seen) in list(self.pending_failures.items()):
            if not force and now - seen < RETRY_GRACE_SECONDS:
                continue
            del self.pending_failures[attempt]
            task = self.tasks[attempt[0]]
            error = "%s: %s" % (_field(row, "error_type") or "Error", (_field(row, "error_message") or "").strip())
            core.emit(["lane-fail", task[0], task[1], self._lane(row), self._ms(_field(row, "start_time_ms")),
                       self._ms(_field(row, "end_time_ms")), None, core.cut(error, core.ERROR_LIMIT)])
            self._settle(task)

    def _settle(self, task):
        if task[2]:
            return
        task[2] = True
        call = self.calls.get(task[3])
        if call is not None:
            call[2] -= 1

    def _end_calls(self, force=False):
        """A call ends once all its tasks settled and no new one came for a
        while (a Pool.map submits its chunks one after another); the next
        task of that name opens a new call."""
        now = time.monotonic()
        for group, call in list(self.calls.items()):
            if call[2] == 0 and (force or now - call[3] >= CALL_QUIET_SECONDS):
                core.emit(["call-end", call[0], call[1], core.now()])
                del self.calls[group]


# The bridge process -----------------------------------------------------------------


class Bridge(cluster.Bridge):
    def __init__(self, follower, owned):
        cluster.Bridge.__init__(self, follower)
        self.owned = owned

    def scale(self, count):
        # A local Ray instance has the CPUs it started with; only an
        # autoscaling cluster can grow, and request_resources is a hint to it.
        if self.owned:
            cluster.reply({"ok": False, "command": "scale",
                           "error": "cannot scale: a local Ray instance keeps the CPUs it started with "
                                    "(restart the bridge with --local N)"})
            return
        from ray.autoscaler.sdk import request_resources
        request_resources(num_cpus=int(count))
        cluster.mark("asked the autoscaler for %d CPUs" % int(count))
        cluster.reply({"ok": True, "command": "scale", "cpus": int(count),
                       "note": "a request to Ray's autoscaler; without one nothing changes"})

    def plan(self, workload, tasks, cost_ms, fault_every):
        return workloads.plan(workload, tasks, cost_ms, fault_every=fault_every)

    def submit(self, fn, iterables, workload):
        import ray

        remote = ray.remote(max_retries=0)(fn)
        refs = self.tasks = [remote.remote(*args) for args in zip(*iterables)]
        if self.cancelled:
            self.cancel_tasks(refs)
        failed = 0
        for ref in refs:
            try:
                ray.get(ref)
            except Exception:
                failed += 1
        return failed

    def cancel_tasks(self, refs):
        """Queued ones never run, running ones are ended (force)."""
        import ray

        for ref in refs:
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass  # already finished


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m poolscope_trace.ray_bridge",
                                     description="Reports a Ray cluster to the Poolscope host.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--address", help="attach to this Ray cluster (e.g. 127.0.0.1:6379 or auto)")
    where.add_argument("--local", type=int, metavar="N_CPUS", help="start a local Ray instance with N CPUs")
    parser.add_argument("--poll-ms", type=int, default=int(POLL_SECONDS * 1000),
                        help="how often the state API is read (250)")
    return parser.parse_args(argv)


def main(argv=None):
    options = _parse(sys.argv[1:] if argv is None else argv)
    try:
        import ray
    except ImportError as error:
        cluster.no_engine("Ray", error)
    cluster.connect_bridge("ray-bridge")
    os.environ.setdefault("RAY_task_events_report_interval_ms", REPORT_INTERVAL_MS)
    try:
        if options.local is not None:
            context = ray.init(num_cpus=options.local, include_dashboard=True, log_to_driver=False,
                               configure_logging=False)
        else:
            cluster.check_reachable(options.address)
            context = ray.init(address=options.address, log_to_driver=False, configure_logging=False)
    except Exception as error:
        why = cluster.failure("Ray", error)
        sys.stderr.write("poolscope: %s\n" % why)
        cluster.gone(why)
        transport.say_bye()
        return 1
    follower = RayFollower(poll_seconds=options.poll_ms / 1000.0).start()
    bridge = Bridge(follower, owned=options.local is not None)
    follower.on_gone(bridge.stop.set)
    transport.on_host_lost(ray.shutdown)
    cluster.reply({"ok": True, "ready": {"address": context.address_info.get("gcs_address"),
                                         "dashboard": context.dashboard_url, "owned": options.local is not None,
                                         "ray": ray.__version__}})
    cluster.read_commands(bridge.handle)
    cluster.wait_for_stop(bridge.stop)
    if follower.gone.is_set():
        sys.stderr.write("poolscope: the Ray head went away\n")
    else:
        follower.stop(final_wait=0.3)
    follower.closing = True
    try:
        ray.shutdown()
    except Exception:
        pass
    transport.say_bye()
    return 0


# A traced program's own ray.init() --------------------------------------------------

_follower = None


def patch_ray(ray_module):
    original_init = ray_module.init
    original_shutdown = ray_module.shutdown

    def init(*args, **kwargs):
        global _follower
        if not core.enabled:
            return original_init(*args, **kwargs)
        # Ray's own processes (GCS, raylet, workers) inherit the environment
        # at this moment: they must not connect to the host themselves.
        saved = {key: os.environ.pop(key) for key in cluster.ENV_OF_OURS if key in os.environ}
        os.environ.setdefault("RAY_task_events_report_interval_ms", REPORT_INTERVAL_MS)
        try:
            context = original_init(*args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        finally:
            os.environ.update(saved)
        if _follower is None or _follower.closing:
            _follower = RayFollower().start()
        return context

    def shutdown(*args, **kwargs):
        global _follower
        follower, _follower = _follower, None
        if follower is not None:
            try:
                follower.stop(final_wait=0.3)  # the last task events are a report interval away
            except Exception:
                pass
        return original_shutdown(*args, **kwargs)

    init.__wrapped__ = original_init
    shutdown.__wrapped__ = original_shutdown
    ray_module.init = init
    ray_module.shutdown = shutdown


if __name__ == "__main__":
    sys.exit(main())
