"""The plugins the Dask bridge installs on a scheduler and its workers.

They are pickled *by value* (cloudpickle), so a scheduler or worker needs no
Poolscope code of its own; keep this module self-contained (Dask, Tornado
and the standard library only).

The scheduler plugin numbers tasks into calls as the scheduler receives
them and publishes compact tuples, batched every tick, on one event topic
that the bridge's Client subscribes to: one message per tick rather than
one per task, and it truncates the topic so the scheduler keeps none of
them. Keys never travel: tuples name tasks by (call number, index).

Tuples (times are the engine's wall-clock seconds):
  ("w+", address, nthreads, pid, name, t)       a worker joined
  ("w-", address, t, reason)                    a worker left
  ("c", call, prefix, method, t)                a call began
  ("s", call, first, count, t)                  tasks of a call were submitted
  ("e", call, total, t)                         every task of the call settled
  ("r", call, index, address, thread, start)    running (sampled on the worker)
  ("d", call, index, address, thread, startstops, nbytes)   done
  ("f", call, index, address, thread, startstops, error)    failed
  ("x", call, index, t, error)                  failed without running here
  ("l", call, index, address, t, why, startstops, thread)
                                                left its worker unfinished (why:
                                                worker-lost, retired, retry,
                                                rescheduled, moved), or ran again
                                                after it had counted ("recomputed")
  ("m", text, t)                                something for the timeline
  ("z", token)                                  everything before it was sent (drain)
startstops: [(action, start, stop), ...].
"""

from dask.utils import key_split
from distributed.diagnostics.plugin import SchedulerPlugin, WorkerPlugin
from distributed.metrics import time
from tornado.ioloop import PeriodicCallback

FLUSH_AT = 8192


def _as_key(key):
    """msgpack turns tuple keys into lists on the way from a worker."""
    if isinstance(key, list):
        return tuple(_as_key(part) for part in key)
    return key


def _startstops(startstops):
    return [(s.get("action"), s.get("start"), s.get("stop")) for s in startstops or ()]


def _why_left(stimulus_id, worker_alive):
    stimulus = stimulus_id or ""
    if not worker_alive:
        return "retired" if stimulus.startswith("retire") else "worker-lost"
    if stimulus.startswith("task-erred"):
        return "retry"
    if "reschedule" in stimulus:
        return "rescheduled"
    return "moved"  # stolen or rebalanced before it ran: not an attempt


def _worker_reason(stimulus_id):
    stimulus = stimulus_id or ""
    if stimulus.startswith("retire"):
        return "retired"
    if stimulus.startswith("handle-worker-cleanup") or "heartbeat" in stimulus:
        return "crashed"
    return "closed"


class PoolscopeSchedulerPlugin(SchedulerPlugin):
    def __init__(self, topic, worker_topic, tick_ms=20):
        self.name = topic
        self.topic = topic
        self.worker_topic = worker_topic
        self.tick_ms = tick_ms

    async def start(self, scheduler):
        self.scheduler = scheduler
        self.buffer = []
        self.tasks = {}  # key -> [call, index, settled]
        self.calls = {}  # call -> [client, prefix, unsettled, total]
        self.open = {}  # (client, prefix) -> call still running tasks
        self.on = {}  # key -> worker address while processing
        self.next_call = 0
        at = time()
        for ws in list(scheduler.workers.values()):
            self._worker_joined(ws, at)
        self._ticker = PeriodicCallback(self.flush, self.tick_ms)
        self._ticker.start()

    async def close(self):
        ticker = getattr(self, "_ticker", None)
        if ticker is not None:
            ticker.stop()
        self.flush()

    def flush(self):
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        self.scheduler.log_event(self.topic, {"b": batch})
        self._truncate(self.topic)

    def _truncate(self, topic):
        broker = getattr(self.scheduler, "_broker", None)
        if broker is not None:
            broker.truncate(topic)

    def _put(self, item):
        self.buffer.append(item)
        if len(self.buffer) >= FLUSH_AT:
            self.flush()

    # Calls and tasks ------------------------------------------------------

    def _new_call(self, client, prefix, method, at):
        self.next_call += 1
        call = self.next_call
        self.calls[call] = [client, prefix, 0, 0]
        self.open[(client, prefix)] = call
        self._put(("c", call, prefix, method, at))
        return call

    def _add_tasks(self, call, keys, at):
        info = self.calls[call]
        first = info[3]
        for offset, key in enumerate(keys):
            self.tasks[key] = [call, first + offset, False]
        info[2] += len(keys)
        info[3] += len(keys)
        self._put(("s", call, first, len(keys), at))

    def update_graph(self, scheduler, *, client=None, keys=None, tasks=None, priority=None, **kwargs):
        at = time()
        priority = priority or {}
        fresh = {}
        for key in tasks or ():
            if key not in self.tasks:
                fresh.setdefault(key_split(key), []).append(key)
        for prefix, keys in fresh.items():
            # client.map's priorities follow its input order: index i is input i.
            keys.sort(key=lambda key: priority.get(key, ()))
            call = self.open.get((client, prefix))
            if call is None:
                call = self._new_call(client, prefix, "client.map" if len(keys) > 1 else "submit", at)
            self._add_tasks(call, keys, at)

    def _task(self, key):
        """[call, index, settled]; a task from before we were installed joins
        an "adopted" call of its prefix."""
        task = self.tasks.get(key)
        if task is None:
            prefix = key_split(key)
            call = self.open.get((None, prefix))
            if call is None:
                call = self._new_call(None, prefix, "adopted", time())
            self._add_tasks(call, [key], time())
            task = self.tasks[key]
        return task

    def _settle(self, task, at):
        if task[2]:
            return False  # a recomputation: counted once already
        task[2] = True
        info = self.calls.get(task[0])
        if info is not None:
            info[2] -= 1
            if info[2] == 0:
                if self.open.get((info[0], info[1])) == task[0]:
                    del self.open[(info[0], info[1])]
                self._put(("e", task[0], info[3], at))
        return True

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "processing":
            ts = self.scheduler.tasks.get(key)
            if ts is not None and ts.processing_on is not None:
                self.on[key] = ts.processing_on.address
            return
        if start == "processing":
            worker = self.on.pop(key, None)
            task = self._task(key)
            if finish == "memory":
                worker = kwargs.get("worker", worker)
                startstops = _startstops(kwargs.get("startstops"))
                if self._settle(task, time()):
                    self._put(("d", task[0], task[1], worker, kwargs.get("thread"), startstops,
                               kwargs.get("nbytes")))
                else:
                    self._put(("l", task[0], task[1], worker, time(), "recomputed", startstops,
                               kwargs.get("thread")))
            elif finish == "erred":
                error = kwargs.get("exception_text") or ""
                if not error and kwargs.get("worker") is None:
                    error = "KilledWorker: its workers died while running it too often"
                if self._settle(task, time()):
                    self._put(("f", task[0], task[1], kwargs.get("worker") or worker, kwargs.get("thread"),
                               _startstops(kwargs.get("startstops")), error))
            else:
                alive = worker is not None and worker in self.scheduler.workers
                self._put(("l", task[0], task[1], worker, time(),
                           _why_left(kwargs.get("stimulus_id"), alive), None, None))
            return
        if finish == "erred":
            # Never ran here: a dependency failed, or it could not be scheduled.
            task = self._task(key)
            if self._settle(task, time()):
                ts = self.scheduler.tasks.get(key)
                blame = getattr(ts, "exception_blame", None) if ts is not None else None
                text = getattr(ts, "exception_text", None) if ts is not None else None
                if not text and blame is not None:
                    text = "a task it depends on failed: %s" % (blame.key,)
                self._put(("x", task[0], task[1], time(), text or "erred"))
        elif finish == "forgotten":
            task = self.tasks.pop(key, None)
            self.on.pop(key, None)
            if task is not None and not task[2]:
                self._settle(task, time())  # released by its client before it ran
                self._put(("x", task[0], task[1], time(), "cancelled"))

    # Workers ----------------------------------------------------------------

    def _worker_joined(self, ws, at):
        self._put(("w+", ws.address, ws.nthreads, ws.pid, str(ws.name), at))

    def add_worker(self, scheduler, worker):
        ws = scheduler.workers.get(worker)
        if ws is not None:
            self._worker_joined(ws, time())

    def remove_worker(self, scheduler, worker, *, stimulus_id=None, **kwargs):
        self._put(("w-", worker, time(), _worker_reason(stimulus_id)))

    def restart(self, scheduler):
        self._put(("m", "scheduler restarted", time()))

    def log_event(self, topic, msg):
        """Running samples from the workers, turned into (call, index)."""
        if topic != self.worker_topic:
            return
        self._truncate(topic)
        if not isinstance(msg, dict):
            return
        worker = msg.get("worker")
        for key, thread, start in msg.get("r", ()):
            key = _as_key(key)
            task = self.tasks.get(key)
            if task is not None and not task[2] and self.on.get(key) == worker:
                self._put(("r", task[0], task[1], worker, thread, start))


def drain(dask_scheduler, topic, token):
    """Run on the scheduler: publishes what is buffered, then ``token``."""
    plugin = dask_scheduler.plugins.get(topic)
    if plugin is None:
        return False
    plugin._put(("z", token))
    plugin.flush()
    return True


class PoolscopeWorkerPlugin(WorkerPlugin):
    """Samples which task each worker thread runs, every tick: the scheduler
    learns of a task only when it ends, and a long task should show running."""

    def __init__(self, topic, tick_ms=20):
        self.name = topic
        self.topic = topic
        self.tick_ms = tick_ms

    def setup(self, worker):
        self.worker = worker
        self.seen = {}
        self._ticker = PeriodicCallback(self.sample, self.tick_ms)
        self._ticker.start()

    def teardown(self, worker):
        ticker = getattr(self, "_ticker", None)
        if ticker is not None:
            ticker.stop()

    def sample(self):
        active = dict(self.worker.active_threads)
        fresh = []
        for thread, key in active.items():
            if self.seen.get(thread) != key:
                ts = self.worker.state.tasks.get(key)
                start = getattr(ts, "start_time", None) if ts is not None else None
                fresh.append((key, thread, start or time()))
        self.seen = active
        if fresh:
            self.worker.log_event(self.topic, {"r": fresh})
