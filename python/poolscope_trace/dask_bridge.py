"""The Dask source (PROTOCOL.md: Cluster sources).

    python -m poolscope_trace.dask_bridge --scheduler ADDRESS
    python -m poolscope_trace.dask_bridge --local N_WORKERS THREADS [--in-process]

connects to the host like any traced process (role ``bridge``), attaches to
a scheduler (or starts a LocalCluster it owns), installs the plugins of
``dask_plugin`` and turns what they publish into lanes and tasks. Commands
arrive as JSON lines on stdin (``{"scale": N}``, ``{"run": {...}}``,
``{"stop": true}``); answers leave as JSON lines on stdout.

A traced program's own ``distributed.Client`` is followed the same way, in
its process (``patch_client``, installed by the tracer's import hook).

This module imports Dask only inside functions: the tracer imports it when
the program imports ``distributed.client``, half-way through ``distributed``.
"""

import argparse
import ast
import sys
import threading
import time
import uuid

from . import cluster, core, transport, workloads

PHASES = {"compute": "compute", "transfer": "transfer", "deserialize": "deserialize",
          "disk-read": "disk-read", "disk-write": "disk-write"}
WATCH_SECONDS = 0.1
GONE_AFTER_SECONDS = 1.0


def _error_text(text):
    """Dask reports ``repr(exception)``; records say ``TypeName: message``."""
    text = text or "error"
    name, paren, rest = text.partition("(")
    if paren and name.isidentifier() and rest.endswith(")"):
        try:
            args = ast.literal_eval("(" + rest[:-1] + ",)") if rest[:-1] else ()
        except (ValueError, SyntaxError):
            args = None
        if args is not None:
            message = str(args[0]) if len(args) == 1 else (", ".join(map(str, args)))
            text = "%s: %s" % (name, message) if message else name
    return core.cut(text, core.ERROR_LIMIT)


class DaskFollower(object):
    """Follows one Client's scheduler and emits PROTOCOL.md's cluster records."""

    def __init__(self, client, tick_ms=20):
        self.client = client
        self.tick_ms = tick_ms
        self.clock = cluster.Clock()
        self.lanes = cluster.Lanes()
        self.topic = "poolscope-%s" % uuid.uuid4().hex[:12]
        self.worker_topic = self.topic + "-workers"
        self.calls = {}  # plugin call number -> our call id
        self.threads = {}  # worker address -> {thread ident: lane key}
        self.nthreads = {}  # worker address -> threads it said it has
        self.running = {}  # (call id, index) -> (lane, start)
        self.received = 0  # tuples handled, for the benchmark
        self.closing = False
        self.gone = threading.Event()
        self._lock = threading.Lock()
        self._on_gone = []
        self._drains = {}  # token -> Event set when the scheduler's batch with it arrived

    # Setting up -------------------------------------------------------------

    def start(self):
        import cloudpickle
        from . import dask_plugin

        # By value: the scheduler and workers need no Poolscope code.
        cloudpickle.register_pickle_by_value(dask_plugin)
        self.client.subscribe_topic(self.topic, self._on_event)
        self.client.register_plugin(
            dask_plugin.PoolscopeWorkerPlugin(self.worker_topic, self.tick_ms), name=self.worker_topic)
        self.client.register_plugin(
            dask_plugin.PoolscopeSchedulerPlugin(self.topic, self.worker_topic, self.tick_ms), name=self.topic)
        threading.Thread(target=self._watch, name="poolscope-dask-watch", daemon=True).start()
        return self

    def on_gone(self, callback):
        self._on_gone.append(callback)

    def drain(self, timeout=3.0):
        """Waits until every record the scheduler has is here (before a
        reply, before the Client closes): the plugins publish every tick."""
        from . import dask_plugin

        token = uuid.uuid4().hex
        arrived = self._drains[token] = threading.Event()
        try:
            if self.client.run_on_scheduler(dask_plugin.drain, topic=self.topic, token=token):
                return arrived.wait(timeout)
        except Exception:
            pass
        finally:
            self._drains.pop(token, None)
        return False

    def close(self):
        """Stops following (the Client closes): what is in flight first."""
        if self.closing or self.gone.is_set():
            self.closing = True
            return
        self.drain()
        self.closing = True
        self.lanes.end_all(core.now(), "closed")

    def stop(self):
        """Takes the plugins off a scheduler that goes on without us."""
        self.closing = True
        try:
            self.client.unregister_scheduler_plugin(self.topic)
        except Exception:
            pass
        try:
            self.client.unregister_worker_plugin(self.worker_topic)
        except Exception:
            pass
        try:
            self.client.unsubscribe_topic(self.topic)
        except Exception:
            pass

    def _watch(self):
        """The scheduler going away: ``gone`` once, what was seen stays."""
        lost_since = None
        while not self.closing:
            time.sleep(WATCH_SECONDS)
            status = getattr(self.client, "status", "running")
            if status == "running":
                lost_since = None
                continue
            if self.closing:
                return
            if lost_since is None:
                lost_since = time.monotonic()
            elif time.monotonic() - lost_since >= GONE_AFTER_SECONDS:
                self._scheduler_gone(status)
                return

    def _scheduler_gone(self, status):
        if self.gone.is_set():
            return
        self.gone.set()
        at = core.now()
        address = getattr(getattr(self.client, "scheduler", None), "address", None) or "the scheduler"
        for (call, index), (lane, start) in list(self.running.items()):
            core.emit(["attempt", call, index, lane, start, at, "worker-lost"])
        self.running.clear()
        self.lanes.end_all(at, "scheduler gone")
        cluster.gone("the Dask scheduler at %s went away (client %s)" % (address, status))
        for callback in self._on_gone:
            try:
                callback()
            except Exception:
                pass

    # Records ----------------------------------------------------------------

    def _on_event(self, event):
        _, message = event
        batch = message.get("b") if isinstance(message, dict) else None
        if not batch:
            return
        with self._lock:
            for item in batch:
                try:
                    self._handle(item)
                except Exception as error:  # one odd tuple must not stop the stream
                    transport.warn("dask bridge: %r: %s" % (item[:1], core.describe_error(error)))
            self.received += len(batch)

    def _lane(self, worker, thread):
        """The lane of a worker thread: slots are given out as threads are
        first seen, so lanes stay in the worker's thread order."""
        if worker is None:
            return None
        if thread is None:
            return "%s#1" % worker
        lanes = self.threads.setdefault(worker, {})
        lane = lanes.get(thread)
        if lane is None:
            slot = len(lanes) + 1
            lane = "%s#%d" % (worker, slot)
            lanes[thread] = lane
            if slot > self.nthreads.get(worker, 0):  # a thread beyond those announced
                self.lanes.add(lane, "thread", "%s \u00b7 thread %d" % (worker, slot), worker, None, core.now())
        return lane

    def _handle(self, item):
        kind = item[0]
        mono = self.clock.mono
        if kind == "d" or kind == "f":
            _, number, index, worker, thread, startstops, extra = item
            call = self.calls[number]
            lane = self._lane(worker, thread)
            self.running.pop((call, index), None)
            start, end = self._span(startstops)
            if kind == "d":
                core.emit(["lane-done", call, index, lane, start, end, None, None])
            else:
                core.emit(["lane-fail", call, index, lane, start, end, None, _error_text(extra)])
            self._phases(call, index, lane, startstops)
        elif kind == "r":
            _, number, index, worker, thread, start = item
            call = self.calls[number]
            lane = self._lane(worker, thread)
            at = mono(start)
            self.running[(call, index)] = (lane, at)
            core.emit(["lane-run", call, index, lane, at])
        elif kind == "s":
            _, number, first, count, at = item
            core.emit(["submit", self.calls[number], first, count, mono(at)])
        elif kind == "c":
            _, number, prefix, method, at = item
            call = self.calls[number] = core.new_id()
            core.emit(["call", call, None, method, core.cut(str(prefix), core.SHORT_LIMIT), 1, None, mono(at)])
        elif kind == "e":
            _, number, total, at = item
            core.emit(["call-end", self.calls[number], total, mono(at)])
        elif kind == "l":
            _, number, index, worker, at, why, startstops, thread = item
            call = self.calls[number]
            if why == "recomputed":
                start, end = self._span(startstops)
                core.emit(["attempt", call, index, self._lane(worker, thread), start, end, why])
                return
            running = self.running.pop((call, index), None)
            if running is not None and why != "moved":
                core.emit(["attempt", call, index, running[0], running[1], mono(at), why])
        elif kind == "x":
            _, number, index, at, error = item
            call = self.calls[number]
            running = self.running.pop((call, index), None)
            lane = running[0] if running else None
            start = running[1] if running else mono(at)
            core.emit(["lane-fail", call, index, lane, start, mono(at), None, _error_text(error)])
        elif kind == "w+":
            _, worker, nthreads, pid, name, at = item
            self.nthreads[worker] = nthreads
            at = mono(at)
            for slot in range(1, nthreads + 1):
                label = "%s \u00b7 thread %d" % (worker, slot)
                self.lanes.add("%s#%d" % (worker, slot), "thread", label, worker, pid, at)
        elif kind == "w-":
            _, worker, at, reason = item
            self.lanes.end_group(worker, mono(at), reason)
        elif kind == "m":
            _, text, at = item
            core.emit(["mark", text, None, mono(at)])
        elif kind == "z":
            arrived = self._drains.get(item[1])
            if arrived is not None:
                arrived.set()

    def _span(self, startstops):
        mono = self.clock.mono
        if not startstops:
            now = core.now()
            return now, now
        return mono(min(s[1] for s in startstops)), mono(max(s[2] for s in startstops))

    def _phases(self, call, index, lane, startstops):
        """Only where a task had more than its compute: one bar says that."""
        if len(startstops) < 2 and all(s[0] == "compute" for s in startstops):
            return
        mono = self.clock.mono
        for action, start, stop in startstops:
            core.emit(["phase", call, index, lane, PHASES.get(action, action), mono(start), mono(stop)])


# The host's commands ------------------------------------------------------------


class Bridge(cluster.Bridge):
    """The bridge process: a follower, the cluster it may own, and commands."""

    def __init__(self, client, local_cluster, follower, address):
        cluster.Bridge.__init__(self, follower)
        self.client = client
        self.cluster = local_cluster  # None when attached to someone else's scheduler
        self.address = address
        self._iterations_per_ms = None

    def scale(self, count):
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 64:
            cluster.reply({"ok": False, "command": "scale", "error": "scale takes a worker count 0…64"})
            return
        target = self.cluster if self.cluster is not None else getattr(self.client, "cluster", None)
        if target is None:
            cluster.reply({"ok": False, "command": "scale",
                           "error": "cannot scale: the scheduler at %s was not started by this bridge; "
                                    "scale it where it was deployed (dask worker, dask-jobqueue, "
                                    "dask-kubernetes…)" % self.address})
            return
        cluster.mark("scale to %d workers" % count)
        target.scale(count)
        cluster.reply({"ok": True, "command": "scale", "workers": count})

    def plan(self, workload, tasks, cost_ms, fault_every):
        if workload == "cpu" and self._iterations_per_ms is None:
            self._iterations_per_ms = workloads.calibrate_spin()
        return workloads.plan(workload, tasks, cost_ms, self._iterations_per_ms, fault_every)

    def submit(self, fn, iterables, workload):
        from distributed import wait

        futures = self.tasks = self.client.map(fn, *iterables, key=workload, pure=False)
        if self.cancelled:
            self.client.cancel(futures)
        try:
            wait(futures)
        except Exception:
            if not self.cancelled:
                raise  # a cancelled run's wait raises FuturesCancelledError
        return sum(1 for future in futures if future.status == "error")

    def cancel_tasks(self, futures):
        """Releases them: queued ones never run, running ones are abandoned by the scheduler."""
        self.client.cancel(futures)


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m poolscope_trace.dask_bridge",
                                     description="Reports a Dask cluster to the Poolscope host.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", metavar="ADDRESS", help="attach to this scheduler (read-only unless asked)")
    where.add_argument("--local", nargs=2, type=int, metavar=("N_WORKERS", "THREADS"),
                       help="start a LocalCluster of N worker processes with THREADS threads each")
    parser.add_argument("--in-process", action="store_true",
                        help="with --local: worker threads in this process instead of worker processes")
    parser.add_argument("--tick-ms", type=int, default=20, help="how often the plugins publish (20)")
    return parser.parse_args(argv)


def main(argv=None):
    options = _parse(sys.argv[1:] if argv is None else argv)
    try:
        import distributed
        from distributed import Client, LocalCluster
    except ImportError as error:
        cluster.no_engine("Dask (distributed)", error)
    import logging

    cluster.connect_bridge("dask-bridge")

    local_cluster = None
    cluster.spawn_without_main()
    try:
        if options.local:
            workers, threads = options.local
            local_cluster = LocalCluster(n_workers=workers, threads_per_worker=threads,
                                         processes=not options.in_process, dashboard_address=None,
                                         silence_logs=logging.ERROR)
            client = Client(local_cluster)
        else:
            cluster.check_reachable(options.scheduler)
            client = Client(options.scheduler, timeout=10)
    except Exception as error:
        why = cluster.failure("the Dask scheduler", error)
        sys.stderr.write("poolscope: %s\n" % why)
        cluster.gone(why)
        transport.say_bye()
        if local_cluster is not None:
            local_cluster.close()
        return 1
    address = client.scheduler.address
    follower = DaskFollower(client, options.tick_ms).start()
    bridge = Bridge(client, local_cluster, follower, address)
    follower.on_gone(bridge.stop.set)

    def shut_down():
        # Our own cluster must not outlive the bridge (a lost host, a signal).
        if local_cluster is not None:
            try:
                client.close(timeout=2)
                local_cluster.close(timeout=3)
            except Exception:
                pass

    transport.on_host_lost(shut_down)
    cluster.reply({"ok": True, "ready": {"scheduler": address, "owned": local_cluster is not None,
                                         "workers": len(client.scheduler_info().get("workers", {})),
                                         "dask": distributed.__version__}})
    cluster.read_commands(bridge.handle)
    cluster.wait_for_stop(bridge.stop)

    gone = follower.gone.is_set()
    if not gone:
        follower.close()
        follower.stop()
    if gone:
        sys.stderr.write("poolscope: the Dask scheduler at %s went away\n" % address)
    try:
        client.close(timeout=2)
    except Exception:
        pass
    if local_cluster is not None:
        try:
            local_cluster.close(timeout=5)
        except Exception:
            pass
    transport.say_bye()
    return 0


# A traced program's own Client --------------------------------------------------

_followers = []


def patch_client(client_module):
    """Follows every synchronous ``Client`` a traced program makes."""
    Client = client_module.Client
    original_init = Client.__init__

    def __init__(self, *args, **kwargs):
        try:
            original_init(self, *args, **kwargs)
        except BaseException as error:
            core.drop_own_frame(error)
            raise
        if not core.enabled or self.__dict__.get("_poolscope_internal"):
            return
        if getattr(self, "asynchronous", False):
            transport.warn("an asynchronous Dask Client is not followed (yet): use a synchronous one")
            return
        try:
            follower = DaskFollower(self).start()
        except Exception as error:
            transport.warn("could not follow the Dask Client: %s" % core.describe_error(error))
            return
        _followers.append(follower)
        original_close = self.close

        def close(*close_args, **close_kwargs):
            try:
                follower.close()
            except Exception:
                follower.closing = True
            return original_close(*close_args, **close_kwargs)

        self.close = close

    Client.__init__ = __init__


if __name__ == "__main__":
    sys.exit(main())
