"""The protocol channel to gearc (JSON lines on stdout, see docs/local-engine.md) and the
engine's own failures."""

import json
import sys

_PROTOCOL_OUT = [sys.stdout]  # set_output() in main(); gear code's print() goes to stderr
_OUTPUT_CLOSED = []


def set_output(stream):
    _PROTOCOL_OUT[0] = stream


def emit(obj):
    """One JSON line on the protocol channel, flushed at once. If the reader is gone (gearc
    ended), stop like on SIGTERM: a watch still restores the server's settings."""
    if _OUTPUT_CLOSED:
        return
    try:
        _PROTOCOL_OUT[0].write(json.dumps(obj, ensure_ascii=True) + "\n")
        _PROTOCOL_OUT[0].flush()
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
