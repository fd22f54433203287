"""Operations (reference section 2), with their quirks, over PythonReader data."""

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


def over(values, ops, run_kw=""):
    """A module reading `values` through `ops`."""
    return ("def data():\n    for v in %r:\n        yield v\n"
            "GB('PythonReader')%s.run(data%s)\n" % (list(values), ops, run_kw))


class CBackedOps(support.EngineTest):
    def test_map_filter_foreach(self):
        self.assertEqual(self.results_of(over([1, 2, 3, 4], ".map(lambda x: x * 10).filter(lambda x: x > 15)"
                                                            ".foreach(lambda x: x + 1000)")),
                         ["20", "30", "40"])

    def test_foreach_passes_the_record_on(self):
        module = over(["a", "b"], ".foreach(lambda x: execute('RPUSH', 'seen', x))")
        self.assertEqual(self.results_of(module), ["a", "b"])
        self.assertEqual(self.call("LRANGE", "seen", "0", "-1"), ["a", "b"])

    def test_flatmap_emits_a_list_last_element_first(self):
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: [1, 2, 3, 4])")), ["4", "3", "2", "1"])
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: [1, 2, 3, 4]).limit(1)")), ["4"])

    def test_flatmap_non_lists_are_one_record(self):
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: (1, 2))")), ["(1, 2)"])
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: 'abc')")), ["abc"])
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: {1: 2})")), ["{1: 2}"])
        self.assertEqual(self.results_of(over([0], ".flatmap(lambda x: [])")), [])

    def test_limit_and_offset(self):
        self.assertEqual(self.results_of(over(range(10), ".limit(3)")), ["0", "1", "2"])
        self.assertEqual(self.results_of(over(range(10), ".limit(3, 4)")), ["4", "5", "6"])
        self.assertEqual(self.results_of(over(range(10), ".limit(30, 8)")), ["8", "9"])

    def test_limit_pulls_one_record_more_than_it_passes(self):
        module = over(range(10), ".foreach(lambda x: execute('RPUSH', 'pulled', x)).limit(2)")
        self.assertEqual(self.results_of(module), ["0", "1"])
        self.assertEqual(self.call("LRANGE", "pulled", "0", "-1"), ["0", "1", "2"])

    def test_limit_needs_ints(self):
        run = self.run_module(over([1], ".limit('2')"))
        self.assertIn("gears.error: limit argument must be a number", run.one("script_error")["message"])
        run = self.run_module(over([1], ".limit()"))
        self.assertIn("gears.error: wrong number of args to limit function", run.one("script_error")["message"])

    def test_accumulate_starts_from_none(self):
        self.assertEqual(self.results_of(over([1, 2, 3], ".accumulate(lambda a, r: [a, r] if a is None else a + [r])")),
                         ["[None, 1, 2, 3]"])

    def test_accumulate_of_nothing_gives_no_record(self):
        self.assertEqual(self.results_of(over([], ".accumulate(lambda a, r: (a or 0) + r)")), [])

    def test_accumulate_may_hold_none(self):
        self.assertEqual(self.results_of(over([1], ".accumulate(lambda a, r: None)")), ["None"])

    def test_localgroupby_and_groupby_records(self):
        ops = ".%s(lambda x: x[0], lambda k, a, r: (0 if a is None else a) + len(r))"
        for op in ("localgroupby", "groupby"):
            got = self.results_of(over(["ab", "abc", "b"], ops % op))
            self.assertEqual(sorted(got), ["{'key': 'a', 'value': 5}", "{'key': 'b', 'value': 1}"])

    def test_group_keys_are_strings(self):
        got = self.results_of(over(["a", "bb", "cc"], ".groupby(lambda x: len(x), lambda k, a, r: (a or 0) + 1)"
                                                     ".map(lambda r: (type(r['key']).__name__, r['key'], r['value']))"))
        self.assertEqual(sorted(got), ["('str', '1', 1)", "('str', '2', 2)"])
        got = self.results_of(over(["a"], ".groupby(lambda x: (x, 1), lambda k, a, r: k).map(lambda r: r['key'])"))
        self.assertEqual(got, ["('a', 1)"])

    def test_batchgroupby_groups_leave_in_reverse_order_of_first_record(self):
        got = self.results_of(over(["a1", "b1", "a2", "c1"], ".batchgroupby(lambda x: x[0], lambda k, rs: rs)"))
        self.assertEqual(got, ["{'key': 'c', 'value': ['c1']}", "{'key': 'b', 'value': ['b1']}",
                               "{'key': 'a', 'value': ['a1', 'a2']}"])

    def test_batchgroupby_does_not_check_its_reducer(self):
        # The C code checks the extractor twice: a builtin reducer is accepted and works ...
        self.assertEqual(self.results_of(over(["a1", "a2"], ".batchgroupby(lambda x: x[0], slice)")),
                         ["{'key': 'a', 'value': slice('a', ['a1', 'a2'], None)}"])
        # ... and a non-callable fails at run time, without a Python frame
        run = self.run_module(over(["a1"], ".batchgroupby(lambda x: x[0], 5)"))
        self.assertEqual(run.code, 0)
        self.assertEqual(run.errors, ["Error type: <class 'TypeError'>, Value: 'int' object is not callable"])

    def test_repartition_and_collect_keep_the_order(self):
        self.assertEqual(self.results_of(over([3, 1, 2], ".repartition(lambda x: str(x)).collect()")),
                         ["3", "1", "2"])

    def test_builtins_and_methods_are_not_functions(self):
        for op, arg in (("map", "str"), ("filter", "bool"), ("foreach", "print"), ("flatmap", "list"),
                        ("map", "functools.partial(max, 1)"), ("map", "'abc'.upper"),
                        ("accumulate", "max"), ("repartition", "str")):
            run = self.run_module("import functools\nGB().%s(%s)\n" % (op, arg))
            self.assertEqual(run.code, 1, (op, arg))
            self.assertIn("gears.error: %s argument must be a function" % op, run.one("script_error")["message"])
        run = self.run_module("GB().groupby(str, lambda k, a, r: a)\n")
        self.assertIn("gears.error: groupby extractor argument must be a function", run.one("script_error")["message"])
        run = self.run_module("GB().localgroupby(lambda r: r, max)\n")
        self.assertIn("gears.error: groupby reducer argument must be a function", run.one("script_error")["message"])

    def test_keyword_arguments_are_refused(self):
        run = self.run_module("GB().map(f=lambda x: x)\n")
        self.assertEqual(run.one("script_error")["message"],
                         "['Traceback (most recent call last):\\n', '  File \"<string>\", line 1, in <module>\\n', "
                         "\"TypeError: deco() got an unexpected keyword argument 'f'\\n\"]")

    def test_argument_counts(self):
        for call, name in (("map()", "map"), ("map(lambda x: x, lambda x: x)", "map"),
                           ("groupby(lambda x: x)", "groupby"), ("batchgroupby(lambda x: x)", "batchgroupby"),
                           ("collect(1)", "collect"), ("accumulate()", "accumulate")):
            run = self.run_module("GB().%s\n" % call)
            self.assertIn("gears.error: wrong number of args to %s function" % name, run.one("script_error")["message"])


class SugarOps(support.EngineTest):
    def test_aggregate_sum(self):
        self.assertEqual(self.results_of(over([1, 2, 3], ".aggregate(0, lambda a, r: a + r, lambda a, r: a + r)")),
                         ["6"])

    def test_aggregate_accepts_builtins(self):
        self.assertEqual(self.results_of("import operator\n" + over([1, 2, 3], ".aggregate(0, operator.add, operator.add)")),
                         ["6"])

    def test_aggregate_of_nothing_gives_no_record(self):
        self.assertEqual(self.results_of(over([], ".aggregate(0, lambda a, r: a + r, lambda a, r: a + r)")), [])

    def test_falsy_zero_quirk(self):
        # `a if a else deepcopy(zero)`: once the product hits 0 the zero (1) comes back,
        # so 2 * 0 * 5 gives 5 on a RedisGears server, not 0.
        self.assertEqual(self.results_of(over([2, 0, 5], ".aggregate(1, lambda a, r: a * r, lambda a, r: a * r)")),
                         ["5"])

    def test_aggregate_zero_is_copied(self):
        self.assertEqual(self.results_of(over([1, 2], ".aggregate([], lambda a, r: a + [r], lambda a, r: a + r)")),
                         ["[1, 2]"])

    def test_aggregateby(self):
        got = self.results_of(over(["a", "b", "a"], ".aggregateby(lambda x: x, 0, lambda k, a, r: a + 1, "
                                                    "lambda k, a, r: a + r)"))
        self.assertEqual(sorted(got), ["{'key': 'a', 'value': 2}", "{'key': 'b', 'value': 1}"])

    def test_count(self):
        self.assertEqual(self.results_of(over("abc", ".count()")), ["3"])
        self.assertEqual(self.results_of(over([], ".count()")), [])

    def test_countby_keys_are_strings(self):
        got = self.results_of(over(["a", "bb", "cc"], ".countby(lambda r: len(r))"))
        self.assertEqual(sorted(got), ["{'key': '1', 'value': 1}", "{'key': '2', 'value': 2}"])
        self.assertEqual(sorted(self.results_of(over(["x", "y", "x"], ".countby()"))),
                         ["{'key': 'x', 'value': 2}", "{'key': 'y', 'value': 1}"])

    def test_countby_accepts_a_builtin(self):
        self.assertEqual(sorted(self.results_of(over(["a", "bb"], ".countby(len)"))),
                         ["{'key': '1', 'value': 1}", "{'key': '2', 'value': 1}"])

    def test_sort_default_is_ascending_in_the_reply(self):
        # sort(reverse=True) sorts descending, then flatmap emits the list last element first
        self.assertEqual(self.results_of(over([3, 1, 2], ".sort()")), ["1", "2", "3"])
        self.assertEqual(self.results_of(over([3, 1, 2], ".sort(reverse=True)")), ["1", "2", "3"])
        self.assertEqual(self.results_of(over([3, 1, 2], ".sort(reverse=False)")), ["3", "2", "1"])

    def test_distinct(self):
        self.assertEqual(sorted(self.results_of(over(["a", "b", "a", "c", "b"], ".distinct()"))), ["a", "b", "c"])

    def test_distinct_of_dicts_fails(self):
        run = self.run_module(over([{"a": 1}], ".distinct()"))
        self.assertEqual(run.results, [])
        self.assertIn("TypeError: unhashable type: 'dict'", run.errors[0])

    def test_avg(self):
        self.assertEqual(self.results_of(over(["1", "2", "3", "4"], ".avg()")), ["2.5"])
        self.assertEqual(self.results_of(over([{"n": 2}, {"n": 4}], ".avg(lambda r: r['n'])")), ["3.0"])
        self.assertEqual(self.results_of(over([], ".avg()")), [])

    def test_avg_extractor_goes_through_map(self):
        run = self.run_module(over([1], ".avg(float)"))
        self.assertIn("gears.error: map argument must be a function", run.one("script_error")["message"])


class ReplyConversion(support.EngineTest):
    VALUES = [7, -5, "-5", "+OK", 2.5, [1, "x", [2.0]], {"a": 1}, None, (1, 2), True, "-", "plain"]

    def test_convert_to_str_false(self):
        run = self.run_module(over(self.VALUES, "", ", convertToStr=False"))
        self.assertEqual(run.results, [7, -5, {"error": "5"}, "OK", "2.500000", [1, "x", ["2.000000"]],
                                       "PY RECORD", "PY RECORD", "PY RECORD", 1, "-", "plain"])

    def test_default_convert_to_str(self):
        run = self.run_module(over(self.VALUES, ""))
        self.assertEqual(run.results, ["7", {"error": "5"}, {"error": "5"}, "OK", "2.5", "[1, 'x', [2.0]]",
                                       "{'a': 1}", "None", "(1, 2)", "True", "-", "plain"])

    def test_generated_style_json_records(self):
        run = self.run_module("import json\n" + over([-5, 1337], ".map(lambda it: json.dumps([it], default=str))"))
        self.assertEqual(run.results, ["[-5]", "[1337]"])


class GeneratedModules(support.EngineTest):
    FIGHTERS = '''# gearc 0.1.0: generated from fighters.gear; do not edit.
import json

(
    GB("KeysReader")  # fighters.gear:2:1
    .map(lambda it: int(it["value"]))  # fighters.gear:2:21
    .accumulate(lambda acc, it: (0 if acc is None else acc) + it)  # fighters.gear:2:40
    .collect()  # fighters.gear:2:40
    .accumulate(lambda acc, it: (0 if acc is None else acc) + it)  # fighters.gear:2:40
    .map(lambda it: json.dumps([it], default=str))  # fighters.gear:2:60
    .run("*-fighter")  # fighters.gear:2:60
)
'''

    def test_fighters(self):
        for key, value in (("Foo-fighter", "2021"), ("Bar-fighter", "63"), ("Baz-fighter", "-747"),
                           ("not-a-fight", "5")):
            self.call("SET", key, value)
        run = self.run_module(self.FIGHTERS)
        self.assertEqual((run.code, run.results, run.errors), (0, ["[1337]"], []))

    def test_fighters_on_an_empty_keyspace(self):
        run = self.run_module(self.FIGHTERS)
        self.assertEqual((run.code, run.results, run.errors), (0, [], []))


class GeneratorRecords(support.EngineTest):
    def test_a_generator_returned_by_map_is_a_record_not_a_coroutine(self):
        module = ("import types\n" + over([1], ".map(lambda x: (i for i in [x])).map(lambda g: isinstance(g, types.GeneratorType))"))
        self.assertEqual(self.results_of(module), ["True"])
