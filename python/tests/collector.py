"""A tiny trace host for the tests: listens where POOLSCOPE_TRACE points,
checks each connection's hello token and keeps what arrives."""

import json
import os
import secrets
import socket
import tempfile
import threading


class Connection(object):
    def __init__(self):
        self.hello = None
        self.records = []  # after hello, in arrival order
        self.bad_token = False
        self.closed = threading.Event()

    @property
    def pid(self):
        return self.hello[2] if self.hello else None

    @property
    def saw_bye(self):
        return any(record[0] == "bye" for record in self.records)


class Collector(object):
    """Use as a context manager; ``env()`` gives what a traced program needs."""

    def __init__(self, boot_dir, tcp=False):
        self.boot_dir = boot_dir
        self.token = secrets.token_hex(32)
        self.folder = tempfile.mkdtemp(prefix="poolscope-test-")
        self.path = os.path.join(self.folder, "trace.sock")
        self.connections = []
        self._lock = threading.Lock()
        if tcp:  # as on Windows
            self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._server.bind(("127.0.0.1", 0))
            self.address = "tcp:127.0.0.1:%d" % self._server.getsockname()[1]
        else:
            self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._server.bind(self.path)
            self.address = "unix:" + self.path
        self._server.listen(64)
        self._threads = []
        self.sockets = []  # every accepted connection, to close as a lost host would
        self._accepting = True
        threading.Thread(target=self._accept, daemon=True).start()

    def env(self, **extra):
        env = dict(os.environ)
        env.pop("POOLSCOPE_PROCESSES", None)
        env.pop("POOLSCOPE_POOL_KIND", None)
        extra = {key: str(value) for key, value in extra.items()}
        users_path = extra.pop("PYTHONPATH", env.get("PYTHONPATH"))
        env["PYTHONPATH"] = self.boot_dir + (os.pathsep + users_path if users_path else "")
        env["POOLSCOPE_TRACE"] = self.address
        env["POOLSCOPE_TRACE_TOKEN"] = self.token
        env.update(extra)
        return env

    def _accept(self):
        while self._accepting:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            connection = Connection()
            with self._lock:
                self.connections.append(connection)
                self.sockets.append(sock)
            thread = threading.Thread(target=self._read, args=(sock, connection), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read(self, sock, connection):
        pending = b""
        try:
            while True:
                try:
                    data = sock.recv(1 << 16)
                except OSError:  # closed by the test, as a lost host
                    break
                if not data:
                    break
                pending += data
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    for record in json.loads(line):
                        if connection.hello is None:
                            if record[0] != "hello" or record[1] != self.token:
                                connection.bad_token = True
                                connection.first = record
                                sock.close()
                                return
                            connection.hello = record
                        else:
                            connection.records.append(record)
        finally:
            sock.close()
            connection.closed.set()

    def wait_closed(self, timeout=10.0):
        """Waits until every connection so far has closed."""
        for connection in list(self.connections):
            connection.closed.wait(timeout)

    def records(self, kind=None):
        out = []
        for connection in list(self.connections):
            out.extend(r for r in connection.records if kind is None or r[0] == kind)
        return out

    def by_pid(self):
        return {c.pid: c for c in self.connections if c.hello}

    def drop_everything(self):
        """As a host that dies: stop listening and end every connection."""
        self.close()
        for sock in list(self.sockets):
            try:
                # shutdown() sends the end at once even while a reader thread is in recv().
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        if not self._accepting:
            return
        self._accepting = False
        try:
            self._server.close()
        finally:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            os.rmdir(self.folder)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
