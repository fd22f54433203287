"""Errors: in callbacks during a run (reference section 6), and at script level."""

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


def traceback_text(*lines):
    """The repr of a list of traceback lines, as RedisGears stores an error."""
    return str(["Traceback (most recent call last):\n"] + list(lines))


class CallbackErrors(support.EngineTest):
    def test_zero_division_in_map(self):
        module = ("def data():\n"
                  "    yield 5\n"
                  "    yield 0\n"
                  "GB('PythonReader')\\\n"
                  "    .map(lambda x: 10 / x)\\\n"
                  "    .run(data)\n")
        run = self.run_module(module)
        self.assertEqual(run.code, 0)
        self.assertEqual(run.results, ["2.0"])
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 5, in <lambda>\n',
                                                     "ZeroDivisionError: division by zero\n")])

    def test_frames_of_gear_functions_are_kept(self):
        module = ("def helper(x):\n"
                  "    return int(x)\n"
                  "GB('PythonReader').map(lambda x: helper(x)).run(lambda: (x for x in ['z']))\n")
        run = self.run_module(module)
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 3, in <lambda>\n',
                                                     '  File "<string>", line 2, in helper\n',
                                                     "ValueError: invalid literal for int() with base 10: 'z'\n")])

    def test_the_first_error_in_the_reply_stops_the_reader(self):
        # C: the READER step of ExecutionPlan_NextRecord reads only while the execution has no
        # error yet, so records after the first failing one are never read.
        module = ("def data():\n"
                  "    for x in [1, 0, 2, 0, 4]:\n"
                  "        execute('RPUSH', 'read', x)\n"
                  "        yield x\n"
                  "GB('PythonReader').map(lambda x: 12 // x).run(data)\n")
        run = self.run_module(module)
        self.assertEqual(run.results, ["12"])
        self.assertEqual(len(run.errors), 1)
        self.assertIn("ZeroDivisionError", run.errors[0])
        self.assertEqual(self.call("LRANGE", "read", "0", "-1"), ["1", "0"])

    def test_an_error_restarts_the_accumulator_from_none(self):
        # flatmap's pending records still flow after the error: 4, 0 (fails), then 2 and 1
        module = ("GB('PythonReader').flatmap(lambda x: [1, 2, 0, 4])"
                  ".accumulate(lambda a, r: (0 if a is None else a) + 12 // r)"
                  ".run(lambda: (x for x in [0]))\n")
        run = self.run_module(module)
        self.assertEqual(run.results, ["18"])  # 6 + 12; the 3 of the first record is discarded
        self.assertEqual(len(run.errors), 1)

    def test_an_error_restarts_a_group_from_none(self):
        module = ("GB('PythonReader').flatmap(lambda x: [1, 2, 0, 4])"
                  ".localgroupby(lambda r: 'k', lambda k, a, r: (0 if a is None else a) + 12 // r)"
                  ".run(lambda: (x for x in [0]))\n")
        run = self.run_module(module)
        self.assertEqual(run.results, ["{'key': 'k', 'value': 18}"])
        self.assertEqual(len(run.errors), 1)

    def test_extractor_error(self):
        run = self.run_module("GB('PythonReader').groupby(lambda r: r['x'], lambda k, a, r: r)"
                              ".run(lambda: (x for x in [{}]))\n")
        self.assertEqual(run.results, [])
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 1, in <lambda>\n', "KeyError: 'x'\n")])

    def test_filter_and_foreach_errors_drop_the_record(self):
        for op in ("filter", "foreach", "flatmap"):
            run = self.run_module("GB('PythonReader').%s(lambda r: 1 / r).run(lambda: (x for x in [0]))\n" % op)
            self.assertEqual(run.results, [], op)
            self.assertEqual(len(run.errors), 1, op)

    def test_a_callback_with_the_wrong_arity_has_no_traceback(self):
        run = self.run_module("GB('PythonReader').map(lambda a, b: a).run(lambda: (x for x in [1]))\n")
        self.assertEqual(run.errors, ["Error type: <class 'TypeError'>, Value: <lambda>() missing 1 required "
                                      "positional argument: 'b'"])

    def test_flat_error_is_the_message_alone(self):
        run = self.run_module("GB('PythonReader').map(lambda r: flat_error('just this')).run(lambda: (x for x in [1]))\n")
        self.assertEqual(run.errors, ["just this"])

    def test_execute_errors_are_gears_errors(self):
        self.call("SET", "s", "abc")
        run = self.run_module("GB('PythonReader').map(lambda r: execute('INCR', 's')).run(lambda: (x for x in [1]))\n")
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 1, in <lambda>\n',
                                                     # the CRLF is the server's (measured on 1.2.13)
                                                     "gears.error: ERR value is not an integer or out of range\r\n\n")])

    def test_gearsbuilder_frames_are_those_of_the_server(self):
        # measured on RedisGears 1.2.13: GearsBuilder.py runs as "<string>" too, so its
        # frames (at its own line numbers) are part of the error texts
        run = self.run_module("GB('PythonReader').aggregate(0, lambda a, r: a / r, lambda a, r: a)"
                              ".run(lambda: (x for x in [0]))\n")
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 98, in <lambda>\n',
                                                     '  File "<string>", line 1, in <lambda>\n',
                                                     "ZeroDivisionError: division by zero\n")])
        run = self.run_module("GB('PythonReader').distinct().run(lambda: (x for x in [[1]]))\n")
        self.assertEqual(run.errors, [traceback_text('  File "<string>", line 98, in <lambda>\n',
                                                     '  File "<string>", line 145, in <lambda>\n',
                                                     "TypeError: unhashable type: 'list'\n")])

    def test_errors_of_sugar_ops_keep_a_traceback(self):
        # the server runs GearsBuilder.py's Python here, so there is always a traceback
        run = self.run_module("GB('PythonReader').avg().run(lambda: (x for x in ['x']))\n")
        self.assertEqual(len(run.errors), 1)
        self.assertTrue(run.errors[0].startswith("['Traceback (most recent call last):\\n'"), run.errors[0])
        self.assertIn("ValueError: could not convert string to float: 'x'", run.errors[0])


class ScriptErrors(support.EngineTest):
    def script_error(self, module):
        run = self.run_module(module)
        self.assertEqual(run.code, 1, run.stdout + run.stderr)
        self.assertEqual(len(run.events), 1, run.events)
        return run.one("script_error")["message"]

    def test_syntax_error(self):
        self.assertEqual(self.script_error("x = 1\nx = = 1\n"),
                         "Error type: <class 'SyntaxError'>, Value: invalid syntax (<string>, line 2)")

    def test_top_level_exception(self):
        self.assertEqual(self.script_error("import json\n\nraise ValueError('no')\n"),
                         traceback_text('  File "<string>", line 3, in <module>\n', "ValueError: no\n"))

    def test_gearsbuilder_frames_are_those_of_the_server(self):
        # measured on RedisGears 1.2.13: the frames of GearsBuilder.py's methods that call C
        self.assertEqual(self.script_error("GB().avg(1)\n"),
                         traceback_text('  File "<string>", line 1, in <module>\n',
                                        '  File "<string>", line 155, in avg\n',
                                        '  File "<string>", line 187, in deco\n',
                                        "gears.error: map argument must be a function\n"))
        self.assertEqual(self.script_error("GB().register(mode='x')\n"),
                         traceback_text('  File "<string>", line 1, in <module>\n',
                                        '  File "<string>", line 183, in register\n',
                                        "gears.error: unknown execution mode\n"))
        self.assertEqual(self.script_error("GB().map(f=1)\n"),  # refused before deco runs
                         traceback_text('  File "<string>", line 1, in <module>\n',
                                        "TypeError: deco() got an unexpected keyword argument 'f'\n"))

    def test_second_run(self):
        self.assertEqual(self.script_error("GB().run()\nGB().run()\n"),
                         traceback_text('  File "<string>", line 2, in <module>\n',
                                        '  File "<string>", line 172, in run\n',  # GearsBuilder.py's
                                        "gears.error: Can not run more then 1 executions in a single script\n"))

    def test_error_after_run_drops_the_execution(self):
        self.call("SET", "x", "1")
        self.assertIn("NameError", self.script_error("GB().foreach(lambda r: execute('DEL', 'x')).run()\nundefined_name\n"))
        self.assertEqual(self.call("EXISTS", "x"), 1)

    def test_run_modes(self):
        self.assertIn("gears.error: unknown execution mode", self.script_error("GB().run(mode='sync')\n"))
        self.assertIn("gears.error: execution mode must be a string", self.script_error("GB().run(mode=1)\n"))
        run = self.run_module("GB().run(mode='async_local')\n")
        self.assertEqual((run.code, run.results), (0, []))

    def test_top_level_execute_error(self):
        self.call("SET", "s", "abc")
        self.assertIn("gears.error: ERR value is not an integer or out of range",
                      self.script_error("execute('INCR', 's')\n"))

    def test_register_validation(self):
        cases = [
            ("GB().register(mode='x')", "unknown execution mode"),
            ("GB().register(mode=2)", "execution mode must be a string"),
            ("GB().register(prefix=1)", "regex argument must be a string"),
            ("GB().register(eventTypes=1)", "given eventTypes is not iterable"),
            ("GB().register(eventTypes=[1])", "given event type is not string"),
            ("GB().register(keyTypes=['foo'])", "unknown key type"),
            ("GB().register(keyTypes=[1])", "given key type is not string"),
            ("GB().register(readValue=1)", "readValue is not boolean"),
            ("GB().register(commands=5)", "given commands is not iterable"),
            ("GB().register(onRegistered=print)", "OnRegistered argument must be a function"),
            ("GB('StreamReader').register(onFailedPolicy='x')", "onFailedPolicy must be Continue/Abort/Retry"),
            ("GB('StreamReader').register(onFailedPolicy=1)", "onFailedPolicy must be a string (Continue/Abort/Retry)"),
            ("GB('StreamReader').register(onFailedPolicy='abort', mode='sync')",
             "ExecutionMode sync can only be combined with OnFailedPolicy Continue"),
            ("GB('StreamReader').register(batch='x')", "batch argument must be a number"),
            ("GB('StreamReader').register(duration='x')", "duration argument must be a number"),
            ("GB('StreamReader').register(onFailedRetryInterval='x')", "retryInterval argument must be a number"),
            ("GB('StreamReader').register(trimStream='x')", "pyTrimmStream argument must be a boolean"),
            ("GB('CommandReader').register()", "no trigger or hook argument was given"),
            ("GB('CommandReader').register(trigger=1)", "trigger argument is not string"),
            ("GB('CommandReader').register(trigger='t', hook='set')",
             "trigger argument can not be given with keyprefix or hook"),
            ("GB('PythonReader').register()", "given reader does not exists or does not support register"),
            ("GB('ShardsIDReader').register()", "given reader does not exists or does not support register"),
        ]
        for module, message in cases:
            self.assertIn("gears.error: " + message, self.script_error(module + "\n"), module)

    def test_register_accepts_good_arguments(self):
        module = ("GB().register(prefix='p:*', eventTypes=['set'], keyTypes=['string', 'hash'], readValue=True, "
                  "mode='sync')\n"
                  "GB('StreamReader').register(prefix='s', batch=10, duration=5, onFailedPolicy='Retry', "
                  "onFailedRetryInterval=2, trimStream=False)\n")
        run = self.run_module(module)
        self.assertEqual(run.code, 0, run.stdout)
        self.assertEqual([e["reader"] for e in run.of("registered")], ["KeysReader", "StreamReader"])
