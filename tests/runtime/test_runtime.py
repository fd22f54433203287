"""The functions gear code calls (reference section 5): execute, log, config, atomic, ..."""

import json

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


def once(expression):
    """A module whose one result is json of `expression`, evaluated inside an execution."""
    return ("import json\n"
            "GB('ShardsIDReader').map(lambda _: json.dumps(%s)).run()\n" % expression)


class Execute(support.EngineTest):
    def value(self, expression):
        results = self.results_of(once(expression))
        self.assertEqual(len(results), 1)
        return json.loads(results[0])

    def test_reply_decoding(self):
        self.call("HSET", "h", "a", "1", "b", "2")
        self.call("XADD", "s", "1-0", "f", "v")
        self.assertEqual(self.value("execute('SET', 'k', 'v')"), "OK")
        self.assertEqual(self.value("execute('GET', 'k')"), "v")
        self.assertEqual(self.value("execute('GET', 'missing')"), None)
        self.assertEqual(self.value("execute('INCRBY', 'n', 5)"), 5)
        self.assertEqual(self.value("execute('HGETALL', 'h')"), ["a", "1", "b", "2"])
        self.assertEqual(self.value("execute('XRANGE', 's', '-', '+')"), [["1-0", ["f", "v"]]])

    def test_raw_bytes_in_and_bytearray_out(self):
        results = self.results_of("GB('ShardsIDReader').map(lambda _: (execute('SET', 'b', b'\\xff\\x00'), "
                                  "execute('GET', 'b'))).run()\n")
        self.assertEqual(results, ["('OK', bytearray(b'\\xff\\x00'))"])
        self.assertEqual(self.call("STRLEN", "b"), 2)

    def test_arguments_are_str_ed(self):
        self.assertEqual(self.value("[execute('SET', 'k', 1.5), execute('GET', 'k'), execute('SET', 'k', None), "
                                    "execute('GET', 'k')]"), ["OK", "1.5", "OK", "None"])

    def test_error_reply_raises_gears_error(self):
        self.call("SET", "s", "abc")
        # `redisgears` is a global of every script (GearsBuilder.py imports it); the error
        # text keeps the reply's CRLF, as on a RedisGears 1.2.13 server
        module = ("def f(_):\n"
                  "    try:\n"
                  "        execute('INCR', 's')\n"
                  "    except redisgears.GearsError as e:\n"
                  "        return '%s.%s: %s' % (type(e).__module__, type(e).__name__, e)\n"
                  "GB('ShardsIDReader').map(f).run()\n")
        self.assertEqual(self.results_of(module), ["gears.error: ERR value is not an integer or out of range\r\n"])

    def test_there_is_no_gears_module_to_import(self):
        run = self.run_module("import gears\n")
        self.assertIn("ModuleNotFoundError: No module named 'gears'", run.one("script_error")["message"])
        self.assertEqual(self.results_of("GB('ShardsIDReader').map(lambda _: repr(GearsBuilder)).run()\n"),
                         ["<class 'not_main.GearsBuilder'>"])

    def test_unknown_command_and_wrong_arity_fail_like_rm_call(self):
        # RedisModule_Call refuses them before running: errno ENOENT / EINVAL as text
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('NOSUCHCMD', 'x')).run()\n")
        self.assertTrue(run.errors[0].endswith("'gears.error: No such file or directory\\n']"), run.errors)
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('GET')).run()\n")
        self.assertTrue(run.errors[0].endswith("'gears.error: Invalid argument\\n']"), run.errors)
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('CONFIG', 'NOPE')).run()\n")
        self.assertTrue(run.errors[0].endswith("'gears.error: No such file or directory\\n']"), run.errors)

    def test_command_must_be_a_string(self):
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute(b'GET', 'k')).run()\n")
        self.assertIn("gears.error: the given command must be a string", run.errors[0])

    def test_no_arguments_give_an_empty_list(self):
        self.assertEqual(self.value("execute()"), [])


class Functions(support.EngineTest):
    def test_hashtag(self):
        self.assertEqual(self.results_of("GB('ShardsIDReader').map(lambda _: hashtag()).run()\n"), ["06S"])

    def test_config_get(self):
        module = "GB('ShardsIDReader').map(lambda _: (configGet('foo'), configGet('bar'), gearsConfigGet('bar', 'dflt'))).run()\n"
        run = self.run_module(module, env={"GEARC_CONFIG_foo": "on"})
        self.assertEqual(run.results, ["('on', None, 'dflt')"])

    def test_log_goes_to_stderr(self):
        run = self.run_module("log('hello')\nlog('careful', level='warning')\nprint('printed')\n"
                              "GB('ShardsIDReader').foreach(lambda _: log('inside')).run()\n")
        self.assertEqual(run.code, 0)
        self.assertIn("[notice] GEARS: hello\n", run.stderr)
        self.assertIn("[warning] GEARS: careful\n", run.stderr)
        self.assertIn("[notice] GEARS: inside\n", run.stderr)
        self.assertIn("printed\n", run.stderr)
        self.assertEqual([e["kind"] for e in run.events], ["result"])  # nothing else on stdout

    def test_log_checks_its_arguments(self):
        run = self.run_module("log(1)\n")
        self.assertIn("gears.error: Log message must be a string", run.one("script_error")["message"])
        run = self.run_module("log('x', level='loud')\n")
        self.assertIn("gears.error: Log level should be one of the following : debug,verbose,notice,warning",
                      run.one("script_error")["message"])

    def test_atomic(self):
        self.assertEqual(self.results_of("def f(_):\n    with atomic():\n        return execute('PING')\n"
                                         "GB('ShardsIDReader').map(f).run()\n"), ["PONG"])
        run = self.run_module("with atomic():\n    with atomic():\n        pass\n")
        self.assertIn("gears.error: Already inside an atomic block", run.one("script_error")["message"])

    def test_module_state_is_shared_by_callbacks(self):
        module = ("seen = []\n"
                  "GB('PythonReader').foreach(lambda x: seen.append(x)).map(lambda x: len(seen))"
                  ".run(lambda: (x for x in 'abc'))\n")
        self.assertEqual(self.results_of(module), ["1", "2", "3"])

    def test_module_name_is_not_main(self):
        self.assertEqual(self.results_of("GB('ShardsIDReader').map(lambda _: __name__).run()\n"), ["not_main"])

    def test_unsupported_functions_say_so(self):
        run = self.run_module("registerTE(1, lambda: None)\n")
        self.assertIn("not supported by gearc's local engine", run.one("script_error")["message"])

    def test_async_callbacks_are_awaited(self):
        module = ("async def double(x):\n    return x * 2\n"
                  "GB('PythonReader').map(double).run(lambda: (x for x in [1, 2]))\n")
        self.assertEqual(self.results_of(module), ["2", "4"])

    def test_on_registered_runs_once_at_registration(self):
        module = ("def ready():\n    execute('INCR', 'ready')\n"
                  "GB().register(prefix='x:*', onRegistered=ready)\n")
        run = self.run_module(module)
        self.assertEqual(run.code, 0)
        self.assertEqual(self.call("GET", "ready"), "1")
        reg = run.one("registered")
        self.assertEqual(reg["reader"], "KeysReader")
        self.assertEqual(reg["id"], "0" * 40 + "-1")
        self.assertEqual(reg["args"]["prefix"], "x:*")
        self.assertTrue(reg["args"]["onRegistered"].startswith("<function ready"))

    def test_on_registered_errors_are_only_logged(self):
        run = self.run_module("GB().register(onRegistered=lambda: 1 / 0)\n")
        self.assertEqual(run.code, 0)
        self.assertIn("Error occured on RedisGearsPy_OnRegistered", run.stderr)


class ConnectionState(support.EngineTest):
    def test_transactions_and_select_have_no_lasting_effect(self):
        # each RedisModule_Call runs on a fresh temporary client
        module = ("def f(_):\n"
                  "    out = [execute('MULTI'), execute('SELECT', '5'), execute('SET', 'k', 'v')]\n"
                  "    try:\n"
                  "        execute('EXEC')\n"
                  "    except Exception as e:\n"
                  "        out.append(str(e))\n"
                  "    return out\n"
                  "GB('ShardsIDReader').map(f).run()\n")
        self.assertEqual(self.results_of(module), ["['OK', 'OK', 'OK', 'ERR EXEC without MULTI\\r\\n']"])
        self.assertEqual(self.call("GET", "k"), "v")  # written at once, in database 0

    def test_commands_denied_to_modules_are_refused_in_redis_words(self):
        # measured on RedisGears 1.2.13 with Redis 7.0
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('SUBSCRIBE', 'c')).run()\n")
        # an error is the repr of the traceback's lines
        self.assertIn(r"gears.error: ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n\n", run.errors[0])
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('monitor')).run()\n")
        self.assertIn(r"gears.error: ERR MONITOR isn't allowed for DENY BLOCKING client\r\n\n", run.errors[0])

    def test_commands_that_would_take_the_connection_are_refused(self):
        run = self.run_module("GB('ShardsIDReader').map(lambda _: execute('RESET')).run()\n")
        self.assertIn("RESET is not supported by gearc's local engine", run.errors[0])


class Blocking(support.EngineTest):
    def test_blocking_commands_do_not_block(self):
        # RedisModule_Call's client may not block: BLPOP answers at once
        self.assertEqual(self.results_of("GB('ShardsIDReader').map(lambda _: execute('BLPOP', 'nolist', 0)).run()\n"),
                         ["None"])
        self.call("RPUSH", "l", "x")
        self.assertEqual(self.results_of("GB('ShardsIDReader').map(lambda _: execute('BLPOP', 'l', 0)).run()\n"),
                         ["['l', 'x']"])


class RedisGearsCommands(support.EngineTest):
    """execute('RG.…') answered as a single-shard RedisGears 1.2.13 answers it inside a gear
    (each reply below measured on one)."""

    def outcome(self, *args):
        """["ok", reply] or ["error", text] of execute(*args) inside an execution."""
        module = ("import json\n"
                  "def probe(_):\n"
                  "    try:\n"
                  "        return json.dumps(['ok', execute(*%r)])\n"
                  "    except Exception as e:\n"
                  "        return json.dumps(['error', str(e)])\n"
                  "GB('ShardsIDReader').map(probe).run()\n" % (args,))
        results = self.results_of(module)
        self.assertEqual(len(results), 1)
        return json.loads(results[0])

    def test_cluster_questions(self):
        self.assertEqual(self.outcome("RG.INFOCLUSTER"), ["ok", "no cluster mode"])
        self.assertEqual(self.outcome("rg.infocluster", "extra"), ["ok", "no cluster mode"])
        self.assertEqual(self.outcome("RG.HELLO"), ["error", "ERRCLUSTER NULL cluster state on hello msg\r\n"])

    def test_config_get_and_set(self):
        self.assertEqual(self.outcome("RG.CONFIGGET", "MaxExecutions", "ExecutionMaxIdleTime", "nosuch"),
                         ["ok", [1000, 5000, "(error) Unsupported config parameter: nosuch"]])
        self.assertEqual(self.outcome("RG.CONFIGGET"), ["ok", []])
        self.assertEqual(self.outcome("RG.CONFIGSET", "foo", "bar", "MaxExecutions", "1500", "odd"),
                         ["ok", ["OK - value was saved in extra config dictionary", "OK",
                                 "(error) Value was not given to odd"]])
        # within one run, configGet sees what RG.CONFIGSET saved; built-in names give None
        module = ("import json\n"
                  "def probe(_):\n"
                  "    execute('RG.CONFIGSET', 'foo3', 'v3', 'MaxExecutions', '7')\n"
                  "    return json.dumps([configGet('foo3'), gearsConfigGet('foo3', 'd'), configGet('MaxExecutions'),\n"
                  "                       execute('RG.CONFIGGET', 'foo3', 'MaxExecutions', 'fromenv')])\n"
                  "GB('ShardsIDReader').map(probe).run()\n")
        results = self.results_of_env(module, {"GEARC_CONFIG_fromenv": "e"})
        self.assertEqual(json.loads(results[0]), ["v3", "v3", None, ["v3", 7, "e"]])

    def results_of_env(self, module, env):
        run = self.run_module(module, env=env)
        self.assertEqual((run.code, run.errors), (0, []), run.stderr)
        return run.results

    def test_nothing_to_find_and_arity(self):
        for command in ("RG.GETEXECUTION", "RG.GETRESULTS", "RG.GETRESULTSBLOCKING", "RG.DROPEXECUTION"):
            self.assertEqual(self.outcome(command, "x"), ["error", "execution plan does not exist\r\n"])
            self.assertEqual(self.outcome(command),
                             ["error", "ERR wrong number of arguments for '%s' command\r\n" % command.lower()])
        self.assertEqual(self.outcome("RG.UNREGISTER", "x"), ["error", "execution is not registered\r\n"])
        self.assertEqual(self.outcome("RG.TRIGGER", "nosuch"), ["error", "ERR subcommand not found\r\n"])
        self.assertEqual(self.outcome("RG.TRIGGERONKEY", "x", "k"), ["error", "ERR subcommand not found\r\n"])
        self.assertEqual(self.outcome("RG.PYEXPORTREQ", "x"), ["error", "requirement does not exists\r\n"])
        self.assertEqual(self.outcome("RG.PAUSEREGISTRATIONS"),
                         ["error", "ERR wrong number of arguments for 'rg.pauseregistrations' command\r\n"])

    def test_fixed_answers(self):
        self.assertEqual(self.outcome("RG.PYDUMPREQS"), ["ok", []])
        self.assertEqual(self.outcome("RG.DUMPPLUGINS"), ["ok", [["GearsPythonPlugin", 10000]]])
        self.assertEqual(self.outcome("RG.PYFREEINTERPRETER"), ["ok", "Free interpreter is not longer supported"])
        self.assertEqual(self.outcome("RG.PYEXECUTE", "GB().run()"),
                         ["error", "Can not run gears inside a multi exec, lua, or when blocking is not allowed\r\n"])
        # an RG.* name RedisGears does not have is an unknown command, as any other
        self.assertEqual(self.outcome("RG.NOSUCH"), ["error", "No such file or directory"])

    def test_server_state_is_refused(self):
        for command in ("RG.DUMPEXECUTIONS", "RG.DUMPREGISTRATIONS", "RG.PYDUMPSESSIONS", "RG.PYSTATS"):
            kind, text = self.outcome(command)
            self.assertEqual(kind, "error")
            self.assertIn("not supported by gearc's local engine", text)

    def test_commands_that_crash_the_server_stop_the_engine(self):
        for args in (["RG.REFRESHCLUSTER"], ["RG.ABORTEXECUTION", "x"], ["RG.PYPROFILE", "stats"]):
            run = self.run_module("GB('ShardsIDReader').map(lambda _: execute(*%r)).run()\n" % (args,))
            self.assertEqual(run.code, 3, run.stdout)
            self.assertIn("RedisGears 1.2.13 server", run.one("fatal")["message"])
