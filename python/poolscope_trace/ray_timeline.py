"""Converts a ``ray timeline`` file for Poolscope's trace import.

    python -m poolscope_trace.ray_timeline RAY_TIMELINE.json OUT.json

``ray timeline`` (or ``ray.timeline(filename)``) already writes Chrome trace
JSON (a list of X events; pid the node's IP, tid ``worker:<56 hex>``, 63
characters, within the import's 64), and Poolscope's import reads it as it
is, but as Ray draws it: each task is four nested slices on its worker (the task, and its
deserialize / execute / store-outputs parts), the driver's own submit and
get calls are slices too, and lanes are named by 56-hex-digit worker ids.
Replayed as it is, every task would count four times. This keeps one
slice per task (Ray's event of category ``task::NAME``, which spans the others), puts
the parts in its args (``execute_ms``, …), drops the driver's events, and
names each lane ``node · worker``.

Standard library only: the file can be converted where Ray is not installed.
"""

import json
import sys

_PARTS = {"task:deserialize_arguments": "deserialize_ms", "task:execute": "execute_ms",
          "task:store_outputs": "store_outputs_ms"}
_SKIP = ("PoolActor.ping", "PoolActor.__init__")


def _short(identifier):
    text = str(identifier)
    kind, colon, rest = text.partition(":")
    return "%s:%s" % (kind, rest[:8]) if colon else text[:16]


def convert(events):
    """Ray's event list -> {"traceEvents": [...]} with one X slice per task."""
    if isinstance(events, dict):
        events = events.get("traceEvents", [])
    parts = {}
    tasks = []
    for event in events:
        if not isinstance(event, dict) or event.get("ph") != "X":
            continue
        tid = str(event.get("tid", ""))
        if tid.lower().startswith("driver"):
            continue
        name = str(event.get("name", ""))
        cat = str(event.get("cat", ""))
        key = (str(event.get("pid", "")), tid)
        if name in _PARTS:
            parts.setdefault(key, []).append((event["ts"], event["ts"] + event.get("dur", 0), _PARTS[name]))
        elif cat.startswith("task::") or name.startswith("task::"):
            # The whole task: cat "task::Class.method" or "task::function".
            task = (cat if cat.startswith("task::") else name)[len("task::"):]
            if task in _SKIP or task.endswith(".__ray_terminate__"):
                continue
            tasks.append((key, task, event))
    out = []
    lanes = {}
    for key, task, event in tasks:
        lane = lanes.get(key)
        if lane is None:
            lane = lanes[key] = (_short(key[0]), _short(key[1]))
            out.append({"ph": "M", "name": "thread_name", "pid": lane[0], "tid": lane[1],
                        "args": {"name": "%s \u00b7 %s" % lane}})
        start, end = event["ts"], event["ts"] + event.get("dur", 0)
        args = dict(event.get("args") or {})
        for part_start, part_end, label in parts.get(key, ()):
            if start <= part_start and part_end <= end:
                args[label] = round((part_end - part_start) / 1000.0, 3)
        out.append({"ph": "X", "cat": "ray", "name": task, "pid": lane[0], "tid": lane[1],
                    "ts": start, "dur": end - start, "args": args})
    return {"traceEvents": out, "otherData": {"source": "ray timeline", "tasks": len(tasks)}}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        sys.stderr.write("usage: python -m poolscope_trace.ray_timeline RAY_TIMELINE.json OUT.json\n")
        return 2
    with open(argv[0]) as source:
        converted = convert(json.load(source))
    with open(argv[1], "w") as target:
        json.dump(converted, target)
    sys.stderr.write("%d tasks on %d lanes\n" % (converted["otherData"]["tasks"],
                                                 sum(1 for e in converted["traceEvents"] if e["ph"] == "M")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
