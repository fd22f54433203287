"""The KeysReader (ref 1.1, C: keys_reader.c): records of keys, read as the server reads them.

A run scans the keyspace bucket by bucket (scan.BucketScan) and reads the values of many
buckets per round trip, on a connection of its own, so that the server scans and reads the
next buckets while gear code works on the records of these ones. The server reads a bucket
only when the execution needs its records, after the gear code of the records before: so
when gear code has written meanwhile (runtime.Runtime.writes), whatever was read ahead is
dropped and read again, from the same cursor, after the write; then reading goes on one
bucket at a time until a few buckets go by without writes.
"""

from bisect import bisect_right
from itertools import accumulate, compress, repeat
from operator import gt

from . import runtime
from .records import hash_value, hash_values, key_only_record, key_record, string_records, texts
from .resp import _BULK_HEADS, RespError
from .runtime import in_transaction
from .scan import MAX_SPECULATION
from .scan_script import ScriptedScan
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


# The read of each value type but strings (read by MGET), as the start and end of a RESP
# command around the key; other types (set, zset, stream, module) have no value, and get a TYPE.
_READS = {b"hash": (b"*2\r\n$7\r\nHGETALL\r\n", b""),
          b"list": (b"*4\r\n$6\r\nLRANGE\r\n", b"$1\r\n0\r\n$2\r\n-1\r\n")}
_TYPE = (b"*2\r\n$4\r\nTYPE\r\n", b"")
_VALUED = (b"string", b"hash", b"list")


def send_scanned_reads(conn, keys, guess):
    """Sends the reads of keys a SCAN just returned, for the type `guess` (the type most keys
    had so far: a keyspace is mostly of one type): one MGET for strings, else one command per
    key. Returns how many replies will come."""
    if guess == b"string":
        heads = list(map(_BULK_HEADS.__getitem__, map(len, keys)))
        parts = [b"*%d\r\n$4\r\nMGET" % (len(keys) + 1)] + [None] * (2 * len(keys))
        parts[1::2] = heads
        parts[2::2] = keys
        conn.send_raw(b"\r\n".join(parts) + b"\r\n")
        return 1
    start, end = _READS.get(guess, _TYPE)
    conn.send_raw(b"".join([b"%s$%d\r\n%s\r\n%s" % (start, len(key), key, end) for key in keys]))
    return len(keys)


def receive_scanned_reads(conn, keys, guess):
    """The values of send_scanned_reads: the replies alone when all keys were strings, else
    [(type, value reply)]. A key that turns out to be of another type (MGET's nil, a
    WRONGTYPE error, another type than the guess) is read again (on the engine's main
    connection) with TYPE and every read; a missing key (deleted since the scan) reads as
    type none."""
    if guess == b"string":
        values = conn.read_replies(1)[0]
        if type(values) is list and len(values) == len(keys):
            if None not in values:
                return values
            reads = [(guess, value) for value in values]
            again = [i for i, value in enumerate(values) if value is None]
        else:  # the MGET failed (e.g. no permission): read each key on its own
            reads = [None] * len(keys)
            again = list(range(len(keys)))
    else:
        reads, again = _guessed_reads(conn.read_replies(len(keys), "arrays" if guess in _READS else None), guess)
    if again:
        fixed = runtime.RUNTIME.conn.pipeline([command for i in again for command in _key_reads(keys[i])])
        for n, i in enumerate(again):
            kind, as_string, as_hash, as_list = fixed[4 * n:4 * n + 4]
            kind = kind if isinstance(kind, bytes) else b"none"
            reads[i] = (kind, {b"string": as_string, b"hash": as_hash, b"list": as_list}.get(kind))
    return reads


def _guessed_reads(replies, guess):
    """[(type, value reply)] of one reply per key for a guess other than string, and the
    indexes of the keys to read again."""
    reads = []
    again = []
    for i, reply in enumerate(replies):
        if isinstance(reply, RespError):  # WRONGTYPE mostly
            again.append(i)
            reads.append(None)
        elif guess not in _READS:  # a TYPE
            kind = reply if isinstance(reply, bytes) else b"none"
            if kind in _VALUED:
                again.append(i)
            reads.append((kind, None))
        elif reply is None or reply == []:
            reads.append((b"none", None))
        else:
            reads.append((guess, reply))
    return reads, again


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


def _records(keys, reads, event):
    if reads and type(reads[0]) is bytes:  # all strings (see receive_scanned_reads)
        records = string_records(keys, reads, event)
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
    rt = runtime.RUNTIME
    try:
        chunk = reader.finish() if reader.start() else None
        while chunk is not None:
            started = reader.ahead and reader.start()  # the server reads on meanwhile
            records, generation = chunk.records, chunk.generation
            stale = None
            if rt.writes == generation:
                rest = iter(records)
                for record in rest:
                    yield record
                    if rt.writes != generation:
                        break
                else:
                    rest = None
                if rest is not None:  # gear code wrote: the buckets after this one are stale
                    stale, left = chunk.after(len(records) - len(list(rest)))
                    for record in left:
                        yield record
            else:
                stale = chunk.cursors[0]
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
    """The records of some buckets, in the order they are emitted: the server's reader pops
    each scanned bucket from the end of its array (C: KeysReader_ScanAPINextKey), so each
    bucket's keys come last first."""
    __slots__ = ("cursors", "ends", "records", "generation")

    def __init__(self, cursors, ends, records, generation):
        self.cursors = cursors  # the cursor each bucket was scanned from
        self.ends = ends  # records[ends[b - 1]:ends[b]] are bucket b's
        self.records = records
        self.generation = generation  # runtime.RUNTIME.writes when its SCAN was sent

    def after(self, index):
        """(cursor of the first bucket that starts at or after records[index], or None; the
        records from `index` to that bucket): where reading goes on after a write."""
        bucket = bisect_right(self.ends, index)
        if bucket == len(self.ends):
            return None, []
        if index == (self.ends[bucket - 1] if bucket else 0):
            return self.cursors[bucket], []
        following = self.cursors[bucket + 1] if bucket + 1 < len(self.cursors) else None
        return following, self.records[index:self.ends[bucket]]


class _ScanReader(object):
    """Scans and reads buckets in chunks: start() receives the next chunk's buckets and sends
    their reads (and, reading ahead, the SCAN of the chunk after), finish() receives the
    reads and builds the records."""

    def __init__(self, pattern, read_value):
        self.conn = runtime.RUNTIME.connect()
        self.scan = ScriptedScan(self.conn, pattern)
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
        cursors = None
        while not cursors:
            if self.scan.in_flight is None:
                if self.scan.done:
                    return False
                self._send_scan()
            generation = self.scan_generation
            cursors, sizes, keys = self.scan.receive_buckets()
        ends = list(accumulate(sizes))
        for end, size in compress(zip(ends, sizes), map(gt, sizes, repeat(1))):
            keys[end - size:end] = keys[end - size:end][::-1]  # the order they are emitted in (_Chunk)
        replies = send_scanned_reads(self.conn, keys, self.guess) if self.read_value else 0
        if self.ahead and not self.scan.done:
            self._send_scan()  # behind the reads
        self.reading = (cursors, ends, keys, generation, replies)
        return True

    def finish(self):
        cursors, ends, keys, generation, _ = self.reading
        self.reading = None
        if self.read_value:
            records = self._scanned_records(keys)
        else:
            records = [key_only_record(key, None) for key in texts(keys)]
        return _Chunk(cursors, ends, records, generation)

    def _scanned_records(self, keys):
        """The records of the keys whose reads (send_scanned_reads) are in flight."""
        if self.guess == b"hash":  # alike hashes come as columns, and make records at C speed
            columns = self.conn.read_array_columns(len(keys))
            if columns is not None:
                values = hash_values(columns)
                if values is not None:
                    return [{"event": None, "key": key, "type": "hash", "value": value}
                            for key, value in zip(texts(keys), values)]
                reads = [(b"hash", list(flat)) for flat in zip(*columns)]
                return _records(keys, reads, None)
        reads = receive_scanned_reads(self.conn, keys, self.guess)
        if reads and type(reads[0]) is not bytes:
            self.guess = _most_common_type(reads, self.guess)
        return _records(keys, reads, None)

    def restart(self, cursor):
        """Drops what was read ahead; reads again from `cursor`, one bucket at a time."""
        if self.reading is not None:
            if self.reading[4]:
                self.conn.read_replies(self.reading[4])
            self.reading = None
        self.scan.restart(cursor)
        self.wanted = 1
        self.ahead = False

    def grow(self):
        self.wanted = min(self.wanted * 2, MAX_SPECULATION)
        self.ahead = self.wanted >= 8
