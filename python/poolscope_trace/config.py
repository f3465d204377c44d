"""The host's choices for the program's pools (PROTOCOL.md: Activation)."""

import os

KINDS = ("process", "thread", "serial")


class Config(object):
    def __init__(self, processes, kind, problems):
        self.processes = processes  # None: as the program says
        self.kind = kind
        self.problems = problems  # what the tracer reports as warnings

    def pool_size(self, asked):
        """The size a pool really gets: one thread when serial."""
        if self.kind == "serial":
            return 1
        return self.processes if self.processes is not None else asked


def read(environ=os.environ):
    problems = []
    processes = None
    text = environ.get("POOLSCOPE_PROCESSES", "")
    if text:
        if text.isdigit() and 1 <= int(text) <= 64:
            processes = int(text)
        else:
            problems.append("POOLSCOPE_PROCESSES=%r ignored: expected 1…64" % text)
    kind = environ.get("POOLSCOPE_POOL_KIND", "") or "process"
    if kind not in KINDS:
        problems.append("POOLSCOPE_POOL_KIND=%r ignored: expected process, thread or serial" % kind)
        kind = "process"
    return Config(processes, kind, problems)
