"""Shared helpers for the local-engine tests: a private redis-server, a tiny RESP client to
seed it, and the engine run exactly as gearc runs it (module on stdin, JSON lines out).

The engine runs under the interpreter that runs the tests (sys.executable), so running the
suite with python3.7 tests the engine under 3.7 too.
"""

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The engine's directory, run as gearc runs it: `python3 <directory>` (its __main__.py).
ENGINE = os.path.join(ROOT, "src", "submit", "local", "runtime")
PYTHON = sys.executable
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


def free_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class Client(object):
    """Just enough RESP to seed and inspect data."""

    def __init__(self, port, password=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")
        if password is not None:
            self.call("AUTH", password)

    def close(self):
        self.file.close()
        self.sock.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
            out += [b"$%d\r\n" % len(data), data, b"\r\n"]
        self.sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self):
        line = self.file.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)


class RedisServer(object):
    def __init__(self, *extra):
        if not os.path.exists(REDIS_SERVER):
            raise unittest.SkipTest("redis-server not found at %s" % REDIS_SERVER)
        self.port = free_port()
        self.password = None
        if "--requirepass" in extra:
            self.password = extra[list(extra).index("--requirepass") + 1]
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"] + list(extra),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                client = Client(self.port, self.password)
                if client.call("PING") == "PONG":
                    client.close()
                    break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
        self.client = Client(self.port, self.password)

    @property
    def url(self):
        return "redis://127.0.0.1:%d" % self.port

    def call(self, *args):
        return self.client.call(*args)

    def flush(self):
        self.call("FLUSHALL")
        self.call("CONFIG", "SET", "notify-keyspace-events", "")

    def stop(self):
        try:
            self.client.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Run(object):
    """One finished engine run."""

    def __init__(self, code, stdout, stderr):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.events = [json.loads(line) for line in stdout.splitlines() if line.strip()]

    def of(self, kind):
        return [e for e in self.events if e["kind"] == kind]

    def one(self, kind):
        found = self.of(kind)
        if len(found) != 1:
            raise AssertionError("expected one %r event, got %r\nstderr:\n%s" % (kind, self.events, self.stderr))
        return found[0]

    @property
    def result(self):
        return self.one("result")

    @property
    def results(self):
        """The run's records: those of its `records` lines (a large or slow result streams),
        then those of its `result` line."""
        streamed = [record for chunk in self.of("records") for record in chunk["results"]]
        return streamed + self.result["results"]

    @property
    def errors(self):
        return self.result["errors"]


def run_engine(url, module, env=None, timeout=60):
    full_env = dict(os.environ)
    full_env.pop("REDIS_PASSWORD", None)
    full_env.update(env or {})
    proc = subprocess.Popen([PYTHON, ENGINE, "--url", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=full_env)
    out, err = proc.communicate(module.encode("utf-8"), timeout=timeout)
    return Run(proc.returncode, out.decode("utf-8"), err.decode("utf-8", "replace"))


class Watch(object):
    """An engine started with --watch; its JSON lines arrive on a queue."""

    def __init__(self, url, module, env=None, args=()):
        full_env = dict(os.environ)
        full_env.pop("REDIS_PASSWORD", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen([PYTHON, ENGINE, "--url", url, "--watch"] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
        self.proc.stdin.write(module.encode("utf-8"))
        self.proc.stdin.close()
        self.lines = queue.Queue()
        self.seen = []
        self.stderr = []
        self.threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines)),
                        threading.Thread(target=self._drain_stderr)]
        for thread in self.threads:
            thread.daemon = True
            thread.start()

    @staticmethod
    def _pump(stream, into):
        for line in iter(stream.readline, b""):
            into.put(json.loads(line.decode("utf-8")))
        into.put(None)

    def _drain_stderr(self):
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr.append(line.decode("utf-8", "replace"))

    def next(self, timeout=10):
        try:
            event = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no event within %ss; seen %r; stderr %s" % (timeout, self.seen, "".join(self.stderr)))
        if event is None:
            raise AssertionError("the engine ended; seen %r; stderr %s" % (self.seen, "".join(self.stderr)))
        self.seen.append(event)
        return event

    def wait_for(self, kind, timeout=10):
        deadline = time.time() + timeout
        while True:
            event = self.next(max(deadline - time.time(), 0.01))
            if event["kind"] == kind:
                return event

    def quiet_for(self, seconds):
        """Events that arrive within `seconds` (expected: none)."""
        found = []
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                event = self.lines.get(timeout=max(deadline - time.time(), 0.01))
            except queue.Empty:
                break
            if event is None:
                break
            found.append(event)
        return found

    def stop(self, sig=signal.SIGINT):
        """Signals the engine and returns (exit code, the events after the signal)."""
        self.proc.send_signal(sig)
        code = self.proc.wait(20)
        rest = []
        while True:
            event = self.lines.get(timeout=5)
            if event is None:
                break
            rest.append(event)
        self._close()
        return code, rest

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        for thread in self.threads:
            thread.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()


class EngineTest(unittest.TestCase):
    """Base class: one server per test module (see `server`), flushed before each test."""

    server = None

    def setUp(self):
        self.server.flush()

    def call(self, *args):
        return self.server.call(*args)

    def run_module(self, module, **kw):
        return run_engine(self.server.url, module, **kw)

    def results_of(self, module):
        """Runs a module that must succeed with no errors; its results."""
        run = self.run_module(module)
        self.assertEqual(run.code, 0, run.stderr + run.stdout)
        self.assertEqual(run.errors, [], run.stdout)
        return run.results
