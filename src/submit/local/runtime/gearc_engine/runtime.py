"""The runtime: execute() and the other functions gear code calls (ref 5)."""

import os
import sys

from .errors import GearsError, GearsFlatError
from .protocol import Halt, clean_text
from .resp import RespError
from .rg_commands import RgCommands
from .values import redis_text


class Runtime(object):
    def __init__(self, target, conn):
        self.target = target
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
        # Counts the commands gear code ran that may write: a reader that read ahead reads
        # again what it read before a write (see readers.keys_scan_source).
        self.writes = 0
        self.rg = RgCommands()  # RedisGears' own commands, which a plain Redis does not know

    def connect(self):
        """Another connection to the same database (a reader's own)."""
        return self.target.connect()

    def _call_in_transaction(self, argv):
        """MULTI/EXEC around one command: with markers when events must be told apart (see
        quiet_subscriber); blocking commands then do not block, as under RedisModule_Call."""
        replies = in_transaction(self.conn, [argv], self.quiet_subscriber)
        if replies is not None:
            return replies[0]
        return self.conn.call(*argv)  # a command MULTI does not take: run it on its own

    # -- execute (C: executeCommand, createReply, replyToPyList)
    def execute(self, *args):
        try:
            return self._execute(args)
        except OSError as e:  # ConnectionError too
            # Not an error of gear code (on a server, Redis cannot go away under a gear): the
            # run ends here, whatever gear code catches.
            raise Halt("lost the connection to Redis at %s: %s" % (self.target.display, e))

    def _execute(self, args):
        if not args:
            return []
        command = args[0]
        if not isinstance(command, str):
            raise GearsError("the given command must be a string")
        argv = [command] + [a if isinstance(a, (bytes, bytearray)) else str(a) for a in args[1:]]
        if command[:3].lower() == "rg.":
            reply = self.rg.answer(argv)
            if reply is not None:
                return reply
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
        if not known or "readonly" not in known[2]:
            self.writes += 1
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
            import asyncio  # only when gear code has a coroutine: the import costs start-up time
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
    try:
        sys.stderr.write("[%s] %s%s\n" % (level, "GEARS: " if prefix else "", clean_text(message)))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # gearc is gone: nobody reads the log (the server's goes to a file)


def hashtag():
    # A standalone server owns every slot; slot 0's tag in RedisGears' table is '06S'.
    return "06S"


def configGet(*args):
    """User config values: locally those set with execute('RG.CONFIGSET', ...) during the run,
    else GEARC_CONFIG_<key> environment variables (a server has them from RG.CONFIGSET or its
    module arguments). Built-in names give None, as on the server."""
    if len(args) != 1:
        raise GearsError("get_config function must get a single key input")
    if not isinstance(args[0], str):
        raise GearsError("get_config key must be a string")
    extra = RUNTIME.rg.extra_config if RUNTIME is not None else {}
    if args[0] in extra:
        return extra[args[0]]
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
