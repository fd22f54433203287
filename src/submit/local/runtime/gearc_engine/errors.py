"""The `gears` exceptions and error texts (ref 3.5, C: redisgears_python.c getPyError)."""

import os
import types

# Frames of the engine's own files are hidden from error texts: the server's equivalents are
# C code.
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


GearsError = type("error", (Exception,), {"__module__": "gears"})
GearsForceStopped = type("forcestopped", (Exception,), {"__module__": "gears"})
GearsFlatError = type("flat_error", (Exception,), {"__module__": "gears"})


def _is_engine_file(filename):
    return os.path.dirname(filename) == _ENGINE_DIR


def _strip_engine_frames(tb):
    """The same traceback without the engine's frames (they stand for RedisGears' C code)."""
    kept = []
    while tb is not None:
        if not _is_engine_file(tb.tb_frame.f_code.co_filename):
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
    import traceback  # only for errors: its imports cost start-up time
    lines = traceback.format_exception(type(exc), exc, tb)
    tail = len(traceback.format_exception_only(type(exc), exc))
    if tb is None:
        lines.insert(len(lines) - tail, "Traceback (most recent call last):\n")
    frames = ['  File "<string>", line %d, in %s\n' % (line, name)
              for name, line in getattr(exc, "gearc_builder_frames", [])]
    lines[len(lines) - tail:len(lines) - tail] = frames
    return str(lines)
