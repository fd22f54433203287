"""The submitted module: run like RG.PYEXECUTE runs it, with the globals every RedisGears
script has."""

import builtins
import copy
import sys
import types

from .builder import GB, GearsBuilder
from .errors import GearsError, GearsFlatError, GearsForceStopped, format_error
from .protocol import Stop
from .readers import createKeysOnlyReader, shardReaderCallback
from .runtime import (_deprecated, atomic, call_next, configGet, execute, flat_error, gearsConfigGet, gearsFuture,
                      get_command, hashtag, isAsyncAllow, log, override_reply, registerTE)

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
