"""The KeysReader (ref 1.1, C: keys_reader.c): records of keys, read as the server reads them.

A run scans the keyspace bucket by bucket (scan.BucketScan) and reads the values of many
buckets per round trip, on a connection of its own, so that the server scans and reads the
next buckets while gear code works on the records of these ones. The server reads a bucket
only when the execution needs its records, after the gear code of the records before: so
when gear code has written meanwhile (runtime.Runtime.writes), whatever was read ahead is
dropped and read again, from the same cursor, after the write; then reading goes on one
bucket at a time until a few buckets go by without writes.
"""

from . import runtime
from .records import hash_value, key_only_record, key_record
from .resp import RespError
from .runtime import in_transaction
from .scan import MAX_SPECULATION, BucketScan
from .values import redis_text

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


def _typed_reads(conn, keys):
    """(type, value reply) of keys that may be missing: probed first, then TYPE and the reads
    of every value type in one transaction, so a key deleted meanwhile reads as missing in
    both. TYPE or GET on a missing key raises a keymiss event the server's reader does not
    raise."""
    present = existing_keys(conn, keys)
    replies = engine_reads(conn, [command for key in present for command in _key_reads(key)])
    by_key = {}
    for i, key in enumerate(present):
        kind, as_string, as_hash, as_list = replies[4 * i:4 * i + 4]
        kind = kind if isinstance(kind, bytes) else b"none"
        by_key[key] = (kind, {b"string": as_string, b"hash": as_hash, b"list": as_list}.get(kind))
    return [by_key.get(key, (b"none", None)) for key in keys]


# The read of each value type, as the start and end of a RESP command around the key; other
# types (set, zset, stream, module) have no value, and get a TYPE.
_READS = {b"string": (b"*2\r\n$3\r\nGET\r\n", b""), b"hash": (b"*2\r\n$7\r\nHGETALL\r\n", b""),
          b"list": (b"*4\r\n$6\r\nLRANGE\r\n", b"$1\r\n0\r\n$2\r\n-1\r\n")}
_TYPE = (b"*2\r\n$4\r\nTYPE\r\n", b"")


def send_scanned_reads(conn, keys, guess):
    """Sends the reads of keys a SCAN just returned: one command per key, the read of the type
    `guess` (the type most keys had so far: a keyspace is mostly of one type)."""
    start, end = _READS.get(guess, _TYPE)
    conn.send_raw(b"".join([b"%s$%d\r\n%s\r\n%s" % (start, len(key), key, end) for key in keys]))


def receive_scanned_reads(conn, keys, guess):
    """The values of send_scanned_reads: the replies alone when all keys were strings, else
    [(type, value reply)]. A key that turns out to be of another type is read again (on the
    engine's main connection) with TYPE and every read; a missing key (deleted since the
    scan) reads as nil or empty, as type none."""
    shape = {b"string": "bulks", b"hash": "arrays", b"list": "arrays"}.get(guess)
    replies = conn.read_replies(len(keys), shape)
    if guess == b"string" and all(type(reply) is bytes for reply in replies):
        return replies
    reads = []
    again = []
    for i, reply in enumerate(replies):
        if isinstance(reply, RespError):  # WRONGTYPE mostly
            again.append(i)
            reads.append(None)
        elif guess not in _READS:  # a TYPE
            kind = reply if isinstance(reply, bytes) else b"none"
            if kind in _READS:
                again.append(i)
            reads.append((kind, None))
        elif reply is None or reply == []:
            reads.append((b"none", None))
        else:
            reads.append((guess, reply))
    if again:
        fixed = runtime.RUNTIME.conn.pipeline([command for i in again for command in _key_reads(keys[i])])
        for n, i in enumerate(again):
            kind, as_string, as_hash, as_list = fixed[4 * n:4 * n + 4]
            kind = kind if isinstance(kind, bytes) else b"none"
            reads[i] = (kind, {b"string": as_string, b"hash": as_hash, b"list": as_list}.get(kind))
    return reads


def _most_common_type(reads, default):
    counts = {}
    for kind, _ in reads:
        counts[kind] = counts.get(kind, 0) + 1
    counts.pop(b"none", None)
    return max(counts, key=counts.get) if counts else default


def _string_value(reply):
    return redis_text(reply) if type(reply) is bytes else None


def _hash_value(reply):
    return hash_value(reply) if type(reply) is list else None


def _list_value(reply):
    return [redis_text(item) for item in reply] if type(reply) is list else None


# type -> (its name in a record, how its value reads)
_KINDS = {b"string": ("string", _string_value), b"hash": ("hash", _hash_value), b"list": ("list", _list_value),
          b"set": ("set", None), b"zset": ("zset", None),
          b"stream": ("unknown", None),  # C: GetTypeRecord has no stream case
          b"none": ("empty", None)}
_MODULE = ("module", None)


def read_key_records(conn, keys, read_value, event):
    """KeysReader records (C: KeysReader_ReadKey) for raw key names that may be missing."""
    if not read_value:
        return [key_only_record(redis_text(key), event) for key in keys]
    return _records(keys, _typed_reads(conn, keys), event)


def _string_records(keys, values, event):
    """Records of string keys (the reads' common case), when all are UTF-8; else None."""
    try:
        return [key_record(key.decode("utf-8"), value.decode("utf-8"), "string", event)
                for key, value in zip(keys, values)]
    except UnicodeDecodeError:
        return None


def _records(keys, reads, event):
    if reads and type(reads[0]) is bytes:  # all strings (see _scanned_reads)
        records = _string_records(keys, reads, event)
        if records is not None:
            return records
        reads = [(b"string", value) for value in reads]
    records = []
    kinds = _KINDS
    for key, (kind, reply) in zip(keys, reads):
        name, value_of = kinds.get(kind, _MODULE)
        records.append(key_record(redis_text(key), value_of(reply) if value_of else None, name, event))
    return records


def keys_exact_source(conn, key, read_value, event=None):
    raw = key if isinstance(key, (bytes, bytearray)) else key.encode("utf-8")
    yield read_key_records(conn, [bytes(raw)], read_value, event)[0]


def keys_scan_source(conn, pattern, read_value):
    """The records of a KeysReader run, bucket by bucket as the server reads them."""
    reader = _ScanReader(pattern.encode("utf-8"), read_value)
    try:
        chunk = reader.finish() if reader.start() else None
        while chunk is not None:
            started = reader.ahead and reader.start()  # the server reads on meanwhile
            stale = None
            for cursor, start, end in chunk.batches:
                if runtime.RUNTIME.writes != chunk.generation:
                    stale = cursor
                    break
                # C: KeysReader_ScanAPINextKey pops each scanned batch from the end of its array.
                for i in range(end - 1, start - 1, -1):
                    yield chunk.records[i]
            if stale is not None:
                reader.restart(stale)
                chunk = reader.finish() if reader.start() else None
                continue
            ahead = reader.ahead
            reader.grow()
            if ahead:
                chunk = reader.finish() if started else None
            else:
                chunk = reader.finish() if reader.start() else None
    finally:
        reader.close()


class _Chunk(object):
    __slots__ = ("batches", "records", "generation")

    def __init__(self, batches, records, generation):
        self.batches = batches  # [(cursor scanned from, start, end)]: records[start:end] is a bucket
        self.records = records
        self.generation = generation  # runtime.RUNTIME.writes when its SCAN was sent


class _ScanReader(object):
    """Scans and reads buckets in chunks: start() receives the next chunk's buckets and sends
    their reads (and, reading ahead, the SCAN of the chunk after), finish() receives the
    reads and builds the records."""

    def __init__(self, pattern, read_value):
        self.conn = runtime.RUNTIME.connect()
        self.scan = BucketScan(self.conn, pattern)
        self.read_value = read_value
        self.wanted = 8  # buckets per chunk, doubled up to MAX_SPECULATION
        self.ahead = True
        self.guess = b"string"
        self.scan_generation = None
        self.reading = None  # the chunk whose reads are in flight: (batches, keys, generation)

    def close(self):
        self.conn.close()

    def _send_scan(self):
        self.scan_generation = runtime.RUNTIME.writes
        self.scan.send(self.wanted)

    def start(self):
        """False when the scan is done."""
        batches = []
        while not batches:
            if self.scan.in_flight is None:
                if self.scan.done:
                    return False
                self._send_scan()
            generation = self.scan_generation
            batches = self.scan.receive()
        keys = [key for _, bucket in batches for key in bucket]
        if self.read_value:
            send_scanned_reads(self.conn, keys, self.guess)
        if self.ahead and not self.scan.done:
            self._send_scan()  # behind the reads
        self.reading = (batches, keys, generation)
        return True

    def finish(self):
        batches, keys, generation = self.reading
        self.reading = None
        if self.read_value:
            reads = receive_scanned_reads(self.conn, keys, self.guess)
            if reads and type(reads[0]) is not bytes:
                self.guess = _most_common_type(reads, self.guess)
            records = _records(keys, reads, None)
        else:
            records = [key_only_record(redis_text(key), None) for key in keys]
        spans = []
        start = 0
        for cursor, bucket in batches:
            spans.append((cursor, start, start + len(bucket)))
            start += len(bucket)
        return _Chunk(spans, records, generation)

    def restart(self, cursor):
        """Drops what was read ahead; reads again from `cursor`, one bucket at a time."""
        if self.reading is not None:
            if self.read_value:
                self.conn.read_replies(len(self.reading[1]))
            self.reading = None
        self.scan.restart(cursor)
        self.wanted = 1
        self.ahead = False

    def grow(self):
        self.wanted = min(self.wanted * 2, MAX_SPECULATION)
        self.ahead = self.wanted >= 8
