"""Pieces of the engine checked directly: RedisGears' dict order, URLs, reply values."""

import socket
import sys
import threading
import unittest

from tests.runtime import support

sys.path.insert(0, support.ENGINE)
from gearc_engine import gears_dict, plan, protocol, records, resp, scan, url, values  # noqa: E402


class DictOrder(unittest.TestCase):
    def test_keys_reader_record_order_seen_on_real_servers(self):
        # RG.PYEXECUTE "GearsBuilder().run()" prints {'event': None, 'key': ..., 'type': ..., 'value': ...}
        record = gears_dict.hash_set_record([("key", "k"), ("value", "v"), ("type", "string"), ("event", None)])
        self.assertEqual(list(record), ["event", "key", "type", "value"])

    def test_hash_order_of_the_redisgears_docs(self):
        # docs/intro.md: HSET person:1 name "Rick Sanchez" age 70 reads back as {'age': ..., 'name': ...}
        self.assertEqual(list(gears_dict.hash_set_record([("name", "Rick Sanchez"), ("age", "70")])), ["age", "name"])

    def test_stream_record_order(self):
        self.assertEqual(list(gears_dict.hash_set_record([("id", "1-0"), ("value", {}), ("key", "s")])),
                         ["key", "id", "value"])

    def test_many_keys_survive_rehashing(self):
        d = gears_dict.GearsDict()
        for i in range(1000):
            d.add("k%d" % i, i)
            if i % 7 == 0:
                d.delete("k%d" % (i // 2))
            d.find("k%d" % (i // 3))
        items = dict(d.items())
        expected = {"k%d" % i: i for i in range(1000)}
        for i in range(1000):
            if i % 7 == 0:
                expected.pop("k%d" % (i // 2), None)
        self.assertEqual(items, expected)
        self.assertEqual(len(list(d.items())), len(expected))

    def test_order_depends_on_the_hash_not_on_insertion_alone(self):
        forward = list(gears_dict.hash_set_record([(k, 1) for k in "abcdefgh"]))
        backward = list(gears_dict.hash_set_record([(k, 1) for k in reversed("abcdefgh")]))
        self.assertEqual(sorted(forward), sorted(backward))
        self.assertNotEqual(forward, list("abcdefgh"))

    def test_siphash_is_deterministic_64_bit(self):
        h = gears_dict.siphash12(b"key")
        self.assertEqual(h, gears_dict.siphash12(b"key"))
        self.assertTrue(0 <= h < 2 ** 64)
        self.assertNotEqual(h, gears_dict.siphash12(b"kez"))
        self.assertEqual(h & 3, 0)  # 'key' and 'event' share bucket 0 of a 4-bucket table
        self.assertEqual(gears_dict.siphash12(b"event") & 3, 0)


class Urls(unittest.TestCase):
    def test_forms(self):
        t = url.Target("redis://user:p%40ss@example.org:7000/2")
        self.assertEqual((t.username, t.password, t.db, t.socket), ("user", "p@ss", 2, ("tcp", ("example.org", 7000))))
        self.assertEqual(t.display, "redis://user@example.org:7000/2")
        t = url.Target("redis://:secret@localhost")
        self.assertEqual((t.username, t.password, t.db, t.display), (None, "secret", 0, "redis://localhost:6379/0"))
        t = url.Target("unix:///tmp/redis.sock?db=4")
        self.assertEqual((t.socket, t.db), (("unix", "/tmp/redis.sock"), 4))

    def test_bad(self):
        for text in ("http://x", "redis://h:99999999", "redis://h/abc", "unix://"):
            with self.assertRaises(protocol.Fatal):
                url.Target(text)


class ReplyValues(unittest.TestCase):
    def test_conversion_table(self):
        self.assertEqual(values.reply_value(True), 1)
        self.assertEqual(values.reply_value(2 ** 63 - 1), 2 ** 63 - 1)
        with self.assertRaises(protocol.Fatal):  # a RedisGears 1.2.13 server crashes on it
            values.reply_value(2 ** 63)
        self.assertEqual(values.reply_value(0.1), "0.100000")
        self.assertEqual(values.reply_value("+"), "+")
        self.assertEqual(values.reply_value("+x"), "x")
        self.assertEqual(values.reply_value("-ERR x"), {"error": "ERR x"})
        self.assertEqual(values.reply_value(b"raw"), "raw")
        self.assertEqual(values.reply_value(bytearray(b"raw")), "PY RECORD")
        self.assertEqual(values.reply_value(set()), "PY RECORD")


class ErrorTexts(unittest.TestCase):
    def test_engine_frames_are_hidden(self):
        scope = {}
        exec(compile("def f():\n    raise KeyError('k')\n", "<string>", "exec"), scope)
        ok, text = plan.call_back(scope["f"], ())
        self.assertFalse(ok)
        self.assertEqual(text, str(["Traceback (most recent call last):\n", '  File "<string>", line 2, in f\n',
                                    "KeyError: 'k'\n"]))


class Records(unittest.TestCase):
    def test_record_builders_give_the_dict_order_of_hash_set_record(self):
        self.assertEqual(list(records.key_record("k", "v", "string", None)),
                         list(gears_dict.hash_set_record([("key", 0), ("value", 0), ("type", 0), ("event", 0)])))
        self.assertEqual(list(records.key_only_record("k", None)),
                         list(gears_dict.hash_set_record([("key", 0), ("event", 0)])))
        self.assertEqual(list(records.stream_record("s", "1-0", {})),
                         list(gears_dict.hash_set_record([("id", 0), ("value", 0), ("key", 0)])))

    def test_hash_values_of_columns_are_hash_value_of_each(self):
        for names in ([b"name", b"age"], [b"age", b"name"], [b"a\0x", b"a", b"b"], [b"only"],
                      [b"f%d" % i for i in range(40)]):
            flats = [[x for name in names for x in (name, b"%s-%d" % (name, row))] for row in range(3)]
            flats[1][1] = b"\xff"  # not UTF-8: a bytearray, in every way
            columns = [list(column) for column in zip(*flats)]
            self.assertEqual([list(d.items()) for d in records.hash_values(columns)],
                             [list(records.hash_value(flat).items()) for flat in flats])
        self.assertIsNone(records.hash_values([[b"a", b"b"], [b"1", b"2"]]))  # names differ

    def test_hash_value_is_hash_set_record_also_when_names_repeat_after_a_nul(self):
        for flat in ([b"name", b"Rick", b"age", b"70"], [b"a\0x", b"1", b"a", b"2", b"b", b"3"],
                     [b"f%d" % i for i in range(40) for _ in (0, 1)], []):
            pairs = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 2)]
            for _ in range(2):  # computed, then from the cache
                got = records.hash_value(flat)
                self.assertEqual(list(got.items()), list(gears_dict.hash_set_record(pairs).items()))


class ScanCursors(unittest.TestCase):
    def test_reverse_bits(self):
        for bits in (2, 5, 16, 17, 23, 32):
            for value in (0, 1, 2, 3, (1 << bits) - 1, 0x12345 % (1 << bits)):
                naive = int(format(value, "0%db" % bits)[::-1], 2)
                self.assertEqual(scan.reverse_bits(value, bits), naive)

    def test_guesses_are_the_next_cursors_in_reversed_bit_order(self):
        for bits, position in ((4, 3), (16, 65000), (17, 70000), (20, 65000), (20, (1 << 20) - 300), (32, 123456)):
            guess = scan.BucketScan.__new__(scan.BucketScan)
            guess.bits, guess.cursor = bits, scan.reverse_bits(position, bits)
            naive = [int(format(i, "0%db" % bits)[::-1], 2) for i in range(position, min(position + 1024, 1 << bits))]
            self.assertEqual(guess._guesses(1024), naive)


class Resp(unittest.TestCase):
    """The reply parser, fed byte by byte and in one piece."""

    def replies(self, data, count, shape=None, pieces=1):
        ours, theirs = socket.socketpair()
        conn = resp.Connection.__new__(resp.Connection)
        conn.sock, conn.rest = ours, b""
        size = max(len(data) // pieces, 1)

        def send():
            for start in range(0, len(data), size):
                theirs.sendall(data[start:start + size])
        sender = threading.Thread(target=send)
        sender.start()
        try:
            return conn.read_replies(count, shape)
        finally:
            sender.join()
            ours.close()
            theirs.close()

    def check(self, data, expected, shape=None):
        for pieces in (1, 3, min(len(data), 400)):
            got = self.replies(data, len(expected), shape, pieces)
            self.assertEqual([plain(g) for g in got], expected)

    def test_every_reply_kind(self):
        data = (b"+OK\r\n-ERR no\r\n:42\r\n$-1\r\n*-1\r\n$0\r\n\r\n$4\r\na\r\nb\r\n*0\r\n"
                b"*3\r\n$1\r\nx\r\n*1\r\n:1\r\n-WRONGTYPE w\r\n")
        self.check(data, [b"OK", ("error", "ERR no"), 42, None, None, b"", b"a\r\nb", [],
                          [b"x", [1], ("error", "WRONGTYPE w")]])

    def test_bulk_strings_with_crlf_and_the_fast_paths(self):
        values = [b"1", b"\r\n", b"a\r\n$3\r\nabc", b"x" * 70000, b"$1", b""]
        data = b"".join(b"$%d\r\n%s\r\n" % (len(v), v) for v in values) + b"$-1\r\n-ERR e\r\n"
        self.check(data, values + [None, ("error", "ERR e")], "bulks")
        self.check(data, values + [None, ("error", "ERR e")])
        flat = b"*%d\r\n" % len(values) + b"".join(b"$%d\r\n%s\r\n" % (len(v), v) for v in values)
        self.check(flat, [values])

    def test_scan_replies(self):
        replies = [[b"12", [b"k1"]], [b"0", []], [b"7", [b"a\r\nb", b"c"]], [b"3", [b"x", b"y", b"z"]]]
        data = b"".join(b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(c), c, len(ks))
                        + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in ks) for c, ks in replies)
        self.check(data + b"-ERR no\r\n", replies + [("error", "ERR no")], "scan")


def scan_reply(cursor, keys):
    return (b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(cursor), cursor, len(keys))
            + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in keys))


class WholeRoundTrips(unittest.TestCase):
    """The parsers of many replies at once (SCAN replies as a table, alike arrays as columns):
    fed in pieces, then the sender hangs up, so that waiting for bytes that will never come
    fails instead of hanging. When they decline, nothing is read: read_replies reads it all."""

    def read(self, data, pieces, method, count, then=None):
        ours, theirs = socket.socketpair()
        conn = resp.Connection.__new__(resp.Connection)
        conn.sock, conn.rest = ours, b""
        size = max(len(data) // pieces, 1)

        def send():
            for start in range(0, len(data), size):
                theirs.sendall(data[start:start + size])
            theirs.shutdown(socket.SHUT_WR)
        sender = threading.Thread(target=send)
        sender.start()
        try:
            got = getattr(conn, method)(count)
            rest = conn.read_replies(then) if then else None
            return got, rest
        finally:
            sender.join()
            ours.close()
            theirs.close()

    def each_way(self, data, method, count, then=None):
        return [self.read(data, pieces, method, count, then) for pieces in (1, 2, 7, min(len(data), 300))]

    def test_scan_table_counts_repeated_replies(self):
        replies = [(b"12", [b"k1"])] * 3 + [(b"40", [b"a", b"b"]), (b"40", []), (b"0", [b"c"])]
        data = b"".join(scan_reply(c, ks) for c, ks in replies) + b"+OK\r\n"
        for table, rest in self.each_way(data, "read_scan_table", len(replies), then=1):
            self.assertEqual(table, ([b"12", b"40", b"40", b"0"], [1, 2, 0, 1], [b"k1", b"a", b"b", b"c"], [3, 1, 1, 1]))
            self.assertEqual(rest, [b"OK"])

    def test_scan_table_declines_what_is_not_plain(self):
        cases = [
            [scan_reply(b"5", [b"k\r\n*2\r\n$1\r\n0\r\n*0"]), scan_reply(b"0", [b"x"])],  # keys with CRLF
            [scan_reply(b"5", [b"k"]), b"-ERR oops\r\n"],  # an error last
            [scan_reply(b"5", [b"k"]), b"-ERR oops\r\n", scan_reply(b"0", [b"x"])],  # in the middle
            [b"-ERR oops\r\n", scan_reply(b"0", [b"x"])],  # first
            [scan_reply(b"5", [b"k"]), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"],  # another array
        ]
        for replies in cases:
            for table, rest in self.each_way(b"".join(replies), "read_scan_table", len(replies), then=len(replies)):
                self.assertIsNone(table)
                self.assertEqual(len(rest), len(replies))

    def test_array_columns_of_alike_arrays(self):
        hashes = [[b"name", b"n%d" % i, b"age", b"%d" % i] for i in range(5)]
        data = b"".join(b"*4\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(v), v) for v in h) for h in hashes)
        for columns, rest in self.each_way(data + b":7\r\n", "read_array_columns", 5, then=1):
            self.assertEqual([list(row) for row in zip(*columns)], hashes)
            self.assertEqual(rest, [7])

    def test_array_columns_decline_other_replies(self):
        one = b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
        for replies in ([one, b"-WRONGTYPE w\r\n"], [one, b"*0\r\n"], [one, b"*2\r\n$1\r\nf\r\n$-1\r\n"],
                        [one, b"*2\r\n$1\r\nf\r\n$4\r\na\r\nb\r\n"], [one, b"*1\r\n$1\r\nf\r\n"],
                        [b"-WRONGTYPE w\r\n", one]):
            for columns, rest in self.each_way(b"".join(replies), "read_array_columns", 2, then=2):
                self.assertIsNone(columns)
                self.assertEqual(len(rest), 2)


def plain(value):
    """Replies made comparable: an error as ("error", message), lists of any kind as lists."""
    if isinstance(value, resp.RespError):
        return ("error", value.message)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
