"""Scanning the keyspace one hash-table bucket at a time, as the server's readers do, with
many buckets per round trip.

The server's KeysReader calls RedisModule_Scan, which visits one bucket of the keyspace's
dict per call (C: dictScan), and emits each call's keys last first. `SCAN cursor COUNT 1`
returns exactly one non-empty bucket's keys too (it stops once it has sampled a key), so
following SCAN's cursors gives the server's batches for the same dict.

Asking for one bucket per round trip is slow, but the cursors are predictable: a table of
2^k buckets is visited in bit-reversed order (cursor number i is i with its k low bits
reversed). So the engine sends SCAN for the next few hundred cursors of that order at once
and then follows the chain of cursors the server returned through those replies. A reply
is used only when its cursor is the one the previous reply named, so the batches are the
ones sequential calls would give; a wrong guess of the table size (k) only wastes calls,
and the next guess is corrected from the cursors seen.
"""

from itertools import accumulate, compress, repeat
from operator import lshift, or_

from .resp import RespError, encode

MAX_SPECULATION = 1024  # cursors per round trip

_MANY = 64  # cursors from which replies are read as a table (resp.read_scan_table)
_LENGTH_LINES = [b"%d\r\n" % n for n in range(24)]  # a cursor's length, as a bulk string head

_REVERSED = [[0]]  # _REVERSED[b][i] is i with its b low bits reversed, for b <= 16


def _reversed(bits):
    """The table for `bits` (<= 16), made when first needed: 64k entries take milliseconds,
    and a small keyspace needs a small table."""
    while len(_REVERSED) <= bits:
        shorter = _REVERSED[-1]
        doubled = list(map(lshift, shorter, repeat(1)))
        _REVERSED.append(doubled + list(map(or_, doubled, repeat(1))))
    return _REVERSED[bits]


def reverse_bits(value, bits):
    """`value`'s `bits` low bits in reverse order (bits <= 32)."""
    if bits <= 16:
        return _reversed(bits)[value]
    table = _reversed(16)
    return (table[value & 0xFFFF] << (bits - 16)) | (table[value >> 16] >> (32 - bits))


class BucketScan(object):
    """The non-empty buckets matching `pattern` (and `key_type`), in SCAN cursor order.

    `fetch(n)` returns about n of the next buckets' key lists (raw bytes) with the cursor
    each was scanned from, at least one unless the scan is done. It is `send(n)` then
    `receive()`, which a reader may split to let the server scan while it works.
    `restart(cursor)` goes back to a cursor, to read buckets again.
    """

    def __init__(self, conn, pattern, key_type=None, table_bits=None):
        self.conn = conn
        tail = [b"MATCH", pattern, b"COUNT", b"1"] + ([b"TYPE", key_type] if key_type else [])
        self.tail = encode(tail)[len(b"*%d\r\n" % len(tail)):]
        self.header = b"*%d\r\n$4\r\nSCAN\r\n" % (len(tail) + 2)
        self.cursor = 0
        self.done = False
        self.in_flight = None  # the cursors sent and not received yet
        self.bits = table_bits if table_bits is not None else self._guess_bits()

    def _guess_bits(self):
        # A dict grows to the next power of two above its size (and shrinks below 10% fill).
        size = self.conn.call("DBSIZE")
        size = size if isinstance(size, int) else 0
        return min(max((size - 1).bit_length(), 2), 32)

    def _commands(self, cursors):
        # SCAN <cursor> <tail> for each cursor, joined at C speed: each command is the
        # header, the cursor's length line, the cursor and the tail.
        texts = list(map(b"%d".__mod__, cursors))
        lines = map(_LENGTH_LINES.__getitem__, map(len, texts))
        glue = b"\r\n" + self.tail + self.header + b"$"
        return self.header + b"$" + glue.join(map(bytes.__add__, lines, texts)) + b"\r\n" + self.tail

    def restart(self, cursor):
        self.discard()
        self.cursor = cursor
        self.done = False

    def fetch(self, wanted):
        """[(cursor scanned from, [keys])] of the next buckets, at least one unless done."""
        batches = []
        while not batches and not self.done:
            if self.in_flight is None:
                self.send(wanted)
            batches = self.receive()
        return batches

    def send(self, wanted):
        """Sends SCAN for the next `wanted` cursors the server is likely to use."""
        cursors = self._guesses(max(wanted, 1))
        self.conn.send_raw(self._commands(cursors))
        self.in_flight = cursors

    def discard(self):
        """Reads and drops the replies of what was sent (a restart makes them useless)."""
        if self.in_flight is not None:
            self.conn.read_replies(len(self.in_flight), "scan")
            self.in_flight = None

    def receive(self):
        """[(cursor, [keys])] of the buckets receive_buckets() gives."""
        cursors, sizes, keys = self.receive_buckets()
        batches = []
        start = 0
        for cursor, size in zip(cursors, sizes):
            batches.append((cursor, keys[start:start + size]))
            start += size
        return batches

    def receive_buckets(self):
        """The non-empty buckets of the chain of cursors through what was sent (maybe none),
        as (their cursors, their numbers of keys, all their keys in a row).

        A cursor of an empty bucket gets the same reply as the next cursor, so the replies
        come in runs of one reply, and when the table size was guessed right the chain is the
        first cursor of each run: that is checked at C speed. Anything else (a wrong guess, a
        table that changed between two SCANs, keys with CR or LF) is followed reply by reply."""
        sent, self.in_flight = self.in_flight, None
        table = self.conn.read_scan_table(len(sent)) if len(sent) >= _MANY else None
        if table is None:
            runs = [[reply, 1] for reply in self.conn.read_replies(len(sent), "scan")]
        else:
            buckets = self._chain(sent, *table)
            if buckets is not None:
                return buckets
            cursors, sizes, keys, counts = table
            runs = []
            start = 0
            for cursor, size, count in zip(cursors, sizes, counts):
                runs.append([[cursor, keys[start:start + size]], count])
                start += size
        batches = self._walk(sent, runs)
        return [c for c, _ in batches], [len(k) for _, k in batches], [key for _, k in batches for key in k]

    def _chain(self, sent, cursors, sizes, keys, counts):
        """receive_buckets() of a read_scan_table() when the chain is the first cursor of each
        run, else None."""
        following = list(map(int, cursors))
        scanned = list(map(sent.__getitem__, accumulate([0] + counts[:-1])))  # the cursor of each run
        last = following.index(0) if 0 in following else len(following) - 1  # 0: the scan is done
        if scanned[0] != self.cursor or scanned[1:last + 1] != following[:last]:
            return None
        steps = scanned[:last + 1]
        sizes = sizes[:last + 1]
        self.cursor = following[last]
        self.done = self.cursor == 0
        self._learn(steps, self.cursor)
        return list(compress(steps, sizes)), list(filter(None, sizes)), keys[:sum(sizes)]

    def _walk(self, sent, runs):
        """The buckets of the chain, [(cursor, keys)], followed reply by reply."""
        replies = dict(zip(sent, [reply for reply, count in runs for _ in range(count)]))
        batches = []
        steps = []
        cursor = self.cursor
        while cursor in replies:
            reply = replies.pop(cursor)
            if isinstance(reply, RespError) or not isinstance(reply, list) or len(reply) != 2:
                self.done = True  # e.g. SCAN ... TYPE on a server too old for it: no keys
                return batches
            steps.append(cursor)
            following, keys = int(reply[0]), reply[1]
            if keys:
                batches.append((cursor, keys))
            cursor = following
            if cursor == 0:
                self.done = True
                break
        self.cursor = cursor
        self._learn(steps, cursor)
        return batches

    def _guesses(self, wanted):
        cursor, bits = self.cursor, self.bits
        if cursor >> bits:
            return [cursor]
        start = reverse_bits(cursor, bits)
        end = min(start + min(wanted, MAX_SPECULATION), 1 << bits)
        if bits <= 16:
            return _reversed(bits)[start:end]
        # reverse_bits() of each number, with the 16-bit table, a run of low halves at a time
        table = _reversed(16)
        guesses = []
        while start < end:
            high = start >> 16
            stop = min(end, (high + 1) << 16)
            lows = table[start & 0xFFFF:((stop - 1) & 0xFFFF) + 1]
            guesses += map(or_, map(lshift, lows, repeat(bits - 16)), repeat(table[high] >> (32 - bits)))
            start = stop
        return guesses

    def _learn(self, steps, following):
        """Corrects the table size from the cursors the server used."""
        if following >> self.bits:
            self.bits = min(following.bit_length(), 32)  # a bigger table than guessed
        elif len(steps) >= 16 and self.bits > 2 and not max(steps) >> (self.bits - 1):
            # 16 cursors in a row below half the guessed size: the table is smaller
            self.bits -= 1
