"""Readers (ref 1): where a run's records come from."""

import types

from .errors import format_error
from .gears_dict import hash_set_record
from .plan import ErrorRecord, _builder_code
from .protocol import Stop
from .resp import RespError
from .runtime import execute, in_transaction
from .values import redis_text


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
