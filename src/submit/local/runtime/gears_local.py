#!/usr/bin/env python3
# gearc local engine: runs a RedisGears 1.2 Python module against a plain Redis.
#
# Usage: python3 gears_local.py --url redis://[[user]:password@]host[:port][/db] [--watch]
# with the module source on stdin. Output: JSON lines on stdout (see docs/local-engine.md).
#
# RedisGears embeds CPython 3.7: this file only uses syntax and standard library of 3.7.
# "ref N" in comments points at sections of the RedisGears reference (gears-reference.md);
# "C:" names the RedisGears 1.2 source file whose behaviour a piece of code reproduces.

import asyncio
import builtins
import copy
import heapq
import json
import os
import select
import signal
import socket
import sys
import time
import traceback
import types
import urllib.parse

ZERO_ID = "0" * 40

# Frames of this file are hidden from error texts: the server's equivalents are C code.
_ENGINE_FILE = (lambda: None).__code__.co_filename


# ---------------------------------------------------------------------------------------
# Protocol output and engine-level failures
# ---------------------------------------------------------------------------------------

_PROTOCOL_OUT = sys.stdout  # replaced in main(); gear code's print() goes to stderr


_OUTPUT_CLOSED = []


def emit(obj):
    """One JSON line on the protocol channel, flushed at once. If the reader is gone (gearc
    ended), stop like on SIGTERM: a watch still restores the server's settings."""
    if _OUTPUT_CLOSED:
        return
    try:
        _PROTOCOL_OUT.write(json.dumps(obj, ensure_ascii=True) + "\n")
        _PROTOCOL_OUT.flush()
    except (OSError, ValueError):
        _OUTPUT_CLOSED.append(True)
        raise Stop()


def note(message):
    """A message of the engine itself for the person running gearc (stderr)."""
    sys.stderr.write("gearc local engine: %s\n" % message)
    sys.stderr.flush()


class Fatal(Exception):
    """The engine cannot do its job (Redis unreachable, bad URL, ...): exit code 3."""


class Stop(BaseException):
    """SIGINT/SIGTERM. A BaseException so that gear code's `except Exception` cannot swallow it."""


def clean_text(text):
    """JSON-safe text: lone surrogates would make the reader of our output choke."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


# ---------------------------------------------------------------------------------------
# A small RESP2 client (standard library only)
# ---------------------------------------------------------------------------------------

class RespError(object):
    """An error reply, kept as a value: the caller decides whether it raises."""
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


def to_bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")


class Connection(object):
    def __init__(self, target, timeout=5.0):
        kind, address = target
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
        else:
            sock = socket.create_connection(address, timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- writing
    def send(self, args):
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = to_bytes(arg)
            parts.append(b"$%d\r\n" % len(data))
            parts.append(data)
            parts.append(b"\r\n")
        self.sock.sendall(b"".join(parts))

    def call(self, *args):
        self.send(args)
        return self.read_reply()

    def pipeline(self, commands):
        """Sends all commands at once, then reads all replies (in order)."""
        if not commands:
            return []
        data = bytearray()
        for args in commands:
            data += b"*%d\r\n" % len(args)
            for arg in args:
                raw = to_bytes(arg)
                data += b"$%d\r\n" % len(raw)
                data += raw
                data += b"\r\n"
        self.sock.sendall(bytes(data))
        return [self.read_reply() for _ in commands]

    # -- reading
    def has_buffered_data(self):
        return self.pos < len(self.buf)

    def _fill(self):
        if self.pos > 65536:
            del self.buf[:self.pos]
            self.pos = 0
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n + 2
        return data

    def read_reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise ConnectionError("unexpected reply from the server: %r" % line[:40])


# ---------------------------------------------------------------------------------------
# URL handling and connecting
# ---------------------------------------------------------------------------------------

class Target(object):
    """Where Redis is, and how to log in; `display` never contains the password."""

    def __init__(self, url):
        self.url = url
        try:
            parts = urllib.parse.urlsplit(url)
            query = urllib.parse.parse_qs(parts.query)
            scheme = parts.scheme.lower()
            self.username = urllib.parse.unquote(parts.username) if parts.username else None
            self.password = urllib.parse.unquote(parts.password) if parts.password is not None else None
            if self.password is None and query.get("password"):
                self.password = query["password"][0]
            if scheme == "redis":
                host = parts.hostname or "localhost"
                port = parts.port or 6379
                path = parts.path.strip("/")
                db = path if path else (query.get("db", ["0"])[0])
                self.db = int(db)
                self.socket = ("tcp", (host, port))
                shown_host = "[%s]" % host if ":" in host else host
                user = "%s@" % self.username if self.username else ""
                self.display = "redis://%s%s:%d/%d" % (user, shown_host, port, self.db)
            elif scheme == "unix":
                if not parts.path:
                    raise ValueError("no socket path")
                self.db = int(query.get("db", ["0"])[0])
                self.socket = ("unix", parts.path)
                self.display = "unix://%s?db=%d" % (parts.path, self.db)
            elif scheme == "rediss":
                raise Fatal("rediss:// (TLS) is not supported by the local engine; use a redis:// URL")
            else:
                raise ValueError("unknown scheme %r" % parts.scheme)
        except Fatal:
            raise
        except ValueError as e:
            raise Fatal("bad Redis URL %r (%s); expected redis://[[user]:password@]host[:port][/db] "
                        "or unix:///path/to/socket[?db=N]" % (_hide_password(url), e))
        if self.db < 0:
            raise Fatal("bad Redis URL %r: the database number must not be negative" % _hide_password(url))
        self.password_source = "the URL" if self.password is not None else None
        if self.password is None and os.environ.get("REDIS_PASSWORD"):
            self.password = os.environ["REDIS_PASSWORD"]
            self.password_source = "REDIS_PASSWORD"

    def connect(self, select_db=True):
        """A logged-in connection on the right database, or Fatal with a message a user understands."""
        try:
            conn = Connection(self.socket)
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise Fatal("cannot connect to Redis at %s: %s" % (self.display, reason))
        try:
            if self.password is not None:
                args = ["AUTH", self.password] if not self.username else ["AUTH", self.username, self.password]
                reply = conn.call(*args)
                if isinstance(reply, RespError):
                    raise Fatal("Redis at %s refused the password (from %s): %s"
                                % (self.display, self.password_source, reply.message))
            reply = conn.call("PING")
            if isinstance(reply, RespError):
                if reply.message.startswith("NOAUTH"):
                    raise Fatal("Redis at %s requires a password (%s): give it in the URL "
                                "(redis://:password@host:port) or in REDIS_PASSWORD"
                                % (self.display, reply.message))
                raise Fatal("Redis at %s does not answer PING: %s" % (self.display, reply.message))
            if select_db and self.db != 0:
                reply = conn.call("SELECT", self.db)
                if isinstance(reply, RespError):
                    raise Fatal("cannot use database %d at %s: %s" % (self.db, self.display, reply.message))
        except OSError as e:
            conn.close()
            raise Fatal("lost the connection to Redis at %s: %s" % (self.display, e))
        except Fatal:
            conn.close()
            raise
        return conn


def _hide_password(url):
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.password is not None:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
            return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return url


# ---------------------------------------------------------------------------------------
# The `gears` exceptions and error texts (ref 3.5, C: redisgears_python.c getPyError)
# ---------------------------------------------------------------------------------------

GearsError = type("error", (Exception,), {"__module__": "gears"})
GearsForceStopped = type("forcestopped", (Exception,), {"__module__": "gears"})
GearsFlatError = type("flat_error", (Exception,), {"__module__": "gears"})


def _strip_engine_frames(tb):
    """The same traceback without this file's frames (they stand for RedisGears' C code)."""
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != _ENGINE_FILE:
            kept.append(tb)
        tb = tb.tb_next
    rebuilt = None
    for item in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, item.tb_frame, item.tb_lasti, item.tb_lineno)
    return rebuilt


def format_error(exc, server_has_python_frame=False):
    """The error text RedisGears stores for an exception.

    - gears.flat_error: the message alone.
    - with a traceback: str() of traceback.format_exception(...), the repr of a list of lines.
    - without one (the server called a callback from C and it failed before running a line,
      e.g. a wrong number of arguments): 'Error type: <class ...>, Value: ...'.
    `server_has_python_frame` says the server runs Python code of its GearsBuilder.py at that
    point (sugar-op lambdas, the KeysOnlyReader generator): its traceback is never empty.
    """
    if isinstance(exc, GearsFlatError):
        return str(exc)
    seen = set()
    item = exc
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        item.__traceback__ = _strip_engine_frames(item.__traceback__)
        item = item.__cause__ or (None if item.__suppress_context__ else item.__context__)
    tb = exc.__traceback__
    if tb is None and not server_has_python_frame:
        return "Error type: %s, Value: %s" % (type(exc), exc)
    lines = traceback.format_exception(type(exc), exc, tb)
    tail = len(traceback.format_exception_only(type(exc), exc))
    if tb is None:
        lines.insert(len(lines) - tail, "Traceback (most recent call last):\n")
    frames = ['  File "<string>", line %d, in %s\n' % (line, name)
              for name, line in getattr(exc, "gearc_builder_frames", [])]
    lines[len(lines) - tail:len(lines) - tail] = frames
    return str(lines)


# ---------------------------------------------------------------------------------------
# RedisGears' own dict (C: src/utils/dict.c), for its iteration order.
#
# Records that the server builds as C hash sets (KeysReader/StreamReader records, hash
# values, stream entry values) and groupby/localgroupby/aggregateby/countby results come
# out in the order of this dict: a Redis dict hashed with SipHash-1-2 (Redis' siphash,
# which the module resolves to) under an all-zero seed that RedisGears never sets. So the
# order is deterministic, e.g. a KeysReader record prints as
# {'event': None, 'key': 'x', 'type': 'string', 'value': '1'}.
# ---------------------------------------------------------------------------------------

_M64 = 0xFFFFFFFFFFFFFFFF


def _sipround(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M64
    v1 = ((v1 << 13) | (v1 >> 51)) & _M64
    v1 ^= v0
    v0 = ((v0 << 32) | (v0 >> 32)) & _M64
    v2 = (v2 + v3) & _M64
    v3 = ((v3 << 16) | (v3 >> 48)) & _M64
    v3 ^= v2
    v0 = (v0 + v3) & _M64
    v3 = ((v3 << 21) | (v3 >> 43)) & _M64
    v3 ^= v0
    v2 = (v2 + v1) & _M64
    v1 = ((v1 << 17) | (v1 >> 47)) & _M64
    v1 ^= v2
    v2 = ((v2 << 32) | (v2 >> 32)) & _M64
    return v0, v1, v2, v3


def siphash12(data):
    """SipHash-1-2 of `data` with a zero key (the key XORs are then no-ops)."""
    v0, v1, v2, v3 = 0x736f6d6570736575, 0x646f72616e646f6d, 0x6c7967656e657261, 0x7465646279746573
    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    b = ((n << 56) & _M64) | int.from_bytes(data[full:], "little")
    v3 ^= b
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= b
    v2 ^= 0xFF
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


_HASH_CACHE = {}


def _dict_hash(key):
    h = _HASH_CACHE.get(key)
    if h is None:
        if len(_HASH_CACHE) > 200000:
            _HASH_CACHE.clear()
        # keys are C strings there: hashed up to the first NUL
        h = siphash12(key.encode("utf-8", "replace").split(b"\0", 1)[0])
        _HASH_CACHE[key] = h
    return h


class GearsDict(object):
    """Two tables of buckets (lists of [key, value], chain head first), incremental rehash."""
    __slots__ = ("t0", "t1", "used0", "used1", "rehashidx")

    def __init__(self):
        self.t0 = None
        self.t1 = None
        self.used0 = 0
        self.used1 = 0
        self.rehashidx = -1

    def _tables(self):
        return (self.t0, self.t1) if self.rehashidx != -1 else (self.t0,)

    def _rehash(self, n):
        if self.rehashidx == -1:
            return
        empty_visits = n * 10
        while n > 0 and self.used0 != 0:
            n -= 1
            while not self.t0[self.rehashidx]:
                self.rehashidx += 1
                empty_visits -= 1
                if empty_visits == 0:
                    return
            mask = len(self.t1) - 1
            for entry in self.t0[self.rehashidx]:
                self.t1[_dict_hash(entry[0]) & mask].insert(0, entry)
                self.used0 -= 1
                self.used1 += 1
            self.t0[self.rehashidx] = []
            self.rehashidx += 1
        if self.used0 == 0:
            self.t0, self.used0 = self.t1, self.used1
            self.t1, self.used1, self.rehashidx = None, 0, -1

    def _expand(self, size):
        if self.rehashidx != -1 or self.used0 > size:
            return
        real = 4
        while real < size:
            real *= 2
        if self.t0 is not None and real == len(self.t0):
            return
        table = [[] for _ in range(real)]
        if self.t0 is None:
            self.t0 = table
        else:
            self.t1, self.used1, self.rehashidx = table, 0, 0

    def find(self, key):
        if self.used0 + self.used1 == 0:
            return None
        self._rehash(1)
        h = _dict_hash(key)
        for table in self._tables():
            for entry in table[h & (len(table) - 1)]:
                if entry[0] == key:
                    return entry
        return None

    def add(self, key, value):
        self._rehash(1)
        h = _dict_hash(key)
        if self.rehashidx == -1:
            if self.t0 is None:
                self._expand(4)
            elif self.used0 >= len(self.t0):
                self._expand(self.used0 * 2)
        for table in self._tables():
            for entry in table[h & (len(table) - 1)]:
                if entry[0] == key:
                    return None
        table = self.t1 if self.rehashidx != -1 else self.t0
        entry = [key, value]
        table[h & (len(table) - 1)].insert(0, entry)
        if table is self.t1:
            self.used1 += 1
        else:
            self.used0 += 1
        return entry

    def delete(self, key):
        if self.used0 == 0 and self.used1 == 0:
            return
        self._rehash(1)
        h = _dict_hash(key)
        for index, table in enumerate(self._tables()):
            bucket = table[h & (len(table) - 1)]
            for i, entry in enumerate(bucket):
                if entry[0] == key:
                    del bucket[i]
                    if index == 0:
                        self.used0 -= 1
                    else:
                        self.used1 -= 1
                    return

    def set(self, key, value):
        """C: RG_HashSetRecordSet (get, delete an old value, add)."""
        if self.find(key) is not None:
            self.delete(key)
        self.add(key, value)

    def items(self):
        for table in self._tables():
            if table is None:
                continue
            for bucket in table:
                for entry in bucket:
                    yield entry[0], entry[1]

    def to_dict(self):
        return dict(self.items())


def hash_set_record(pairs):
    """A Python dict as the server hands a C hash-set record to Python (its dict order)."""
    d = GearsDict()
    for key, value in pairs:
        d.set(key.split("\0", 1)[0], value)
    return d.to_dict()


# ---------------------------------------------------------------------------------------
# Reply values
# ---------------------------------------------------------------------------------------

def redis_text(raw):
    """A bulk string as RedisGears hands it to Python: str, or bytearray if not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return bytearray(raw)


def reply_value(obj):
    """A result record as it travels in RG.PYEXECUTE's reply (ref 3.4, C: PythonRecord_SendReply),
    made JSON: an error reply inside the array becomes {"error": text}."""
    if isinstance(obj, list):
        return [reply_value(item) for item in obj]
    if isinstance(obj, int):
        value = int(obj)
        if not -(1 << 63) <= value < (1 << 63):
            # PyLong_AsLongLong fails, and the failure crashes the server (SIGSEGV, measured on
            # RedisGears 1.2.13): stop rather than show a reply the server never sends.
            raise Fatal("a result is an integer beyond 64 bits (%d); replying it crashes a RedisGears "
                        "1.2 server (run() with convertToStr=False). Return it as a string" % value)
        return value
    if isinstance(obj, float):
        return "%f" % obj
    if isinstance(obj, str):
        if len(obj.encode("utf-8", "replace")) > 1:
            if obj[0] == "+":
                return clean_text(obj[1:])  # a status reply
            if obj[0] == "-":
                return {"error": clean_text(obj[1:])}  # an error reply
        return clean_text(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    return "PY RECORD"


# ---------------------------------------------------------------------------------------
# The runtime: execute() and the other functions gear code calls (ref 5)
# ---------------------------------------------------------------------------------------

class Runtime(object):
    def __init__(self, conn):
        self.conn = conn
        self.commands = {}  # lower-case name -> (arity, {subcommand: arity}, flags) or None if unknown
        self.command_info_works = True
        self.in_atomic = False
        self.loop = None
        # Set during a sync execution run from a keyspace event: Redis does not notify a module's
        # subscriber of the events its own callback causes (moduleNotifyKeyspaceEvent marks it
        # active), so a sync registration never sees its own writes. Gear writes are then wrapped
        # in PUBLISHed markers so that the watcher can tell those events apart.
        self.quiet_subscriber = None

    def _call_in_transaction(self, argv):
        """MULTI/EXEC around one command: with markers when events must be told apart (see
        quiet_subscriber); blocking commands then do not block, as under RedisModule_Call."""
        replies = in_transaction(self.conn, [argv], self.quiet_subscriber)
        if replies is not None:
            return replies[0]
        return self.conn.call(*argv)  # a command MULTI does not take: run it on its own

    # -- execute (C: executeCommand, createReply, replyToPyList)
    def execute(self, *args):
        if not args:
            return []
        command = args[0]
        if not isinstance(command, str):
            raise GearsError("the given command must be a string")
        argv = [command] + [a if isinstance(a, (bytes, bytearray)) else str(a) for a in args[1:]]
        refusal = self._rm_call_refusal(argv)
        if refusal:
            raise GearsError(refusal)
        name = command.lower()
        if name in _NO_LASTING_EFFECT:
            # RedisModule_Call runs each command on a fresh temporary client: connection state
            # does not outlive the call. Sent on our connection these would change it.
            reply = _NO_LASTING_EFFECT[name]
            if isinstance(reply, RespError):
                raise GearsError(reply_error_text(reply))
            return reply
        if name in _DENIED_TO_MODULES:
            raise GearsError(_DENIED_TO_MODULES[name] % command.upper() + "\r\n")
        if name in _TAKES_THE_CONNECTION or (name == "client" and len(argv) > 1 and str(argv[1]).lower() == "reply"):
            raise GearsError("%s is not supported by gearc's local engine (it would take over the engine's "
                             "connection to Redis)" % command)
        known = self.commands.get(name)
        blocking = bool(known) and "blocking" in known[2]
        if self.quiet_subscriber or blocking:
            reply = self._call_in_transaction(argv)
        else:
            reply = self.conn.call(*argv)
        if isinstance(reply, RespError):
            raise GearsError(reply_error_text(reply))
        return self._python_reply(reply)

    def _python_reply(self, reply):
        if isinstance(reply, list):
            return [self._python_reply(item) for item in reply]
        if isinstance(reply, bytes):
            return redis_text(reply)
        if isinstance(reply, RespError):  # nested errors are plain strings there
            return reply.message
        return reply  # int or None

    def _rm_call_refusal(self, argv):
        """RedisModule_Call (Redis 7.0, no 'E' flag) refuses an unknown command or a wrong
        argument count without running it; RedisGears then raises strerror(errno)."""
        if not self.command_info_works:
            return None
        name = argv[0].lower()
        if name not in self.commands:
            reply = self.conn.call("COMMAND", "INFO", name)
            if isinstance(reply, RespError) or not isinstance(reply, list):
                self.command_info_works = False
                return None
            info = reply[0] if reply else None
            if info is None:
                self.commands[name] = None
            else:
                subcommands = {}
                if len(info) > 9 and isinstance(info[9], list):
                    for sub in info[9]:
                        full = sub[0].decode("utf-8", "replace").lower()
                        subcommands[full.split("|", 1)[-1]] = int(sub[1])
                flags = set(f.decode("utf-8", "replace") for f in info[2] if isinstance(f, bytes))
                self.commands[name] = (int(info[1]), subcommands, flags)
        known = self.commands[name]
        if known is None:
            return "No such file or directory"  # ENOENT
        arity, subcommands, _ = known
        if subcommands and len(argv) > 1:
            sub = argv[1]
            sub = (sub.decode("latin-1") if isinstance(sub, (bytes, bytearray)) else sub).lower()
            if sub not in subcommands:
                return "No such file or directory"
            arity = subcommands[sub]
        if (arity > 0 and len(argv) != arity) or len(argv) < -arity:
            return "Invalid argument"  # EINVAL
        return None

    def run_coroutine(self, coro):
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        return self.loop.run_until_complete(coro)


_NO_LASTING_EFFECT = {"multi": "OK", "watch": "OK", "unwatch": "OK", "select": "OK",
                      "exec": RespError("ERR EXEC without MULTI"), "discard": RespError("ERR DISCARD without MULTI")}
# Redis refuses these to RedisModule_Call's client (flagged DENY_BLOCKING), in its own words.
_DENIED_TO_MODULES = {"subscribe": "ERR %s isn't allowed for a DENY BLOCKING client",
                      "psubscribe": "ERR %s isn't allowed for a DENY BLOCKING client",
                      "ssubscribe": "ERR %s isn't allowed for a DENY BLOCKING client",
                      "monitor": "ERR %s isn't allowed for DENY BLOCKING client"}
_TAKES_THE_CONNECTION = ("unsubscribe", "punsubscribe", "sunsubscribe",
                         "hello", "reset", "quit", "sync", "psync", "replicaof", "slaveof")


def reply_error_text(error):
    """The text of gears.error for an error reply. RedisGears 1.2 takes it from the raw reply
    without its length (C: redisgears_python.c replyToPyList), so on Redis 7 the protocol's
    CRLF stays at its end (measured on 1.2.13); errors inside arrays come out clean."""
    return error.message + "\r\n"

RUNTIME = None  # the Runtime of this process; set in main()

# The channel of the markers the engine PUBLISHes for its watcher (see in_transaction).
MARKER_CHANNEL = "__gearc_local__:%d" % os.getpid()


def in_transaction(conn, commands, quiet=None):
    """The replies of `commands` run as one MULTI/EXEC, or None when the server refuses the
    transaction. With `quiet`, they are framed by PUBLISHed markers (`begin <quiet>`, `end`)
    so that the watcher can tell apart the events they cause (Watcher.on_marker)."""
    inner = list(commands)
    if quiet:
        inner = ([["PUBLISH", MARKER_CHANNEL, "begin " + quiet]] + inner
                 + [["PUBLISH", MARKER_CHANNEL, "end"]])
    done = conn.pipeline([["MULTI"]] + inner + [["EXEC"]])[-1]
    if not isinstance(done, list) or len(done) != len(inner):
        return None
    return done[1:-1] if quiet else done


def execute(*args):
    return RUNTIME.execute(*args)


class _Atomic(object):
    """Locally a no-op: a single-client local run is not interleaved with other gear code,
    and it does NOT block other clients the way the server's Redis lock does."""

    def __enter__(self):
        if RUNTIME.in_atomic:
            raise GearsError("Already inside an atomic block")
        RUNTIME.in_atomic = True
        return self

    def __exit__(self, *exc):
        if not RUNTIME.in_atomic:
            raise GearsError("Not inside an atomic block")
        RUNTIME.in_atomic = False
        return False


def atomic():
    return _Atomic()


_LOG_LEVELS = ("debug", "verbose", "notice", "warning")


def log(*args, **kwargs):
    """C: RedisLog. Written to stderr as '[level] GEARS: message'."""
    level = kwargs.get("level")
    if len(args) < 1 or len(args) > 2:
        raise GearsError("log function must get a log message as input")
    if len(args) == 2:
        _write_log("warning", "Specify log level as the first argument to log function is depricated, "
                              "use key argument 'level' instead", prefix=False)
        level, message = args
    else:
        message = args[0]
    if not isinstance(message, str):
        raise GearsError("Log message must be a string")
    if level is not None:
        if not isinstance(level, str):
            raise GearsError("Log level must be a sting (debug/verbose/notice/warning)")
        if level not in _LOG_LEVELS:
            raise GearsError("Log level should be one of the following : debug,verbose,notice,warning")
    _write_log(level or "notice", message)


def _write_log(level, message, prefix=True):
    sys.stderr.write("[%s] %s%s\n" % (level, "GEARS: " if prefix else "", clean_text(message)))
    sys.stderr.flush()


def hashtag():
    # A standalone server owns every slot; slot 0's tag in RedisGears' table is '06S'.
    return "06S"


def configGet(*args):
    """User config values only exist on a server (RG.CONFIGSET / module args); locally they
    come from GEARC_CONFIG_<key> environment variables."""
    if len(args) != 1:
        raise GearsError("get_config function must get a single key input")
    if not isinstance(args[0], str):
        raise GearsError("get_config key must be a string")
    return os.environ.get("GEARC_CONFIG_" + args[0])


def gearsConfigGet(key, default=None):
    value = configGet(key)
    return value if value is not None else default


def flat_error(*args):
    if len(args) != 1:
        raise GearsError("not enough arguments for time flat error")
    raise GearsFlatError(args[0])


def registerTE(*args, **kwargs):
    raise GearsError("registerTE (time events) is not supported by gearc's local engine")


def gearsFuture(*args):
    raise GearsError("gearsFuture is not supported by gearc's local engine")


def isAsyncAllow():
    return True


def call_next(*args):
    raise GearsError("Can not get CommandHook ctx")


def get_command(*args):
    raise GearsError("Can not get CommandHook ctx")


def override_reply(*args):
    raise GearsError("override_reply is only possible on KeysReader registrations with commands, "
                     "which the local engine does not support")


def _deprecated(old, new, target):
    def deprecated(*args, **kwargs):
        log("%s is deprecated, use %s instead" % (old, new), level="warning")
        return target(*args, **kwargs)
    deprecated.__name__ = old
    return deprecated


# ---------------------------------------------------------------------------------------
# Records and the execution of a plan (C: src/execution_plan.c)
#
# Steps are chained generators, pulled from the end like the server's NextRecord calls;
# that keeps its pull order, which is observable: limit stops pulling, flatmap pops its
# list from the end, and the reader stops once an error has reached the reply.
# ---------------------------------------------------------------------------------------

class ErrorRecord(object):
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class KeyRecord(object):
    """The C key record between an extractor and the group/accumulate-by-key steps."""
    __slots__ = ("key", "value")

    def __init__(self, key, value):
        self.key = key
        self.value = value


def _builder_code(fn):
    """Marks a function that stands for Python code of the server's GearsBuilder.py."""
    fn.gearc_builder_code = True
    return fn


def _builder_lambda(line, source, **names):
    """A lambda of the server's GearsBuilder.py, compiled as `<string>` at its line there
    (RedisGears 1.2.13), so that a traceback through it shows
    `File "<string>", line N, in <lambda>` as the server's does."""
    code = compile("\n" * (line - 1) + source, "<string>", "eval")
    names["copy"] = copy
    return _builder_code(eval(code, names))


class builder_frame(object):
    """Errors raised inside happen, on the server, below a frame of GearsBuilder.py that calls
    into C (`File "<string>", line N, in NAME`); format_error shows those frames."""

    def __init__(self, name, line):
        self.frame = (name, line)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is not None:
            error.gearc_builder_frames = [self.frame] + getattr(error, "gearc_builder_frames", [])
        return False


def _is_coroutine(obj):
    # C: PyCoro_CheckExact. Not asyncio.iscoroutine, which on 3.7 also says yes to generators.
    return isinstance(obj, types.CoroutineType)


def call_back(fn, args, allow_coroutine=True):
    """Calls gear code for a step: (True, result) or (False, error text)."""
    python_frame = getattr(fn, "gearc_builder_code", False)
    try:
        result = fn(*args)
        if allow_coroutine and _is_coroutine(result):
            result = RUNTIME.run_coroutine(result)
        return True, result
    except Stop:
        raise
    except BaseException as e:  # a SystemExit in gear code is an error record on the server too
        return False, format_error(e, python_frame)


class ExecutionState(object):
    def __init__(self):
        self.results = []
        self.errors = []


def reader_step(source, state):
    """C: the READER case of ExecutionPlan_NextRecord reads only while no error has been
    written to the execution: the first error that reaches the reply ends the reading.
    Records already inside later steps (a flatmap's pending list, ...) still flow."""
    iterator = iter(source)
    while not state.errors:
        try:
            record = next(iterator)
        except StopIteration:
            return
        yield record


def step_map(up, fn):
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record,))
        yield value if ok else ErrorRecord(value)


def step_filter(up, fn):
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record,))
        if not ok:
            yield ErrorRecord(value)
            continue
        try:
            keep = bool(value)
        except Exception:
            keep = True  # PyObject_IsTrue's -1 counts as true
        if keep:
            yield record


def step_foreach(up, fn):
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record,))
        yield record if ok else ErrorRecord(value)


def step_flatmap(up, fn):
    # Measured (ref 0): a returned list is emitted last element first (the C step pops its
    # list record from the end). Any other return value, even a tuple, is one record.
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record,))
        if not ok:
            yield ErrorRecord(value)
        elif isinstance(value, list):
            items = list(value)
            while items:
                yield items.pop()
        else:
            yield value


_NOTHING = object()


def step_accumulate(up, fn):
    # The accumulator starts as None; a failing call discards it, so the records after an
    # error start again from None (ref 6). No input, no record.
    acc = _NOTHING
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (None if acc is _NOTHING else acc, record))
        if ok:
            acc = value
        else:
            acc = _NOTHING
            yield ErrorRecord(value)
    if acc is not _NOTHING:
        yield acc


def step_extractkey(up, fn):
    # Group keys are strings: a non-str key becomes repr(key) (ref 2); C strings end at NUL.
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, key = call_back(fn, (record,), allow_coroutine=False)
        if ok and _is_coroutine(key):
            key.close()
            yield ErrorRecord("coroutine are not allow on extractor")
            continue
        if ok and not isinstance(key, str):
            try:
                key = repr(key)
            except Exception as e:
                ok, key = False, format_error(e)
        if not ok:
            yield ErrorRecord(key)
            continue
        yield KeyRecord(key.split("\0", 1)[0], record)


def step_group(up):
    # C: ExecutionPlan_GroupNextRecord collects every record, then pops the groups from the
    # end of its array: groups leave in reverse order of their first record.
    groups = []
    index = {}
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        group = index.get(record.key)
        if group is None:
            group = index[record.key] = KeyRecord(record.key, [])
            groups.append(group)
        group.value.append(record.value)
    while groups:
        yield groups.pop()


def step_reduce(up, fn):
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        ok, value = call_back(fn, (record.key, record.value), allow_coroutine=False)
        if ok and _is_coroutine(value):
            value.close()
            yield ErrorRecord("coroutine are not allow on reduce")
        elif ok:
            yield KeyRecord(record.key, value)
        else:
            yield ErrorRecord(value)


def step_accumulatebykey(up, fn):
    # C: ExecutionPlan_AccumulateByKeyNextRecord over a RedisGears dict: the output order is
    # that dict's order, and every lookup/add/delete moves its incremental rehash along.
    accumulators = GearsDict()
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        key = record.key
        entry = accumulators.find(key)
        ok, value = call_back(fn, (key, entry[1] if entry is not None else None, record.value))
        if not ok:
            accumulators.delete(key)  # the key starts again from None
            yield ErrorRecord(value)
            continue
        if entry is None:
            accumulators.find(key)  # the C code asserts the key is new: one more lookup
            accumulators.add(key, value)
        else:
            entry[1] = value
    for key, value in list(accumulators.items()):
        yield KeyRecord(key, value)


def step_topy(up):
    for record in up:
        if isinstance(record, KeyRecord):
            yield {"key": record.key, "value": record.value}
        else:
            yield record


def step_getvalue(up):
    for record in up:
        yield record.value if isinstance(record, KeyRecord) else record


def step_limit(up, offset, length):
    # C: ExecutionPlan_LimitNextRecord. Note that it pulls one more record after the last one
    # it passes before it stops (size_t arithmetic, hence the masks).
    index = 0
    end = (offset + length) & _M64
    for record in up:
        if isinstance(record, ErrorRecord):
            yield record
            continue
        if offset <= index < end:
            index += 1
            yield record
            continue
        index += 1
        if index >= end:
            return


_STEPS = {"map": step_map, "filter": step_filter, "foreach": step_foreach, "flatmap": step_flatmap,
          "accumulate": step_accumulate, "extractkey": step_extractkey, "group": step_group,
          "reduce": step_reduce, "accumulatebykey": step_accumulatebykey, "topy": step_topy,
          "getvalue": step_getvalue, "limit": step_limit}


def execute_plan(steps, source):
    """Runs a plan over a record source: (results, errors) as Python values. The steps are
    tuples (kind, arguments...); collect and repartition move records between shards, so
    on one shard they do nothing."""
    state = ExecutionState()
    stream = reader_step(source, state)
    for step in steps:
        if step[0] in _STEPS:
            stream = _STEPS[step[0]](stream, *step[1:])
    for record in stream:
        if isinstance(record, ErrorRecord):
            state.errors.append(record.text)
        else:
            state.results.append(record)
    return state.results, state.errors


# ---------------------------------------------------------------------------------------
# Readers (ref 1)
# ---------------------------------------------------------------------------------------

def scan_batches(conn, pattern, key_type=None):
    """SCAN ... COUNT 1 returns the keys of one hash-table bucket at a time, like one
    RedisModule_Scan call of the server's readers: batches as the server sees them."""
    cursor = b"0"
    while True:
        args = ["SCAN", cursor, "MATCH", pattern, "COUNT", "1"]
        if key_type:
            args += ["TYPE", key_type]
        reply = conn.call(*args)
        if isinstance(reply, RespError):
            return
        cursor, keys = reply
        if keys:
            yield keys
        if cursor == b"0":
            return


_RECORD_TYPES = {b"string": "string", b"list": "list", b"hash": "hash", b"set": "set",
                 b"zset": "zset", b"stream": "unknown"}  # C: GetTypeRecord has no stream case


def engine_reads(conn, commands):
    """Runs the engine's own reads of keys that may be missing: atomically (a key deleted
    between the probe and the read then reads as missing, not half-read), and between
    markers, so that the watcher ignores the keymiss events they raise. The server's reader
    raises none (it opens keys without notification)."""
    if not commands:
        return []
    replies = in_transaction(conn, commands, "reads")
    return replies if replies is not None else conn.pipeline(commands)  # MULTI refused: plain reads


def existing_keys(conn, keys):
    """The keys that exist. Found with OBJECT ENCODING, which (unlike TYPE or EXISTS) raises
    no keymiss event, like the server's reads."""
    encodings = conn.pipeline([["OBJECT", "ENCODING", k] for k in keys])
    return [k for k, e in zip(keys, encodings) if e is not None]


def _key_reads(key):
    """TYPE and the reads of every value type a record can hold (C: KeysReader_ReadKey)."""
    return [["TYPE", key], ["GET", key], ["HGETALL", key], ["LRANGE", key, "0", "-1"]]


def key_types(conn, keys):
    """Redis type names (bytes), b'none' for missing keys."""
    present = existing_keys(conn, keys)
    types_ = dict(zip(present, engine_reads(conn, [["TYPE", k] for k in present])))
    result = []
    for key in keys:
        t = types_.get(key, b"none")
        result.append(t if isinstance(t, bytes) else b"none")
    return result


def read_key_records(conn, keys, read_value, event, scanned=False):
    """KeysReader records (C: KeysReader_ReadKey) for raw key names.

    Keys a SCAN just returned exist: their type and value come in one pipeline (the reads of
    the wrong type fail harmlessly). Other keys may be missing, and TYPE or GET on a missing
    key raises a keymiss event the server's reader does not raise: they are checked first."""
    if not read_value:
        return [hash_set_record([("key", redis_text(key)), ("event", event)]) for key in keys]
    if scanned:
        replies = conn.pipeline([command for key in keys for command in _key_reads(key)])
        reads = [(replies[i], replies[i + 1:i + 4]) for i in range(0, len(replies), 4)]
    else:
        # Only keys the probe found are read; TYPE and the reads are one transaction, so a key
        # deleted meanwhile reads as missing in both.
        present = existing_keys(conn, keys)
        replies = engine_reads(conn, [command for key in present for command in _key_reads(key)])
        by_key = {key: (replies[4 * i], replies[4 * i + 1:4 * i + 4]) for i, key in enumerate(present)}
        reads = [by_key.get(key, (b"none", [None, None, None])) for key in keys]
    records = []
    for key, (kind, (as_string, as_hash, as_list)) in zip(keys, reads):
        kind = kind if isinstance(kind, bytes) else b"none"
        value = None
        if kind == b"string" and isinstance(as_string, bytes):
            value = redis_text(as_string)
        elif kind == b"hash" and isinstance(as_hash, list):
            value = hash_set_record((as_hash[i].decode("utf-8", "replace"), redis_text(as_hash[i + 1]))
                                    for i in range(0, len(as_hash), 2))
        elif kind == b"list" and isinstance(as_list, list):
            value = [redis_text(item) for item in as_list]
        value_type = "empty" if kind == b"none" else _RECORD_TYPES.get(kind, "module")
        records.append(hash_set_record([("key", redis_text(key)), ("value", value),
                                        ("type", value_type), ("event", event)]))
    return records


def keys_scan_source(conn, pattern, read_value):
    # C: KeysReader_ScanAPINextKey pops each scanned batch from the end of its array.
    for keys in scan_batches(conn, pattern.encode("utf-8")):
        for record in reversed(read_key_records(conn, keys, read_value, None, scanned=True)):
            yield record


def keys_exact_source(conn, key, read_value, event=None):
    raw = key if isinstance(key, (bytes, bytearray)) else key.encode("utf-8")
    yield read_key_records(conn, [bytes(raw)], read_value, event)[0]


def stream_entry_record(key, entry):
    """C: StreamReader_ReadRecords builds {'id', 'value', 'key'} as a hash set."""
    entry_id, fields = entry[0], entry[1]
    pairs = []
    if isinstance(fields, list):
        pairs = [(fields[i].decode("utf-8", "replace"), redis_text(fields[i + 1]))
                 for i in range(0, len(fields) - 1, 2)]
    return hash_set_record([("id", entry_id.decode("utf-8", "replace")),
                            ("value", hash_set_record(pairs)),
                            ("key", redis_text(key))])


def stream_run_source(conn, key, from_id):
    # XREAD from fromId (ids strictly greater); an error reply is an error record (ref 1.3).
    reply = conn.call("XREAD", "STREAMS", key, from_id)
    if isinstance(reply, RespError):
        yield ErrorRecord(reply.message)
        return
    if not reply:
        return
    for entry in reply[0][1]:
        yield stream_entry_record(key.encode("utf-8"), entry)


def python_reader_source(fn):
    """C: PythonReader_Next. A generator's items are records; any other return value would make
    the server emit it and call the function again forever: locally that is an error."""
    python_frame = getattr(fn, "gearc_builder_code", False)
    try:
        produced = fn()
    except Stop:
        raise
    except BaseException as e:
        yield ErrorRecord(format_error(e, python_frame))
        return
    if not isinstance(produced, types.GeneratorType):
        yield ErrorRecord(
            "gearc local engine: the PythonReader function returned %s, not a generator; RedisGears "
            "would emit that value as a record and call the function again, forever. Return a "
            "generator instead (a def with yield, or lambda: (x for x in ...))." % type(produced).__name__)
        return
    while True:
        try:
            record = next(produced)
        except StopIteration:
            return
        except Stop:
            raise
        except BaseException as e:
            yield ErrorRecord(format_error(e, python_frame))
            return
        yield record


def createKeysOnlyReader(pattern="*", count=1000, noScan=False, patternGenerator=None):
    """KeysOnlyReader = a PythonReader over this generator (same arguments as the server's)."""
    def keysOnlyReader():
        current_pattern, exact = pattern, noScan
        if patternGenerator is not None:
            current_pattern, exact = patternGenerator()
        if exact:
            try:
                found = execute("exists", current_pattern) == 1
            except Exception:
                return
            if found:
                yield current_pattern
            return
        count_text = str(count)
        cursor = "0"
        while True:
            cursor, keys = execute("scan", cursor, "MATCH", str(current_pattern), "COUNT", count_text)
            for key in keys:
                yield key
            if cursor == "0":
                return
    return _builder_code(keysOnlyReader)


def shardReaderCallback():
    # RG.INFOCLUSTER answers 'no cluster mode' on a standalone server: the shard id is '1'.
    yield "1"


_builder_code(shardReaderCallback)


# ---------------------------------------------------------------------------------------
# GearsBuilder (ref 1-3; C: PyFlatExecution methods, GearsBuilder.py)
# ---------------------------------------------------------------------------------------

READERS = ("KeysReader", "StreamReader", "PythonReader", "CommandReader")


class Session(object):
    """What one module did at top level."""

    def __init__(self):
        self.plans = 0  # execution plans created (their ids count from 0)
        self.run = None  # (steps, source factory)
        self.registrations = []


SESSION = None  # set in main()


class RunFuture(object):
    """What run() returns to the script (the server's asyncio future); locally only a marker."""

    def __repr__(self):
        return "<gearc local run: its result is the module's reply>"


def _is_function(obj):
    return isinstance(obj, types.FunctionType)


def _c_op(name, check):
    """A C-backed operation: positional arguments only, like the server's wrapper
    `deco(self, *args)`, then the C method's own checks."""
    def op(self, *args, **kwargs):
        if kwargs:  # refused by the call itself, before `deco` has a frame
            raise TypeError("deco() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
        with builder_frame("deco", 187):
            check(self, *args)
        return self
    op.__name__ = name
    return op


def _one_function(name):
    def check(self, *args):
        if len(args) != 1:
            raise GearsError("wrong number of args to %s function" % name)
        if not _is_function(args[0]):
            raise GearsError("%s argument must be a function" % name)
        if name == "repartition":
            self._steps += [("extractkey", args[0]), ("repartition",), ("getvalue",)]
        else:
            self._steps.append((name, args[0]))
    return check


def _groupby_check(kind):
    def check(self, *args):
        if len(args) != 2:
            raise GearsError("wrong number of args to groupby function")
        if not _is_function(args[0]):
            raise GearsError("groupby extractor argument must be a function")
        if not _is_function(args[1]):
            raise GearsError("groupby reducer argument must be a function")
        self._steps.append(("extractkey", args[0]))
        if kind == "groupby":
            self._steps.append(("repartition",))
        self._steps += [("accumulatebykey", args[1]), ("topy",)]
    return check


def _batchgroupby_check(self, *args):
    if len(args) != 2:
        raise GearsError("wrong number of args to batchgroupby function")
    if not _is_function(args[0]):
        raise GearsError("batchgroupby extractor argument must be a function")
    # The C code checks the extractor a second time instead of the reducer, so any object is
    # accepted as reducer (it fails at run time if it cannot be called).
    self._steps += [("extractkey", args[0]), ("repartition",), ("group",), ("reduce", args[1]), ("topy",)]


def _collect_check(self, *args):
    if args:
        raise GearsError("wrong number of args to collect function")
    self._steps.append(("collect",))


def _limit_check(self, *args):
    if len(args) < 1 or len(args) > 2:
        raise GearsError("wrong number of args to limit function")
    for arg in args:
        if not isinstance(arg, int):
            raise GearsError("limit argument must be a number")
    length = args[0] & _M64
    offset = (args[1] & _M64) if len(args) > 1 else 0
    self._steps.append(("limit", offset, length))


def _check_mode(kwargs, allowed):
    mode = kwargs.get("mode", "async")
    if not isinstance(mode, str):
        raise GearsError("execution mode must be a string")
    if mode not in allowed:
        raise GearsError("unknown execution mode")
    return mode


class GearsBuilder(object):
    __module__ = "not_main"  # the server runs GearsBuilder.py as module `not_main`

    def __init__(self, reader="KeysReader", defaultArg="*", desc=None):
        self.realReader = reader
        # KeysOnlyReader and ShardsIDReader are PythonReaders with a generator of GearsBuilder.py
        if reader == "ShardsIDReader" or reader == "KeysOnlyReader":
            reader = "PythonReader"
        with builder_frame("__init__", 84):
            if not isinstance(reader, str):
                raise GearsError("reader argument must be a string")
            if desc is not None and not isinstance(desc, str):
                raise GearsError("desc argument must be a string")
            if reader not in READERS:
                raise GearsError("The given reader does not exists")
        self.reader = reader
        self.defaultArg = defaultArg
        self._desc = desc
        self._steps = []
        SESSION.plans += 1  # GB() creates an execution plan, which takes an id number

    # -- C-backed operations
    map = _c_op("map", _one_function("map"))
    filter = _c_op("filter", _one_function("filter"))
    foreach = _c_op("foreach", _one_function("foreach"))
    flatmap = _c_op("flatmap", _one_function("flatmap"))
    accumulate = _c_op("accumulate", _one_function("accumulate"))
    repartition = _c_op("repartition", _one_function("repartition"))
    localgroupby = _c_op("localgroupby", _groupby_check("localgroupby"))
    groupby = _c_op("groupby", _groupby_check("groupby"))
    batchgroupby = _c_op("batchgroupby", _batchgroupby_check)
    collect = _c_op("collect", _collect_check)
    limit = _c_op("limit", _limit_check)

    # -- Python sugar of GearsBuilder.py. The zero quirk is kept on purpose (ref 2): a falsy
    # accumulator (0, '', [], {}, False) is replaced by a fresh copy of `zero` on every call.
    def __localAggregateby__(self, extractor, zero, aggregator):
        key_of = _builder_lambda(88, "lambda x: extractor(x)", extractor=extractor)
        step = _builder_lambda(88, "lambda k, a, r: aggregator(k, a if a else copy.deepcopy(zero), r)",
                               aggregator=aggregator, zero=zero)
        self._steps += [("extractkey", key_of), ("accumulatebykey", step), ("topy",)]
        return self

    def aggregate(self, zero, seqOp, combOp):
        local = _builder_lambda(98, "lambda a, r: seqOp(a if a else copy.deepcopy(zero), r)",
                                seqOp=seqOp, zero=zero)
        combine = _builder_lambda(100, "lambda a, r: combOp(a if a else copy.deepcopy(zero), r)",
                                  combOp=combOp, zero=zero)
        self._steps += [("accumulate", local), ("collect",), ("accumulate", combine)]
        return self

    def aggregateby(self, extractor, zero, seqOp, combOp):
        self.__localAggregateby__(extractor, zero, seqOp)
        by_key = _builder_lambda(112, "lambda r: r['key']")
        combine = _builder_lambda(112, "lambda k, a, r: combOp(k, a if a else copy.deepcopy(zero), r['value'])",
                                  combOp=combOp, zero=zero)
        self._steps += [("extractkey", by_key), ("repartition",), ("accumulatebykey", combine), ("topy",)]
        return self

    def count(self):
        local = _builder_lambda(119, "lambda a, r: 1 + (a if a else 0)")
        combine = _builder_lambda(121, "lambda a, r: r + (a if a else 0)")
        self._steps += [("accumulate", local), ("collect",), ("accumulate", combine)]
        return self

    def countby(self, extractor=_builder_lambda(124, "lambda x: x")):
        return self.aggregateby(extractor, 0, _builder_lambda(129, "lambda k, a, r: 1 + a"),
                                _builder_lambda(129, "lambda k, a, r: r + a"))

    def sort(self, reverse=True):
        # aggregate into a list, sort it, then flatmap; flatmap's last-first order (ref 0)
        # makes the default reverse=True reply ascending, reverse=False descending.
        self.aggregate([], _builder_lambda(136, "lambda a, r: a + [r]"), _builder_lambda(136, "lambda a, r: a + r"))
        self.map(_builder_lambda(137, "lambda r: sorted(r, reverse=reverse)", reverse=reverse))
        self.flatmap(_builder_lambda(138, "lambda r: r"))
        return self

    def distinct(self):
        self.aggregate(set(), _builder_lambda(145, "lambda a, r: a | set([r])"),
                       _builder_lambda(145, "lambda a, r: a | r"))
        return self.flatmap(_builder_lambda(145, "lambda x: list(x)"))

    def avg(self, extractor=_builder_lambda(147, "lambda x: float(x)")):
        with builder_frame("avg", 155):
            self.map(extractor)  # validated like any map: a builtin such as float is refused
        self.aggregate((0, 0), _builder_lambda(156, "lambda a, r: (a[0] + r, a[1] + 1)"),
                       _builder_lambda(157, "lambda a, r: (a[0] + r[0], a[1] + r[1])"))
        return self.map(_builder_lambda(157, "lambda x: x[0] / x[1]"))

    # -- terminals
    def _finish_steps(self, convertToStr, collect, line):
        if convertToStr:
            self._steps.append(("map", _builder_lambda(line, "lambda x: str(x)")))
        if collect:
            self._steps.append(("collect",))

    def run(self, arg=None, convertToStr=True, collect=True, **kargs):
        self._finish_steps(convertToStr, collect, 164)
        arg = arg if arg else self.defaultArg
        if self.realReader == "ShardsIDReader":
            arg = shardReaderCallback
        if self.realReader == "KeysOnlyReader":
            with builder_frame("run", 171):
                arg = createKeysOnlyReader(arg, **kargs)
        with builder_frame("run", 172):
            return self._c_run(arg, kargs)

    def _c_run(self, arg, kargs):
        if SESSION.run is not None:
            raise GearsError("Can not run more then 1 executions in a single script")
        deferred = None
        if self.reader == "PythonReader":
            if not _is_function(arg):
                raise GearsError("pyreader argument must be a function")
            source = lambda: python_reader_source(arg)
        else:
            if not isinstance(arg, str):
                raise GearsError("regex argument must be a string")
            if self.reader == "StreamReader":
                from_id = kargs.get("fromId", "0-0")
                if not isinstance(from_id, str):
                    deferred = "fromId argument must be a string"
                source = lambda: stream_run_source(RUNTIME.conn, arg, from_id)
            elif self.reader == "KeysReader":
                no_scan, read_value = kargs.get("noScan", False), kargs.get("readValue", True)
                if not isinstance(no_scan, bool):
                    deferred = "exactMatch value is not boolean"
                elif not isinstance(read_value, bool):
                    deferred = "readValue value is not boolean"
                if no_scan:
                    source = lambda: keys_exact_source(RUNTIME.conn, arg, read_value)
                else:
                    source = lambda: keys_scan_source(RUNTIME.conn, arg, read_value)
            else:
                raise GearsError("Given reader do not support run or not exists")
        _check_mode(kargs, ("async", "async_local"))  # checked before the reader arguments fail
        if deferred:
            raise GearsError(deferred)
        SESSION.run = (list(self._steps), source)
        return RunFuture()

    def register(self, prefix="*", convertToStr=True, collect=True, **kwargs):
        self._finish_steps(convertToStr, collect, 176)
        kwargs["prefix"] = prefix
        if "regex" in kwargs:
            log("Using regex argument with register is deprecated and missleading, use prefix instead.",
                level="warning")
            kwargs["prefix"] = kwargs["regex"]
        with builder_frame("register", 183):
            return self._c_register(kwargs)

    def _c_register(self, kwargs):
        mode = _check_mode(kwargs, ("async", "async_local", "sync"))
        on_registered = kwargs.get("onRegistered")
        if on_registered is not None and not _is_function(on_registered):
            raise GearsError("OnRegistered argument must be a function")
        if self.reader == "CommandReader":
            settings = _command_settings(kwargs)
        else:
            if not isinstance(kwargs["prefix"], str):
                raise GearsError("regex argument must be a string")
            if self.reader == "KeysReader":
                settings = _keys_settings(kwargs)
            elif self.reader == "StreamReader":
                settings = _stream_settings(kwargs, mode)
            else:
                raise GearsError("given reader does not exists or does not support register")
        settings["prefix"] = kwargs["prefix"]
        # register() copies the plan, and the copy's id number is the registration's: the
        # first GB().register() of a fresh server is ...-1, the second ...-3 (C: module.c
        # RG_PrepareForRegister, execution_plan.c lastFEPId; measured on 1.2.13).
        SESSION.plans += 1
        reg_id = "%s-%d" % (ZERO_ID, SESSION.plans - 1)
        SESSION.registrations.append(Registration(reg_id, self.realReader, self.reader, self._desc,
                                                  list(self._steps), mode, on_registered, settings, kwargs))
        return reg_id


GB = GearsBuilder


def _strings(kwargs, name, what):
    value = kwargs.get(name)
    if value is None:
        return None
    try:
        items = list(iter(value))
    except TypeError:
        raise GearsError("given %s is not iterable" % name)
    for item in items:
        if not isinstance(item, str):
            raise GearsError("given %s type is not string" % what)
    return items


def _keys_settings(kwargs):
    event_types = _strings(kwargs, "eventTypes", "event")
    key_types = _strings(kwargs, "keyTypes", "key")
    for kind in key_types or ():
        if kind not in ("empty", "string", "list", "hash", "set", "zset", "module", "stream"):
            raise GearsError("unknown key type")
    read_value = kwargs.get("readValue", True)
    if not isinstance(read_value, bool):
        raise GearsError("readValue is not boolean")
    commands = _strings(kwargs, "commands", "command")
    return {"eventTypes": event_types, "keyTypes": key_types, "readValue": read_value,
            "commands": commands or None}


def _is_number(value):
    kind = type(value)
    return any(hasattr(kind, name) for name in ("__index__", "__int__", "__float__"))


def _size(value, name):
    if not _is_number(value):
        raise GearsError("%s argument must be a number" % name)
    if not hasattr(type(value), "__index__"):
        # the server's PyNumber_AsSsize_t fails on it too (a pending TypeError)
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(value).__name__)
    return value.__index__()


def _stream_settings(kwargs, mode):
    batch = _size(kwargs["batch"], "batch") if "batch" in kwargs else 1
    duration = _size(kwargs["duration"], "duration") if "duration" in kwargs else 0
    policy = "continue"
    if "onFailedPolicy" in kwargs:
        given = kwargs["onFailedPolicy"]
        if not isinstance(given, str):
            raise GearsError("onFailedPolicy must be a string (Continue/Abort/Retry)")
        policy = given.lower()
        if policy not in ("continue", "abort", "retry"):
            raise GearsError("onFailedPolicy must be Continue/Abort/Retry")
        if mode == "sync" and policy != "continue":
            raise GearsError("ExecutionMode sync can only be combined with OnFailedPolicy Continue")
    interval = 1
    if "onFailedRetryInterval" in kwargs:
        interval = _size(kwargs["onFailedRetryInterval"], "retryInterval")
    trim = kwargs.get("trimStream", True)
    if not isinstance(trim, bool):
        raise GearsError("pyTrimmStream argument must be a boolean")
    return {"batch": batch, "duration": duration, "onFailedPolicy": policy,
            "onFailedRetryInterval": interval, "trimStream": trim}


def _command_settings(kwargs):
    trigger = kwargs.get("trigger")
    if trigger is not None and not isinstance(trigger, str):
        raise GearsError("trigger argument is not string")
    inorder = kwargs.get("inorder", False)
    if not isinstance(inorder, bool):
        raise GearsError("inorder argument is be boolean")
    keyprefix = kwargs.get("keyprefix")
    if keyprefix is not None and not isinstance(keyprefix, str):
        raise GearsError("keyprefix argument is not string")
    hook = kwargs.get("hook")
    if hook is not None and not isinstance(hook, str):
        raise GearsError("hook argument is not string")
    if "trigger" in kwargs:
        if "keyprefix" in kwargs or "hook" in kwargs:
            raise GearsError("trigger argument can not be given with keyprefix or hook")
    elif "hook" not in kwargs:
        raise GearsError("no trigger or hook argument was given")
    return {"trigger": trigger, "hook": hook, "keyprefix": keyprefix, "inorder": inorder}


def json_safe(value):
    if value is None or isinstance(value, (bool, int, str)):
        return clean_text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return clean_text(repr(value))


class Registration(object):
    def __init__(self, reg_id, real_reader, reader, desc, steps, mode, on_registered, settings, kwargs):
        self.id = reg_id
        self.real_reader = real_reader
        self.reader = reader
        self.desc = desc
        self.steps = steps
        self.mode = mode
        self.on_registered = on_registered
        self.settings = settings
        self.kwargs = dict(kwargs)
        self.unsupported = None
        if reader == "CommandReader":
            self.unsupported = ("RG.TRIGGER and command hooks do not exist on a plain Redis: "
                                "CommandReader registrations are not runnable locally")
        elif reader == "KeysReader" and settings["commands"]:
            self.unsupported = ("commands=%s is not supported locally (Redis does not tell which command "
                                "caused an event): the registration fires on every matching event"
                                % json.dumps(settings["commands"]))

    @property
    def runnable(self):
        return self.reader in ("KeysReader", "StreamReader")

    def line(self):
        line = {"kind": "registered", "id": self.id, "reader": self.real_reader,
                "args": json_safe(self.kwargs), "desc": self.desc}
        if self.unsupported:
            line["unsupported"] = self.unsupported
        if self.runnable and self.mode in ("async", "async_local"):
            line["mode_note"] = "runs inline like sync: the local engine has one thread"
        return line


def execution_line(reg, trigger, results, errors, status=None):
    line = {"kind": "execution", "registration": reg.id, "trigger": clean_text(trigger),
            "results": [reply_value(r) for r in results], "errors": [clean_text(e) for e in errors]}
    if status:
        line["status"] = status
    return line


def call_on_registered(reg):
    """C: RedisGearsPy_OnRegistered: its errors are only logged."""
    if reg.on_registered is None:
        return
    try:
        result = reg.on_registered()
    except Stop:
        raise
    except BaseException as e:
        _write_log("warning", "Error occured on RedisGearsPy_OnRegistered, error='%s'" % format_error(e),
                   prefix=False)
        return
    if _is_coroutine(result):
        result.close()
        _write_log("warning", "Error occured on RedisGearsPy_OnRegistered, error='Coroutines are not allow'",
                   prefix=False)


# ---------------------------------------------------------------------------------------
# --watch: registrations applied to live events
# ---------------------------------------------------------------------------------------

_ALL_CLASSES = "g$lshzxetd"  # what 'A' stands for in notify-keyspace-events


def _flag_set(flags):
    chars = set(flags)
    if "A" in chars:
        chars.discard("A")
        chars.update(_ALL_CLASSES)
    return chars


def _flag_string(chars):
    chars = set(chars)
    text = ""
    if set(_ALL_CLASSES) <= chars:
        text = "A"
        chars -= set(_ALL_CLASSES)
    return text + "".join(sorted(chars))


def prefix_matches(prefix, key):
    """C: KeysReader_IsKeyMatch / StreamReader_IsKeyMatch: a trailing '*' makes a plain
    prefix, anything else is one exact key; never a glob (ref 1.1)."""
    if prefix.endswith("*"):
        return key.startswith(prefix[:-1])
    return key == prefix


class StreamState(object):
    """C: SingleStreamReaderCtx, one per stream a StreamReader registration reads."""

    def __init__(self, key):
        self.key = key
        self.pending = 0
        self.next_batch = 0
        self.batch_start_times = []
        self.running = False
        self.timer = None
        self.counted_until = None  # the marker after which xadd events count again


class StreamWatch(object):
    """One StreamReader registration (C: streams_reader.c, executions run inline)."""

    def __init__(self, watcher, reg):
        self.w = watcher
        self.reg = reg
        self.batch = reg.settings["batch"]
        self.duration = reg.settings["duration"]
        self.policy = reg.settings["onFailedPolicy"]
        self.retry_interval = reg.settings["onFailedRetryInterval"]
        self.trim = reg.settings["trimStream"]
        self.status = "OK"
        self.streams = {}

    # -- the scan at registration (and after a retry): prefix used as a glob (RedisGears#606)
    def scan(self):
        self.status = "OK"
        conn = self.w.conn
        for keys in scan_batches(conn, self.reg.settings["prefix"].encode("utf-8"), "stream"):
            for key in reversed(keys):  # C: each scanned key is added at the head of a list
                if self.status != "OK":
                    return
                name = key.decode("utf-8", "replace")
                if name not in self.streams:
                    self.create(name, key, set_time=False)

    def create(self, name, raw_key, set_time):
        # The server reads XLEN inside the XADD that made it notice the stream; the events we
        # get are late, so entries added meanwhile are in XLEN and will still be notified. A
        # marker published atomically with XLEN tells which xadd events XLEN already counted.
        self.w.marker_seq += 1
        token = "counted %d" % self.w.marker_seq
        replies = self.w.conn.pipeline([["MULTI"], ["XLEN", raw_key],
                                        ["PUBLISH", MARKER_CHANNEL, token], ["EXEC"]])
        done = replies[-1]
        if not isinstance(done, list) or not isinstance(done[0], int):
            return None
        length = done[0]
        state = StreamState(raw_key)
        state.counted_until = token
        state.pending = length
        now = time.time() if set_time else 0
        state.batch_start_times = [now for _ in range(0, length, max(self.batch, 1))]
        self.streams[name] = state
        # read what was delivered but never acknowledged first, to keep the order
        self.run_on_event(state, 0, True)
        return state

    def on_xadd(self, raw_key):
        if self.status != "OK":
            return
        name = raw_key.decode("utf-8", "replace")
        if not prefix_matches(self.reg.settings["prefix"], name):
            return
        state = self.streams.get(name)
        if state is None:
            state = self.create(name, raw_key, set_time=True)
            if state is None:
                return
        elif state.counted_until is not None:
            return  # this entry was in the XLEN taken when the stream was first seen
        else:
            state.pending += 1
            state.next_batch += 1
            if state.next_batch == 1:
                state.batch_start_times.append(time.time())
            if state.next_batch == self.batch:
                state.next_batch = 0
        if self.batch <= state.pending and not state.running:
            self.w.cancel_timer(state.timer)
            state.timer = None
            self.run_on_event(state, self.batch, False)
        elif not state.running and state.timer is None and self.duration > 0:
            state.timer = self.w.add_timer(self.duration / 1000.0, lambda: self.on_time(state))

    def on_time(self, state):
        state.timer = None
        state.next_batch = 0
        if self.streams.get(state.key.decode("utf-8", "replace")) is state and self.status == "OK":
            self.run_on_event(state, self.batch, False)

    def run_on_event(self, state, batch, read_pending):
        state.running = True
        self.w.queue.append((self, state, batch, read_pending))

    def execute(self, state, batch, read_pending):
        """One execution over the next batch, then what C's StreamReader_ExecutionDone does."""
        # the whole batch is read (and later acknowledged) before any record is processed
        ids, records = self.read(state.key, batch, read_pending)
        results, errors = execute_plan(self.reg.steps, records)
        if ids:
            trigger = "stream %s %s" % (state.key.decode("utf-8", "replace"),
                                        ids[0] if len(ids) == 1 else "%s..%s (%d entries)" % (ids[0], ids[-1], len(ids)))
        else:
            trigger = None
        status = None
        ack_and_trim = not errors
        if errors:
            if self.policy == "continue":
                ack_and_trim = True
            else:
                self.forget_streams()
                if self.policy == "retry":
                    self.status = status = "WAITING_FOR_RETRY_ON_FAILURE"
                    self.w.add_timer(self.retry_interval, self.scan)
                    note("registration %s failed; retrying in %d s (onFailedPolicy='retry')"
                         % (self.reg.id, self.retry_interval))
                else:
                    self.status = status = "ABORTED"
                    note("registration %s is aborted after a failed execution (onFailedPolicy='abort')"
                         % self.reg.id)
        if ack_and_trim:
            if not read_pending:
                if state.batch_start_times:
                    state.batch_start_times.pop(0)
                else:
                    length = self.w.conn.call("XLEN", state.key)
                    state.pending = length if isinstance(length, int) else 0
            self.ack_and_trim(state, ids)
        # reported once acknowledged and trimmed, as the server's execution is done only then
        # Every run is an execution on the server, also one that finds no entry (the read
        # made when a stream is first seen, C: streams_reader.c), measured on 1.2.13.
        emit(execution_line(self.reg, trigger or "stream %s" % state.key.decode("utf-8", "replace"),
                            results, errors, status))
        if ack_and_trim:
            self.trigger_another(state, bool(ids), read_pending)
        else:
            state.running = False

    def read(self, raw_key, batch, read_pending):
        """C: StreamReader_ReadRecords with the consumer group of the registration: (ids, records)."""
        conn = self.w.conn
        args = ["XREADGROUP", "GROUP", STREAM_GROUP, STREAM_CONSUMER]
        if batch > 0:
            args += ["COUNT", batch]
        args += ["STREAMS", raw_key, "0" if read_pending else ">"]
        reply = conn.call(*args)
        if isinstance(reply, RespError):
            conn.call("XGROUP", "CREATE", raw_key, STREAM_GROUP, "0")  # may fail: that is fine
            reply = conn.call(*args)
        if not isinstance(reply, list) or not reply:
            return [], []
        entries = reply[0][1]
        return ([entry[0].decode("utf-8", "replace") for entry in entries],
                [stream_entry_record(raw_key, entry) for entry in entries])

    def ack_and_trim(self, state, ids):
        # The server keeps its own count of unprocessed entries and trims the stream to it:
        # XACK the batch, then XTRIM MAXLEN <entries still to process>. Its count is exact
        # because it learns of each XADD inside the command; ours lags behind, so we trim
        # the same entries by id instead (MINID just past the last processed one): an entry
        # added meanwhile is never trimmed unprocessed.
        if not ids:
            return
        state.pending = max(state.pending - len(ids), 0)
        reply = self.w.conn.call("XACK", state.key, STREAM_GROUP, *ids)
        if isinstance(reply, RespError) or not self.trim:
            return
        last_ms, _, last_seq = ids[-1].partition("-")
        ms, seq = int(last_ms), int(last_seq or 0) + 1
        if seq > _M64:
            ms, seq = ms + 1, 0
        reply = self.w.conn.call("XTRIM", state.key, "MINID", "%d-%d" % (ms, seq))
        if isinstance(reply, RespError):  # Redis before 6.2
            self.w.conn.call("XTRIM", state.key, "MAXLEN", state.pending)

    def trigger_another(self, state, has_data, read_pending):
        """C: StreamReader_TriggerAnotherExecutionIfNeeded."""
        if not state.pending:
            state.running = False
            return
        if not has_data and not read_pending and state.next_batch == 0:
            state.running = False
            state.pending = 0
            return
        if self.batch <= state.pending:
            self.run_on_event(state, self.batch, False)
            return
        started = state.batch_start_times[0] if state.batch_start_times else 0
        if not started:
            self.run_on_event(state, self.batch, False)
            state.next_batch = 0
            return
        if self.duration:
            waited = time.time() - started
            if waited >= self.duration / 1000.0:
                self.run_on_event(state, self.batch, False)
                state.next_batch = 0
                return
            state.timer = self.w.add_timer(self.duration / 1000.0 - waited, lambda: self.on_time(state))
        state.running = False

    def forget_streams(self):
        """C: StreamReaderTriggerCtx_CleanSingleStreamsData: executions not yet started are dropped."""
        for state in self.streams.values():
            self.w.cancel_timer(state.timer)
        self.streams = {}
        self.w.queue[:] = [item for item in self.w.queue if item[0] is not self]


class quiet_subscriber(object):
    """Marks gear writes of a sync execution run from an event (see Runtime.quiet_subscriber)."""

    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        self.saved = RUNTIME.quiet_subscriber
        RUNTIME.quiet_subscriber = self.kind
        return self

    def __exit__(self, *exc):
        RUNTIME.quiet_subscriber = self.saved
        return False


STREAM_GROUP = "__gears_consumer_group__"
STREAM_CONSUMER = "__gears_client__"


class Watcher(object):
    def __init__(self, target, conn, registrations):
        self.target = target
        self.conn = conn
        self.keys = [r for r in registrations if r.reader == "KeysReader"]
        self.streams = [StreamWatch(self, r) for r in registrations if r.reader == "StreamReader"]
        self.streams.reverse()  # C: stream registrations are kept newest first
        self.timers = []
        self.timer_seq = 0
        self.queue = []
        self.old_flags = None
        self.sub = None
        self.quiet = None  # the subscriber whose own events arrive now (see Runtime.quiet_subscriber)
        self.marker_seq = 0

    # -- timers
    def add_timer(self, delay, callback):
        self.timer_seq += 1
        timer = [time.time() + delay, self.timer_seq, callback, True]
        heapq.heappush(self.timers, timer)
        return timer

    def cancel_timer(self, timer):
        if timer is not None:
            timer[3] = False

    def _next_timeout(self):
        while self.timers and not self.timers[0][3]:
            heapq.heappop(self.timers)
        if not self.timers:
            return None
        return max(self.timers[0][0] - time.time(), 0)

    def _fire_timers(self):
        now = time.time()
        while self.timers and (self.timers[0][0] <= now or not self.timers[0][3]):
            timer = heapq.heappop(self.timers)
            if timer[3]:
                timer[3] = False
                timer[2]()
        self.drain()

    # -- notify-keyspace-events
    def needed_flags(self):
        needed = set()
        if self.keys:
            needed.update("E" + _ALL_CLASSES)
            for reg in self.keys:
                events = reg.settings["eventTypes"]
                if events is None or "keymiss" in [e.lower() for e in events]:
                    needed.add("m")  # the server also receives keymiss events
        if self.streams:
            needed.update("Et")
        return needed

    def configure(self):
        needed = self.needed_flags()
        if not needed:
            return
        reply = self.conn.call("CONFIG", "GET", "notify-keyspace-events")
        if isinstance(reply, RespError) or not isinstance(reply, list) or len(reply) < 2:
            message = reply.message if isinstance(reply, RespError) else "unexpected reply"
            raise Fatal("--watch needs keyspace notifications, but CONFIG GET notify-keyspace-events failed at "
                        "%s: %s. Allow CONFIG for this user, or set notify-keyspace-events to include '%s' "
                        "on the server" % (self.target.display, message, _flag_string(needed)))
        old = reply[1].decode("utf-8", "replace")
        current = _flag_set(old)
        if needed <= current:
            return
        wanted = _flag_string(current | needed)
        reply = self.conn.call("CONFIG", "SET", "notify-keyspace-events", wanted)
        if isinstance(reply, RespError):
            raise Fatal("--watch needs keyspace notifications, but CONFIG SET notify-keyspace-events %s failed "
                        "at %s: %s" % (wanted, self.target.display, reply.message))
        self.old_flags = old
        note("notify-keyspace-events set to '%s' (was '%s'); it is restored on exit" % (wanted, old))

    def restore(self):
        """Puts notify-keyspace-events back, on a fresh connection (the main one may be mid-reply)."""
        if self.old_flags is None:
            return
        old, self.old_flags = self.old_flags, None
        conn = self.target.connect(select_db=False)
        try:
            reply = conn.call("CONFIG", "SET", "notify-keyspace-events", old)
        finally:
            conn.close()
        if isinstance(reply, RespError):
            raise Fatal("could not restore notify-keyspace-events to '%s' at %s: %s"
                        % (old, self.target.display, reply.message))

    # -- the loop
    def start(self):
        self.configure()
        self.sub = self.target.connect(select_db=False)
        reply = self.sub.call("PSUBSCRIBE", "__keyevent@%d__:*" % self.target.db)
        if isinstance(reply, RespError):
            raise Fatal("cannot subscribe to keyspace events at %s: %s" % (self.target.display, reply.message))
        self.sub.call("SUBSCRIBE", MARKER_CHANNEL)

    def active(self):
        return len(self.keys) + len(self.streams)

    def scan_streams(self):
        """What a StreamReader registration does when applied: process the streams there are.
        Done before `watching` is announced, so that what comes after it is new."""
        for stream in reversed(self.streams):  # in registration order
            stream.scan()
            self.drain()

    def run(self):
        while True:
            if not self.sub.has_buffered_data():
                ready, _, _ = select.select([self.sub.sock], [], [], self._next_timeout())
                if not ready:
                    self._fire_timers()
                    continue
            message = self.sub.read_reply()
            if isinstance(message, list) and len(message) == 4 and message[0] == b"pmessage":
                channel = message[2]
                event = channel.split(b":", 1)[1].decode("utf-8", "replace") if b":" in channel else ""
                self.on_event(event, message[3])
            elif isinstance(message, list) and len(message) == 3 and message[0] == b"message":
                self.on_marker(message[2].decode("utf-8", "replace"))
            self._fire_timers()

    def on_event(self, event, raw_key):
        if event == "new":
            return  # not one of the events RedisGears subscribes to
        if event == "keymiss" and self.quiet == "reads":
            return  # raised by the engine's own reads (see engine_reads)
        if self.quiet != "keys":
            for reg in self.keys:
                self.on_key_event(reg, event, raw_key)
        if event == "xadd" and self.quiet != "streams":
            for stream in self.streams:
                stream.on_xadd(raw_key)
        self.drain(in_event=True)

    def on_marker(self, marker):
        if marker.startswith("counted "):
            for stream in self.streams:
                for state in stream.streams.values():
                    if state.counted_until == marker:
                        state.counted_until = None
        else:
            self.quiet = marker[len("begin "):] if marker.startswith("begin ") else None

    def drain(self, in_event=False):
        while self.queue:
            stream, state, batch, read_pending = self.queue.pop(0)
            quiet = "streams" if in_event and stream.reg.mode == "sync" else None
            with quiet_subscriber(quiet):
                stream.execute(state, batch, read_pending)

    def on_key_event(self, reg, event, raw_key):
        """C: KeysReader_ShouldFire then a run over the one key (read when the event arrives)."""
        settings = reg.settings
        key = redis_text(raw_key)
        name = key if isinstance(key, str) else raw_key.decode("utf-8", "replace")
        if not prefix_matches(settings["prefix"], name):
            return
        events = settings["eventTypes"]
        if events is not None and event.lower() not in [e.lower() for e in events]:
            return
        if settings["keyTypes"] is not None:
            kind = key_types(self.conn, [raw_key])[0]
            kind = "empty" if kind == b"none" else kind.decode("utf-8", "replace")
            if kind not in ("string", "list", "hash", "set", "zset", "stream"):
                kind = "module" if kind != "empty" else kind
            if kind not in settings["keyTypes"]:
                return
        source = keys_exact_source(self.conn, raw_key, settings["readValue"], event)
        with quiet_subscriber("keys" if reg.mode == "sync" else None):
            results, errors = execute_plan(reg.steps, source)
        emit(execution_line(reg, "%s %s" % (event, name), results, errors))


# ---------------------------------------------------------------------------------------
# The module and main()
# ---------------------------------------------------------------------------------------

def module_globals():
    """What RedisGears gives every script: a copy of GearsBuilder.py's globals."""
    redisgears = sys.modules.get("redisgears") or install_modules()
    names = {
        "__name__": "not_main", "__builtins__": builtins,
        "GearsBuilder": GearsBuilder, "GB": GB, "execute": execute, "atomic": atomic, "log": log,
        "hashtag": hashtag, "configGet": configGet, "gearsConfigGet": gearsConfigGet,
        "flat_error": flat_error, "registerTE": registerTE, "gearsFuture": gearsFuture,
        "isAsyncAllow": isAsyncAllow, "call_next": call_next, "get_command": get_command,
        "override_reply": override_reply, "createKeysOnlyReader": createKeysOnlyReader,
        "shardReaderCallback": shardReaderCallback, "copy": copy,
        # GearsBuilder.py's own imports are globals of the script too
        "redisgears": redisgears, "rg": redisgears,
    }
    names["Log"] = _deprecated("Log", "log", log)
    names["ConfigGet"] = _deprecated("ConfigGet", "configGet", configGet)
    names["GearsConfigGet"] = _deprecated("GearsConfigGet", "gearsConfigGet", gearsConfigGet)
    return names


def install_modules():
    """`redisgears` (the server's module, partly) for imports. Its exception classes print as
    `gears.error` &c., but there is no `gears` module to import (measured on 1.2.13)."""
    redisgears = types.ModuleType("redisgears")
    redisgears.GearsError = GearsError
    redisgears.GearsForceStopped = GearsForceStopped
    redisgears.GearsFlatError = GearsFlatError
    redisgears.executeCommand = execute
    redisgears.log = log
    redisgears.config_get = configGet
    redisgears.getMyHashTag = hashtag
    redisgears.atomicCtx = atomic
    redisgears.flatError = flat_error
    sys.modules["redisgears"] = redisgears
    return redisgears


def run_module(source):
    """Compiles and runs the module like RG.PYEXECUTE: the message of its error reply, or None."""
    # The server receives the script as a C string: it ends at the first NUL.
    source = source.split("\0", 1)[0]
    try:
        code = compile(source, "<string>", "exec", dont_inherit=True)
    except Exception as e:  # SyntaxError mostly; RecursionError/MemoryError for absurd nesting
        return "Error type: %s, Value: %s" % (type(e), e)  # no traceback at compile time
    try:
        exec(code, module_globals())
    except Stop:
        raise
    except BaseException as e:
        return format_error(e, True)
    return None


def parse_args(argv):
    url, watch = None, False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--url" and i + 1 < len(argv):
            url = argv[i + 1]
            i += 2
        elif arg.startswith("--url="):
            url = arg[len("--url="):]
            i += 1
        elif arg == "--watch":
            watch = True
            i += 1
        else:
            raise Fatal("unknown argument %r; usage: gears_local.py --url redis://host:port[/db] [--watch]" % arg)
    if url is None:
        raise Fatal("missing --url; usage: gears_local.py --url redis://host:port[/db] [--watch]")
    return url, watch


def read_module():
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Fatal("the module on stdin is not UTF-8 (%s)" % e)


def engine(argv):
    global RUNTIME, SESSION
    url, watch = parse_args(argv)
    target = Target(url)
    source = read_module()
    conn = target.connect()
    RUNTIME = Runtime(conn)
    SESSION = Session()
    install_modules()
    try:
        failure = run_module(source)
        if failure is not None:
            emit({"kind": "script_error", "message": clean_text(failure)})
            return 1
        for reg in SESSION.registrations:
            emit(reg.line())
            call_on_registered(reg)
        if SESSION.run is not None:
            steps, source_factory = SESSION.run
            results, errors = execute_plan(steps, source_factory())
            emit({"kind": "result", "results": [reply_value(r) for r in results],
                  "errors": [clean_text(e) for e in errors]})
        if watch:
            watch_registrations(target, conn, [r for r in SESSION.registrations if r.runnable])
    except (OSError, ConnectionError) as e:
        raise Fatal("lost the connection to Redis at %s: %s" % (target.display, e))
    return 0


def watch_registrations(target, conn, registrations):
    watcher = Watcher(target, conn, registrations)
    if not watcher.active():
        emit({"kind": "watching", "registrations": 0})
        emit({"kind": "stopped"})
        return
    try:
        watcher.start()
        watcher.scan_streams()
        emit({"kind": "watching", "registrations": watcher.active()})
        watcher.run()
    except Stop:
        watcher.restore()
        emit({"kind": "stopped"})
    except BaseException:
        try:
            watcher.restore()
        except Fatal as e:
            note(str(e))
        raise


def _on_signal(signum, frame):
    # Ctrl-C reaches the engine and gearc, which may then send SIGTERM too: the first signal
    # stops; later ones must not interrupt the restoring of the server's settings. (A Python
    # no-op rather than SIG_IGN: 3.7 would try to call SIG_IGN for a signal already pending.)
    signal.signal(signal.SIGINT, _ignore_signal)
    signal.signal(signal.SIGTERM, _ignore_signal)
    raise Stop()


def _ignore_signal(signum, frame):
    pass


def _final(line):
    try:
        emit(line)
    except Stop:
        pass
    return 3


def main(argv=None):
    global _PROTOCOL_OUT
    _PROTOCOL_OUT = sys.stdout
    sys.stdout = sys.stderr  # print() in gear code must not corrupt the protocol
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        code = engine(sys.argv[1:] if argv is None else argv)
    except Fatal as e:
        code = _final({"kind": "fatal", "message": clean_text(str(e))})
    except Stop:
        code = _final({"kind": "fatal", "message": "interrupted"})
    except BaseException as e:
        if os.environ.get("GEARC_DEBUG"):
            traceback.print_exc()
        code = _final({"kind": "fatal", "message": clean_text("internal error of the local engine (%s: %s); "
                                                              "set GEARC_DEBUG=1 for details" % (type(e).__name__, e))})
    return code


if __name__ == "__main__":
    sys.exit(main())
