"""Readers (reference section 1): what each one reads, on real data."""

import json
import time

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


def scan_order(server, pattern):
    """The order a RedisGears KeysReader emits keys in: one bucket per SCAN COUNT 1 reply
    (one RedisModule_Scan call on the server), each bucket popped from its end."""
    order, cursor = [], "0"
    while True:
        cursor, keys = server.call("SCAN", cursor, "MATCH", pattern, "COUNT", "1")
        order.extend(reversed(keys))
        if cursor == "0":
            return order


def bucket_records(server, pattern):
    """The records a KeysReader gives, read bucket by bucket (the plain way): [key, type, value]
    with a hash as its sorted pairs."""
    records, cursor = [], "0"
    while True:
        cursor, keys = server.call("SCAN", cursor, "MATCH", pattern, "COUNT", "1")
        for key in reversed(keys):
            kind = server.call("TYPE", key)
            value = {"string": lambda: server.call("GET", key),
                     "hash": lambda: sorted(pairs(server.call("HGETALL", key))),
                     "list": lambda: server.call("LRANGE", key, 0, -1)}.get(kind, lambda: None)()
            records.append([key, {"stream": "unknown"}.get(kind, kind), value])
        if cursor == "0":
            return records


def pairs(flat):
    return [[flat[i], flat[i + 1]] for i in range(0, len(flat), 2)]


def seed(server, n):
    """n keys k0.. of every type with a value (mostly strings, some with CRLF in name or value)."""
    strings = []
    for i in range(n):
        if i % 50 == 7:
            server.call("HSET", "k%d" % i, "name", "n%d" % i, "age", str(i % 90))
        elif i % 50 == 8:
            server.call("RPUSH", "k%d" % i, "a", "b\r\nc")
        elif i % 50 == 9:
            server.call("SADD", "k%d" % i, "m")
        elif i % 50 == 10:
            strings += ["k%d\r\nx" % i, "v\r\n%d" % i]
        else:
            strings += ["k%d" % i, str(i)]
        if len(strings) >= 2000:
            server.call("MSET", *strings)
            strings = []
    if strings:
        server.call("MSET", *strings)


def stable_run(test, module, reference, prepare=None):
    """None when the engine's results equal `reference()`, taken before and after the run (Redis
    rehashes its dict shortly after writes, which changes SCAN's order); else where they first
    differ. `prepare()` runs before each run."""
    for _ in range(20):
        before = reference()
        if prepare:
            prepare()
        run = test.run_module(module)
        test.assertEqual((run.code, run.errors), (0, []), run.stderr)
        if reference() == before:
            got = run.results
            if got == before:
                return None
            if len(got) != len(before):
                return {"records": len(got), "expected": len(before)}
            return next({"at": i, "got": a, "expected": b} for i, (a, b) in enumerate(zip(got, before)) if a != b)
        time.sleep(0.1)
    test.fail("SCAN's order kept changing")


class KeysReaderRun(support.EngineTest):
    def test_empty_keyspace_gives_no_records(self):
        run = self.run_module('GB().run()\n')
        self.assertEqual((run.code, run.results, run.errors), (0, [], []))

    def test_string_record_as_the_server_prints_it(self):
        # The record is a C hash set: its dict order is RedisGears' dict order (event, key, type, value),
        # as seen in RG.PYEXECUTE "GearsBuilder().run()" outputs of real servers.
        self.call("SET", "x", "1")
        self.assertEqual(self.results_of('GB().run()\n'),
                         ["{'event': None, 'key': 'x', 'type': 'string', 'value': '1'}"])

    def test_value_and_type_of_every_key_type(self):
        self.call("SET", "str", "hello")
        self.call("HSET", "person:1", "name", "Rick Sanchez", "age", "70")
        self.call("RPUSH", "lst", "a", "b", "c")
        self.call("SADD", "st", "m")
        self.call("ZADD", "zs", "1", "m")
        self.call("XADD", "sm", "1-0", "f", "v")
        module = ("import json\n"
                  "GB().map(lambda r: json.dumps([r['key'], r['type'], r['value']])).run()\n")
        got = sorted(json.loads(r) for r in self.results_of(module))
        self.assertEqual(got, [
            ["lst", "list", ["a", "b", "c"]],
            ["person:1", "hash", {"age": "70", "name": "Rick Sanchez"}],
            ["sm", "unknown", None],  # no stream case in the C type switch
            ["st", "set", None],
            ["str", "string", "hello"],
            ["zs", "zset", None],
        ])

    def test_hash_value_in_the_servers_dict_order(self):
        # HSET order is name, age; RedisGears hands the hash over as {'age': ..., 'name': ...}
        self.call("HSET", "person:1", "name", "Rick Sanchez", "age", "70")
        self.assertEqual(self.results_of("GB().map(lambda r: str(r['value'])).run('person:1', noScan=True)\n"),
                         ["{'age': '70', 'name': 'Rick Sanchez'}"])

    def test_non_utf8_string_is_a_bytearray(self):
        self.call("SET", "bin", b"\xff\xfe")
        self.assertEqual(self.results_of("GB().map(lambda r: repr(r['value'])).run('bin', noScan=True)\n"),
                         ["bytearray(b'\\xff\\xfe')"])

    def test_no_scan_on_a_missing_key_gives_one_empty_record(self):
        self.assertEqual(self.results_of("GB().run('nokey', noScan=True)\n"),
                         ["{'event': None, 'key': 'nokey', 'type': 'empty', 'value': None}"])

    def test_no_scan_reads_exactly_that_key_even_with_glob_characters(self):
        self.call("SET", "a*", "star")
        self.call("SET", "ab", "other")
        self.assertEqual(self.results_of("GB().map(lambda r: r['value']).run('a*', noScan=True)\n"), ["star"])

    def test_read_value_false_holds_only_key_and_event(self):
        self.call("HSET", "h", "f", "v")
        self.assertEqual(self.results_of("GB().run('h', readValue=False)\n"), ["{'event': None, 'key': 'h'}"])
        self.assertEqual(self.results_of("GB().map(lambda r: sorted(r)).run(readValue=False)\n"),
                         ["['event', 'key']"])

    def test_pattern_is_a_glob(self):
        for key in ("a:1", "a:2", "a:3", "b:1", "xa:1"):
            self.call("SET", key, "v")
        self.assertEqual(self.results_of("GB().map(lambda r: r['key']).sort().run('a:*')\n"), ["a:1", "a:2", "a:3"])

    def test_scan_order_is_the_servers(self):
        for i in range(40):
            self.call("SET", "k%d" % i, i)
        # A rehash of Redis' dict (done by its cron, shortly after the writes) changes SCAN's
        # order: compare with a SCAN order that held from before the run to after it.
        for _ in range(20):
            before = scan_order(self.server, "k*")
            got = self.results_of("GB().map(lambda r: r['key']).run('k*')\n")
            if scan_order(self.server, "k*") == before:
                self.assertEqual(got, before)
                return
            time.sleep(0.1)
        self.fail("SCAN's order kept changing")

    def test_records_of_a_large_keyspace_are_the_servers_in_its_order(self):
        # Thousands of buckets: the engine reads many per round trip, guessing SCAN's cursors and
        # the keys' types; what it gives must be what reading bucket by bucket gives.
        seed(self.server, 6000)
        reference = lambda: [json.dumps(r) for r in bucket_records(self.server, "k*")]
        module = ("import json\n"
                  "def plain(r):\n"
                  "    value = sorted(r['value'].items()) if r['type'] == 'hash' else r['value']\n"
                  "    return json.dumps([r['key'], r['type'], value])\n"
                  "GB().map(plain).run('k*')\n")
        self.assertEqual(stable_run(self, module, reference), None)

    def test_a_table_bigger_than_the_keyspace_is_scanned_whole(self):
        # Deleting most keys leaves Redis' table large (it shrinks below 10% fill): the engine's
        # guess of its size from DBSIZE is too small and must correct itself.
        for start in range(0, 16000, 1000):
            self.call("MSET", *[x for i in range(start, start + 1000) for x in ("k%d" % i, i)])
        for start in range(4000, 16000, 1000):
            self.call("DEL", *["k%d" % i for i in range(start, start + 1000)])
        reference = lambda: [key for key in scan_order(self.server, "k*")]
        self.assertEqual(stable_run(self, "GB().map(lambda r: r['key']).run('k*')\n", reference), None)

    def test_a_user_who_may_not_run_scripts_gets_the_same_records(self):
        # The engine follows SCAN's buckets with a Lua script; where scripts are refused it
        # guesses the cursors from outside (scan.BucketScan) and must give the same records.
        seed(self.server, 3000)
        self.call("ACL", "SETUSER", "noscripts", "on", ">pw", "~*", "+@all", "-@scripting")
        try:
            url = self.server.url.replace("redis://", "redis://noscripts:pw@", 1)
            refused = support.Client(self.server.port)
            refused.call("AUTH", "noscripts", "pw")
            with self.assertRaisesRegex(RuntimeError, "NOPERM"):
                refused.call("EVAL", "return 1", "0")
            refused.close()
            reference = lambda: [json.dumps(r) for r in bucket_records(self.server, "k*")]
            module = ("import json\n"
                      "def plain(r):\n"
                      "    value = sorted(r['value'].items()) if r['type'] == 'hash' else r['value']\n"
                      "    return json.dumps([r['key'], r['type'], value])\n"
                      "GB().map(plain).run('k*')\n")
            for _ in range(20):
                before = reference()
                run = support.run_engine(url, module)
                self.assertEqual((run.code, run.errors), (0, []), run.stderr)
                if reference() == before:
                    self.assertEqual(run.results, before)
                    return
                time.sleep(0.1)
            self.fail("SCAN's order kept changing")
        finally:
            self.call("ACL", "DELUSER", "noscripts")

    def test_read_value_false_in_a_large_keyspace(self):
        seed(self.server, 3000)
        reference = lambda: scan_order(self.server, "k*")
        module = "GB().map(lambda r: r['key']).run('k*', readValue=False)\n"
        self.assertEqual(stable_run(self, module, reference), None)

    def test_gear_writes_are_seen_by_the_buckets_read_after_them(self):
        # The server reads a bucket when the execution needs it: a write made by the gear code
        # of the first record is seen by every later bucket, not by the first one.
        self.call("MSET", *[x for i in range(3000) for x in ("k%d" % i, "old")])
        module = ("def touch(r):\n"
                  "    if execute('GET', 'done') is None:\n"
                  "        execute('SET', 'done', '1')\n"
                  "        for i in range(3000):\n"
                  "            execute('SET', 'k%d' % i, 'new')\n"
                  "    return r['value']\n"
                  "GB().map(touch).run('k*')\n")

        def reference():
            first = self.call("SCAN", "0", "MATCH", "k*", "COUNT", "1")[1]
            return ["old"] * len(first) + ["new"] * (3000 - len(first))

        def prepare():
            self.call("MSET", *[x for i in range(3000) for x in ("k%d" % i, "old")])
            self.call("DEL", "done")
        self.assertEqual(stable_run(self, module, reference, prepare), None)

    def test_a_write_per_record_keeps_the_servers_order(self):
        seed(self.server, 1500)
        reference = lambda: scan_order(self.server, "k*")
        module = "GB().foreach(lambda r: execute('SET', 'last', r['key'])).map(lambda r: r['key']).run('k*')\n"
        self.assertEqual(stable_run(self, module, reference), None)

    def test_falsy_arg_means_default_arg(self):
        self.call("SET", "d:1", "1")
        self.call("SET", "e:1", "1")
        self.assertEqual(self.results_of("GB('KeysReader', 'd:*').map(lambda r: r['key']).run('')\n"), ["d:1"])

    def test_bad_no_scan_and_read_value(self):
        run = self.run_module("GB().run('x', noScan=1)\n")
        self.assertEqual(run.code, 1)
        self.assertIn("gears.error: exactMatch value is not boolean", run.one("script_error")["message"])
        run = self.run_module("GB().run('x', readValue='no')\n")
        self.assertIn("gears.error: readValue value is not boolean", run.one("script_error")["message"])

    def test_pattern_must_be_a_string(self):
        run = self.run_module("GB().run(5)\n")
        self.assertIn("gears.error: regex argument must be a string", run.one("script_error")["message"])


class KeysOnlyReaderRun(support.EngineTest):
    def test_key_names_in_scan_order(self):
        for i in range(30):
            self.call("SET", "k%d" % i, i)
        self.call("SET", "other", "x")
        expected, cursor = [], "0"
        while True:  # GearsBuilder.py's generator: SCAN ... COUNT 1000, in reply order
            cursor, keys = self.call("SCAN", cursor, "MATCH", "k*", "COUNT", "1000")
            expected += keys
            if cursor == "0":
                break
        self.assertEqual(self.results_of("GB('KeysOnlyReader').run('k*')\n"), expected)

    def test_no_scan_uses_exists(self):
        self.call("SET", "k1", "x")
        self.assertEqual(self.results_of("GB('KeysOnlyReader').run('k1', noScan=True)\n"), ["k1"])
        self.assertEqual(self.results_of("GB('KeysOnlyReader').run('k2', noScan=True)\n"), [])

    def test_bad_count_is_an_error_record(self):
        self.call("SET", "k1", "x")
        run = self.run_module("GB('KeysOnlyReader').run(count='noNumber')\n")
        self.assertEqual(run.results, [])
        self.assertEqual(len(run.errors), 1)
        self.assertIn("gears.error: ERR value is not an integer or out of range", run.errors[0])
        self.assertTrue(run.errors[0].startswith("['Traceback (most recent call last):\\n'"), run.errors[0])

    def test_mode_keyword_breaks_it_like_on_the_server(self):
        # run()'s keywords also go to createKeysOnlyReader, which has no `mode`
        run = self.run_module("GB('KeysOnlyReader').run('*', mode='async_local')\n")
        self.assertEqual(run.code, 1)
        self.assertIn("TypeError: createKeysOnlyReader() got an unexpected keyword argument 'mode'",
                      run.one("script_error")["message"])

    def test_delete_by_prefix(self):
        for key in ("delete_me:1", "delete_me:2", "delete_me:3", "keep:1", "delete_me"):
            self.call("SET", key, "v")
        module = ('import json\n'
                  'GB("KeysOnlyReader").foreach(lambda it: execute("DEL", it)).count()'
                  '.map(lambda it: json.dumps([it])).run("delete_me:*")\n')
        self.assertEqual(self.results_of(module), ["[3]"])
        self.assertEqual(sorted(self.call("KEYS", "*")), ["delete_me", "keep:1"])

    def test_register_is_not_supported(self):
        run = self.run_module("GB('KeysOnlyReader').register()\n")
        self.assertIn("gears.error: given reader does not exists or does not support register",
                      run.one("script_error")["message"])


class StreamReaderRun(support.EngineTest):
    def seed(self):
        self.call("XADD", "s", "1-0", "a", "1")
        self.call("XADD", "s", "2-0", "b", "2", "c", "3")
        self.call("XADD", "s", "3-0", "d", "4")

    def test_all_entries_in_order(self):
        self.seed()
        self.assertEqual(self.results_of("GB('StreamReader').run('s')\n"), [
            "{'key': 's', 'id': '1-0', 'value': {'a': '1'}}",
            "{'key': 's', 'id': '2-0', 'value': {'c': '3', 'b': '2'}}",
            "{'key': 's', 'id': '3-0', 'value': {'d': '4'}}",
        ])

    def test_from_id_is_exclusive(self):
        self.seed()
        self.assertEqual(self.results_of("GB('StreamReader').map(lambda r: r['id']).run('s', fromId='1-0')\n"),
                         ["2-0", "3-0"])

    def test_arg_is_one_exact_stream(self):
        self.seed()
        self.call("XADD", "s2", "1-0", "x", "y")
        self.assertEqual(self.results_of("GB('StreamReader').map(lambda r: r['key']).run('s*')\n"), [])

    def test_missing_stream_gives_nothing(self):
        self.assertEqual(self.results_of("GB('StreamReader').run('nostream')\n"), [])

    def test_bad_from_id_lands_in_errors(self):
        self.seed()
        run = self.run_module("GB('StreamReader').run('s', fromId='bad')\n")
        self.assertEqual((run.code, run.results, run.errors),
                         (0, [], ["ERR Invalid stream ID specified as stream command argument"]))

    def test_from_id_must_be_a_string(self):
        run = self.run_module("GB('StreamReader').run('s', fromId=1)\n")
        self.assertIn("gears.error: fromId argument must be a string", run.one("script_error")["message"])


class PythonReaderRun(support.EngineTest):
    def test_generator_function(self):
        module = "def gen():\n    for i in range(4):\n        yield i\nGB('PythonReader').run(gen)\n"
        self.assertEqual(self.results_of(module), ["0", "1", "2", "3"])

    def test_generated_style_with_async_local(self):
        module = ("def gen():\n    return ['a', 'b']\n"
                  "GB(\"PythonReader\").run(lambda: (x for x in gen()), mode=\"async_local\")\n")
        self.assertEqual(self.results_of(module), ["a", "b"])

    def test_reader_function_is_required(self):
        for call in ("run()", "run('x')", "run(len)"):
            run = self.run_module("GB('PythonReader').%s\n" % call)
            self.assertIn("gears.error: pyreader argument must be a function", run.one("script_error")["message"])

    def test_a_non_generator_return_is_reported(self):
        run = self.run_module("GB('PythonReader').run(lambda: [1, 2])\n")
        self.assertEqual(run.results, [])
        self.assertEqual(len(run.errors), 1)
        self.assertIn("not a generator", run.errors[0])

    def test_a_raising_generator_stops_reading(self):
        module = ("def gen():\n"
                  "    yield 1\n"
                  "    raise ValueError('boom')\n"
                  "GB('PythonReader').run(gen)\n")
        run = self.run_module(module)
        self.assertEqual(run.results, ["1"])
        self.assertEqual(run.errors, ["['Traceback (most recent call last):\\n', "
                                      "'  File \"<string>\", line 3, in gen\\n', 'ValueError: boom\\n']"])


class OtherReaders(support.EngineTest):
    def test_shards_id_reader(self):
        self.assertEqual(self.results_of("GB('ShardsIDReader').run()\n"), ["1"])

    def test_command_reader_cannot_run(self):
        run = self.run_module("GB('CommandReader').run()\n")
        self.assertEqual(run.code, 1)
        self.assertIn("gears.error: Given reader do not support run or not exists", run.one("script_error")["message"])

    def test_unknown_reader(self):
        run = self.run_module("GB('NoSuchReader').run()\n")
        self.assertEqual(run.code, 1)
        self.assertEqual(run.one("script_error")["message"],
                         "['Traceback (most recent call last):\\n', '  File \"<string>\", line 1, in <module>\\n', "
                         "'  File \"<string>\", line 84, in __init__\\n', "
                         "'gears.error: The given reader does not exists\\n']")

    def test_reader_must_be_a_string(self):
        run = self.run_module("GB(1)\n")
        self.assertIn("gears.error: reader argument must be a string", run.one("script_error")["message"])

    def test_desc_must_be_a_string(self):
        run = self.run_module("GB('KeysReader', '*', 5)\n")
        self.assertIn("gears.error: desc argument must be a string", run.one("script_error")["message"])
