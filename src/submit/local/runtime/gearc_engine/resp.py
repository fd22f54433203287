"""A small RESP2 client (standard library only), built for pipelines.

Replies are parsed from the received bytes split at every CRLF (one C call), so that a
reply costs a few list lookups rather than a scan per byte: a bulk string whose length is
the length of its token is taken as it is; one that holds CRLFs itself is joined back. An
array of plain bulk strings (a HGETALL, a SCAN batch) is taken with two slices. The engine
reads a keyspace with thousands of commands per round trip, so this is most of its time.

Many SCAN replies are read differently (read_scan_table): by regular expressions over the
bytes of a round trip, checked against their lengths, and with a reply identical to the one
before counted rather than kept. The engine sends SCAN for every cursor of a table (scan.py),
and a cursor of an empty bucket gets the reply of the next non-empty one: about half the
replies repeat the one before.
"""

import socket
from itertools import compress, repeat
from operator import itemgetter, mul, ne, sub


class RespError(object):
    """An error reply, kept as a value: the caller decides whether it raises."""
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


class _Incomplete(Exception):
    """The received bytes end inside a reply: read more (at least args[0] bytes, when known,
    so that a large value is not split and parsed again for every packet)."""

    def __init__(self, missing=0):
        Exception.__init__(self, missing)
        self.missing = missing


def to_bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")


def encode(args):
    """One command in RESP (an array of bulk strings)."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if type(arg) is bytes else to_bytes(arg)
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _BulkHeads(dict):
    """Bulk string headers by length (b'$5'), to check many replies at C speed."""

    def __missing__(self, length):
        head = b"$%d" % length
        if len(self) < 65536:
            self[length] = head
        return head


_BULK_HEADS = _BulkHeads()


def _plain_bulks(heads, values):
    """Whether each value is a whole bulk string of its head's length (none holds a CRLF)."""
    return heads == list(map(_BULK_HEADS.__getitem__, map(len, values)))


def _parse_bulks(tokens, i, end, count):
    """Up to `count` replies that are all plain bulk strings (GETs of strings), at once:
    (values, next index), or None when they are not all plain (parse them one by one)."""
    stop = min(i + 2 * count, end - (end - i) % 2)
    values = tokens[i + 1:stop:2]
    if _plain_bulks(tokens[i:stop:2], values):
        return values, stop
    return None


def _parse_scans(tokens, i, end, count):
    """Up to `count` SCAN replies, [cursor, [keys]], as long as they are plain: (replies,
    next index). Most buckets hold one or two keys, so those cases are spelled out."""
    heads = _BULK_HEADS
    replies = []
    while len(replies) < count and i + 3 < end and tokens[i] == b"*2":
        cursor, size = tokens[i + 2], tokens[i + 3]
        if tokens[i + 1] != heads[len(cursor)]:
            break
        if size == b"*1":
            stop = i + 6
            if stop > end or tokens[i + 4] != heads[len(tokens[i + 5])]:
                break
            replies.append([cursor, [tokens[i + 5]]])
        elif size == b"*2":
            stop = i + 8
            if stop > end or tokens[i + 4] != heads[len(tokens[i + 5])] or tokens[i + 6] != heads[len(tokens[i + 7])]:
                break
            replies.append([cursor, [tokens[i + 5], tokens[i + 7]]])
        else:
            if size[:1] != b"*":
                break
            stop = i + 4 + 2 * int(size[1:])
            keys = tokens[i + 5:stop:2]
            if stop > end or not _plain_bulks(tokens[i + 4:stop:2], keys):
                break
            replies.append([cursor, keys])
        i = stop
    return replies, i


def _parse_arrays(tokens, i, end, count):
    """Up to `count` replies that are arrays of plain bulk strings (HGETALL, LRANGE), at once
    while they are: (replies, next index), or None when one holds something else than plain
    bulk strings (parse them one by one)."""
    replies = []
    heads = []
    values = []
    while len(replies) < count and i < end:
        size = tokens[i]
        if size[:1] != b"*" or size == b"*-1":
            break
        stop = i + 1 + 2 * int(size[1:])
        if stop > end:
            break
        heads += tokens[i + 1:stop:2]
        reply = tokens[i + 2:stop:2]
        values += reply
        replies.append(reply)
        i = stop
    if not _plain_bulks(heads, values):
        return None
    return replies, i


class _ScanPatterns(object):
    """The regular expressions of read_scan_table, compiled when first needed: importing `re`
    costs start-up time, and a small keyspace is read without them."""
    plain = None

    @classmethod
    def compiled(cls):
        if cls.plain is None:
            import re
            # A SCAN reply whose keys hold no CR or LF (checked against their lengths), as
            # (the whole reply, cursor, number of keys, the keys as bulk strings); and the
            # start of a SCAN reply.
            cls.plain = re.compile(b"(\\*2\r\n\\$[0-9]+\r\n([0-9]+)\r\n\\*([0-9]+)\r\n"
                                   b"((?:\\$[0-9]+\r\n[^\r\n]*\r\n)*))")
            cls.start = re.compile(b"\\*2\r\n\\$[0-9]+\r\n[0-9]+\r\n\\*")
        return cls


def _last_scan_start(data, patterns):
    """Where the last SCAN reply in data starts, or 0. A reply starts with `*2`, and so does
    the array of keys of a bucket of two; but only after a reply's start come digits (the
    cursor) and an array."""
    end = len(data)
    while True:
        end = data.rfind(b"\r\n*2\r\n$", 0, end)
        if end < 0:
            return 0
        if patterns.start.match(data, end + 2):
            return end + 2


def _scan_reply_arriving(data):
    """Whether data is the start of a SCAN reply, not all of it here yet (or nothing)."""
    if not data:
        return True
    if not data.startswith(b"*2\r\n$") and not b"*2\r\n$".startswith(data):
        return False
    tokens = data.split(b"\r\n")
    try:
        _parse(tokens, 0, len(tokens) - 1)
    except _Incomplete:
        return True
    return False


def _scan_table(found):
    """(cursors, sizes, keys, counts) of SCAN replies matched by _ScanPatterns.plain (see
    Connection.read_scan_table), or None when one's keys do not fit their heads."""
    n = len(found)
    starts = [0] + list(compress(range(1, n), map(ne, found[1:], found[:-1])))  # where runs begin
    counts = list(map(sub, starts[1:] + [n], starts))
    distinct = list(map(found.__getitem__, starts))
    cursors = list(map(itemgetter(1), distinct))
    sizes = list(map(int, map(itemgetter(2), distinct)))
    blocks = list(map(itemgetter(3), distinct))
    parts = b"".join(blocks).split(b"\r\n")
    keys = parts[1::2]
    if not _plain_bulks(parts[0:-1:2], keys) or sum(sizes) != len(keys):
        return None
    if list(map(bytes.count, blocks, repeat(b"\r\n"))) != list(map(mul, sizes, repeat(2))):
        return None
    return cursors, sizes, keys, counts


def _parse(tokens, i, end):
    """The reply starting at tokens[i] (tokens[end] is not complete yet): (value, next index)."""
    if i >= end:
        raise _Incomplete()
    token = tokens[i]
    kind = token[:1]
    if kind == b"$":
        n = int(token[1:])
        if n < 0:
            return None, i + 1
        if i + 1 >= end:
            # how many more bytes this value needs, if its start is the unfinished last token
            raise _Incomplete(n + 2 - len(tokens[end]) if i + 1 == end else 0)
        data = tokens[i + 1]
        if len(data) == n:
            return data, i + 2
        j = i + 2  # the value holds CRLFs of its own: join it back
        while len(data) < n:
            if j >= end:
                raise _Incomplete()
            data = data + b"\r\n" + tokens[j]
            j += 1
        if len(data) != n:
            raise ConnectionError("malformed bulk string from the server")
        return data, j
    if kind == b"*":
        n = int(token[1:])
        if n < 0:
            return None, i + 1
        stop = i + 1 + 2 * n
        if stop <= end:
            values = tokens[i + 2:stop:2]
            if _plain_bulks(tokens[i + 1:stop:2], values):
                return values, stop
        items = []
        i += 1
        for _ in range(n):
            value, i = _parse(tokens, i, end)
            items.append(value)
        return items, i
    if kind == b":":
        return int(token[1:]), i + 1
    if kind == b"+":
        return token[1:], i + 1
    if kind == b"-":
        return RespError(token[1:].decode("utf-8", "replace")), i + 1
    raise ConnectionError("unexpected reply from the server: %r" % token[:40])


class Connection(object):
    def __init__(self, target, timeout=5.0):
        kind, address = target
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
        else:
            host, port = address
            try:  # a str host is encoded with the idna codec, whose import costs start-up time
                address = (host.encode("ascii"), port)
            except UnicodeError:
                pass
            sock = socket.create_connection(address, timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The limit stays for the login and first PING (Target.connect), then goes.
        self.sock = sock
        self.rest = b""  # received bytes not parsed yet

    def wait_without_limit(self):
        """Replies may take as long as the commands do (a blocking read, a big SCAN)."""
        self.sock.settimeout(None)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- writing
    def send(self, args):
        self.sock.sendall(encode(args))

    def send_raw(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        self.send(args)
        return self.read_replies(1)[0]

    def pipeline(self, commands):
        """Sends all commands at once, then reads all replies (in order)."""
        if not commands:
            return []
        self.sock.sendall(b"".join([encode(args) for args in commands]))
        return self.read_replies(len(commands))

    # -- reading
    def read_scan_table(self, count):
        """When the next `count` replies are plain SCAN replies (their keys hold no CR or LF):
        (cursors, sizes, keys, counts) at C speed, where a reply that repeats the one before
        is counted, not repeated: cursors[r] (bytes) and sizes[r] are the cursor and number of
        keys of reply r, counts[r] how many times it came in a row, keys all their keys in a
        row. Else None, and nothing is read (read_replies reads them)."""
        patterns = _ScanPatterns.compiled()
        data = self.rest
        found = []  # the plain replies in data[:done]
        done = 0
        while True:
            if not data.startswith(b"*2\r\n$") and not b"*2\r\n$".startswith(data):
                return None  # not a SCAN reply (an error, maybe)
            cut = max(_last_scan_start(data, patterns), done)  # the last reply starts there: maybe cut off
            more = patterns.plain.findall(data, done, cut)
            if sum(map(len, map(itemgetter(0), more))) != cut - done:
                return None  # something between them that is not a plain SCAN reply
            found += more
            done = cut
            if len(found) > count:
                return None
            if len(found) < count:
                # The last reply: whole (then a plain SCAN reply, followed by nothing or by
                # the start of the next one), or still arriving. Anything else is left to
                # read_replies: waiting for more bytes is safe only when more replies are due.
                tokens = data[cut:].split(b"\r\n")
                try:
                    used = _parse(tokens, 0, len(tokens) - 1)[1]
                except _Incomplete:
                    used = None
                if used is not None:
                    end = cut + sum(map(len, tokens[:used])) + 2 * used
                    last = patterns.plain.match(data, cut)
                    if (last is None or last.end() != end
                            or last.group(4).count(b"\r\n") != 2 * int(last.group(3))):
                        return None
                    if len(found) + 1 < count and not _scan_reply_arriving(data[end:]):
                        return None  # the next reply is here and is not a plain SCAN reply
                    found.append(last.groups())
                    done = cut = end
            if len(found) == count:
                table = _scan_table(found)
                if table is not None:
                    self.rest = data[cut:]
                return table
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                self.rest = b""
                raise ConnectionError("the server closed the connection")
            data = self.rest = data + chunk

    def read_array_columns(self, count):
        """When the next `count` replies are arrays of one length of plain bulk strings (the
        HGETALLs of a keyspace of alike hashes): their columns, columns[j][r] being element
        j of reply r, parsed at C speed as they arrive. Else None, and nothing is read."""
        data = self.rest
        size = None
        columns = None
        got = 0
        done = 0  # data[:done] holds the `got` replies already in columns
        while True:
            tokens = data[done:].split(b"\r\n")
            end = len(tokens) - 1
            if end:
                if size is None:
                    size = tokens[0]
                    if size[:1] != b"*" or not size[1:].isdigit() or size == b"*0":
                        return None
                    width = 1 + 2 * int(size[1:])
                    columns = [[] for _ in range(width - 1)]
                complete = min(count - got, end // width)
                stop = complete * width
                if tokens[0:stop:width].count(size) != complete:
                    return None
                for o in range(0, width - 1, 2):
                    heads, values = tokens[o + 1:stop:width], tokens[o + 2:stop:width]
                    if not _plain_bulks(heads, values):
                        return None
                    columns[o] += heads
                    columns[o + 1] += values
                got += complete
                done += sum(map(len, tokens[:stop])) + 2 * stop
                if got == count:  # all checked, so nothing can be a reply of another form
                    self.rest = data[done:]
                    return columns[1::2]
                # Waiting for more bytes is safe only while what has arrived of the next reply
                # has the same form: another form may be shorter, and all of it may be here.
                partial = tokens[stop:end]
                if partial:
                    heads, values = partial[1::2], partial[2::2]
                    if partial[0] != size or not _plain_bulks(heads[:len(values)], values):
                        return None
                    if len(heads) > len(values) and not (heads[-1][:1] == b"$" and heads[-1][1:].isdigit()):
                        return None  # a nil, a number, an array: not a plain bulk string
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                self.rest = b""
                raise ConnectionError("the server closed the connection")
            data = self.rest = data + chunk

    def has_buffered_data(self):
        return bool(self.rest)

    def read_reply(self):
        return self.read_replies(1)[0]

    def read_replies(self, count, shape=None):
        """`count` replies. `shape` says what they are expected to be, for a faster parse:
        "bulks" (string values), "arrays" (arrays of strings: hashes, lists) or "scan" (SCAN
        replies); any reply may still be anything."""
        bulks, scans, arrays = shape == "bulks", shape == "scan", shape == "arrays"
        replies = []
        data = self.rest
        missing = 0
        while True:
            if data:
                tokens = data.split(b"\r\n")
                end = len(tokens) - 1  # the last token has no CRLF yet
                i = 0
                try:
                    while len(replies) < count:
                        if bulks:
                            found = _parse_bulks(tokens, i, end, count - len(replies))
                            if found is None:
                                bulks = False  # not all plain: one by one from here on
                            else:
                                replies += found[0]
                                i = found[1]
                        elif scans:
                            found, i = _parse_scans(tokens, i, end, count - len(replies))
                            replies += found
                        elif arrays:
                            found = _parse_arrays(tokens, i, end, count - len(replies))
                            if found is None:
                                arrays = False  # not all plain: one by one from here on
                            else:
                                replies += found[0]
                                i = found[1]
                        if len(replies) == count:
                            break
                        value, i = _parse(tokens, i, end)  # the next reply is not plain
                        replies.append(value)
                except _Incomplete as e:
                    missing = e.missing
                if i:
                    data = b"\r\n".join(tokens[i:])
                if len(replies) == count:
                    self.rest = data
                    return replies
            chunks = [data]
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    self.rest = b""
                    raise ConnectionError("the server closed the connection")
                chunks.append(chunk)
                missing -= len(chunk)
                if missing <= 0:
                    break
            data = b"".join(chunks)
