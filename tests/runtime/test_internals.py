"""Pieces of the engine checked directly: RedisGears' dict order, URLs, reply values."""

import sys
import unittest

from tests.runtime import support

sys.path.insert(0, support.ENGINE)
from gearc_engine import gears_dict, plan, protocol, url, values  # noqa: E402


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
