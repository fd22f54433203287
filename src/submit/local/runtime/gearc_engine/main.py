"""The engine's entry point: arguments, the module from stdin, the run, --watch, exit codes."""

import os
import signal
import sys

from . import builder, protocol, runtime
from .builder import Session
from .plan import execute_plan
from .protocol import Fatal, Halt, Stop, clean_text, emit, line, note
from .registration import call_on_registered
from .run_reply import RunReply
from .runtime import Runtime
from .script import install_modules, run_module
from .url import Target


def parse_args(argv):
    # gearc passes the URL in the environment, not as an argument: a process's arguments
    # are readable by every user of the machine (ps), and the URL may hold a password.
    # It leaves the environment at once, so that nothing the module starts inherits it.
    url, watch, trust = os.environ.pop("GEARC_ENGINE_URL", None), False, False
    connect_timeout = 5.0
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
        elif arg == "--connect-timeout" and i + 1 < len(argv):
            try:
                connect_timeout = float(argv[i + 1])
            except ValueError:
                raise Fatal("--connect-timeout wants seconds, not %r" % argv[i + 1])
            i += 2
        elif arg == "--trust-server-config":
            trust = True  # CONFIG unreadable: trust notify-keyspace-events to be set (notify_flags)
            i += 1
        else:
            raise Fatal("unknown argument %r; usage: python3 <engine directory> --url redis://host:port[/db] [--watch] "
                        "[--trust-server-config]" % arg)
    if url is None:
        raise Fatal("missing --url; usage: python3 <engine directory> --url redis://host:port[/db] [--watch]")
    return url, watch, trust, connect_timeout


def read_module():
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Fatal("the module on stdin is not UTF-8 (%s)" % e)


def engine(argv):
    url, watch, trust, connect_timeout = parse_args(argv)
    target = Target(url, connect_timeout)
    source = read_module()
    conn = target.connect()
    runtime.RUNTIME = Runtime(target, conn)
    session = builder.SESSION = Session()
    runtime.RUNTIME.rg.triggers = lambda: [reg.settings.get("trigger") for reg in session.registrations
                                           if reg.reader == "CommandReader"]
    install_modules()
    try:
        failure = run_module(source)
        if failure is not None:
            emit(line("script_error", message=clean_text(failure)))
            return 1
        for reg in session.registrations:
            emit(reg.line())
            call_on_registered(reg)
        if session.run is not None:
            steps, source_factory = session.run
            reply = RunReply()
            _, errors = execute_plan(steps, source_factory(), reply.add)
            reply.finish(errors)
        if watch:
            watch_registrations(target, conn, [r for r in session.registrations if r.runnable], trust)
    except (OSError, ConnectionError) as e:
        raise Fatal("lost the connection to Redis at %s: %s" % (target.display, e))
    return 0


def watch_registrations(target, conn, registrations, trust=False):
    from .watch import Watcher  # only for --watch: its imports cost start-up time
    watcher = Watcher(target, conn, registrations, trust)
    if not watcher.active():
        emit(line("watching", registrations=0))
        emit(line("stopped"))
        return
    try:
        watcher.start()
        watcher.scan_streams()
        emit(line("watching", registrations=watcher.active()))
        watcher.run()
    except Stop as e:
        try:
            watcher.restore()
        except Fatal as failed:  # e.g. Redis is gone: say so, then why the engine stopped
            if not isinstance(e, Halt):
                raise
            note(str(failed))
        if isinstance(e, Halt):
            raise
        emit(line("stopped"))
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


def _final(last):
    try:
        emit(last)
    except Stop:
        pass
    return 3


def main(argv=None):
    protocol.set_output(sys.stdout)
    sys.stdout = sys.stderr  # print() in gear code must not corrupt the protocol
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        code = engine(sys.argv[1:] if argv is None else argv)
    except Fatal as e:
        code = _final(line("fatal", message=clean_text(str(e))))
    except Halt as e:
        code = _final(line("fatal", message=clean_text(str(e))))
    except Stop:
        code = _final(line("fatal", message="interrupted"))
    except BaseException as e:
        if os.environ.get("GEARC_DEBUG"):
            import traceback
            traceback.print_exc()
        code = _final(line("fatal", message=clean_text("internal error of the local engine (%s: %s); set "
                                                       "GEARC_DEBUG=1 for details" % (type(e).__name__, e))))
    return code

