"""Tees sys.stdout and sys.stderr into ``out`` records.

Every write goes to the original stream first, unchanged; only then is the
text split into lines, each tagged with the task its thread is running.
Everything else (``buffer``, ``fileno``, ``isatty``, ``encoding``, ``flush``…)
is the original stream's.
"""

import sys

from . import core, transport

_partial = {}  # (stream name, thread ident) -> (text after the last newline, tid)


class StreamTee(object):
    def __init__(self, stream, name):
        object.__setattr__(self, "_poolscope_stream", stream)
        object.__setattr__(self, "_poolscope_name", name)

    def write(self, text):
        written = self._poolscope_stream.write(text)
        if core.enabled and type(text) is str:
            try:
                _capture(self._poolscope_name, text)
            except Exception:
                pass
        return written

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._poolscope_stream, name)

    def __setattr__(self, name, value):
        setattr(self._poolscope_stream, name, value)

    def __repr__(self):
        return repr(self._poolscope_stream)

    def __enter__(self):
        self._poolscope_stream.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._poolscope_stream.__exit__(*exc_info)

    def __iter__(self):
        return iter(self._poolscope_stream)


def _capture(name, text):
    if not text:
        return
    key = (name, core.get_ident())
    tid = core.native_id()
    if "\n" not in text:
        pending = _partial.get(key)
        if pending is not None:
            text = pending[0] + text
        _partial[key] = (text[: core.TEXT_LIMIT], tid)
        return
    lines = text.split("\n")
    pending = _partial.pop(key, None)
    if pending is not None:
        lines[0] = pending[0] + lines[0]
    tail = lines.pop()
    if tail:
        _partial[key] = (tail[: core.TEXT_LIMIT], tid)
    slot = core.running.get(key[1])
    call, index = (slot[0], slot[1]) if slot is not None else (None, None)
    at = core.now()
    for line in lines:
        core.emit(["out", core.pid, tid, name, call, index, at, line[: core.TEXT_LIMIT]])


def _finish_lines():
    """A process that exits sends what it printed without a final newline."""
    at = core.now()
    for (name, ident), (text, tid) in list(_partial.items()):
        slot = core.running.get(ident)
        call, index = (slot[0], slot[1]) if slot is not None else (None, None)
        core.emit(["out", core.pid, tid, name, call, index, at, text])
    _partial.clear()


def install():
    """Idempotent: a forked child keeps its parent's tees, with no partial lines."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, StreamTee):
            setattr(sys, name, StreamTee(stream, name))


def after_fork_in_child():
    _partial.clear()


transport.on_before_bye(_finish_lines)
