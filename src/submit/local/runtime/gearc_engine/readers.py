"""Readers (ref 1): where a run's records come from; the KeysReader is in keys_reader."""

import types

from .errors import format_error
from .plan import ErrorRecord, _builder_code
from .protocol import Stop
from .records import hash_value, stream_record
from .resp import RespError
from .runtime import execute
from .values import redis_text


def stream_entry_record(key, entry):
    """C: StreamReader_ReadRecords builds {'id', 'value', 'key'} as a hash set."""
    entry_id, fields = entry[0], entry[1]
    value = {}
    if isinstance(fields, list):
        value = hash_value(fields[:len(fields) - len(fields) % 2])
    return stream_record(redis_text(key), entry_id.decode("utf-8", "replace"), value)


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
