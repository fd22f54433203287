"""The protocol channel to gearc (JSON lines on stdout, see docs/local-engine.md) and the
engine's own failures."""

import json
import sys

_PROTOCOL_OUT = [sys.stdout]  # set_output() in main(); gear code's print() goes to stderr
_OUTPUT_CLOSED = []


# Every line the engine writes, by kind: (fields always there, fields there when they apply).
# This table is the protocol's one source: line() refuses anything else, docs/local-engine.md
# describes each field, and tests/engine_contracts.rs checks that the Rust side
# (src/submit/local/protocol.rs, Event) has exactly these fields and keeps every one.
LINES = {
    "registered": (("id", "reader", "args", "desc"), ("unsupported", "mode_note")),
    "records": (("results",), ()),
    "result": (("results", "errors"), ()),
    "backlog": (("registration", "streams", "entries", "exact", "trim"), ()),
    "watching": (("registrations",), ()),
    "execution": (("registration", "trigger", "results", "errors"), ("status", "event", "key", "ids")),
    "stopped": ((), ()),
    "script_error": (("message",), ()),
    "fatal": (("message",), ()),
}


def line(kind, **fields):
    """A protocol line; optional fields given as None are left out."""
    required, optional = LINES[kind]
    given = {name: value for name, value in fields.items() if value is not None or name in required}
    if set(required) - set(given) or set(given) - set(required) - set(optional):
        raise AssertionError("protocol line %r with fields %s, not %s + optional %s"
                             % (kind, sorted(given), required, optional))
    out = {"kind": kind}
    out.update(given)
    return out


def set_output(stream):
    _PROTOCOL_OUT[0] = stream


def reader_gone():
    """gearc is gone: nothing more is written (lifeline), as when a write finds no reader."""
    _OUTPUT_CLOSED.append(True)


def emit(obj):
    """One JSON line (made by line()) on the protocol channel, flushed at once. If the reader is
    gone (gearc ended), stop like on SIGTERM: a watch still restores the server's settings."""
    if _OUTPUT_CLOSED:
        return
    try:
        _PROTOCOL_OUT[0].write(json.dumps(obj, ensure_ascii=True) + "\n")
        _PROTOCOL_OUT[0].flush()
    except (OSError, ValueError):
        _OUTPUT_CLOSED.append(True)
        raise Stop()


def note(message):
    """A message of the engine itself for the person running gearc (stderr; lost when gearc
    is gone, which must not stop the engine from restoring the server's settings)."""
    try:
        sys.stderr.write("gearc local engine: %s\n" % message)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class Fatal(Exception):
    """The engine cannot do its job (Redis unreachable, bad URL, ...): exit code 3."""


class Stop(BaseException):
    """SIGINT/SIGTERM. A BaseException so that gear code's `except Exception` cannot swallow it."""


class Halt(Stop):
    """Gear code did what would crash or hang a RedisGears server: the engine stops with this
    message (exit code 3), whatever gear code catches."""


def clean_text(text):
    """JSON-safe text: lone surrogates would make the reader of our output choke."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
