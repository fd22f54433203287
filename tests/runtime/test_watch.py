"""--watch: registrations applied to live events of a real Redis."""

import signal
import time

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


class WatchTest(support.EngineTest):
    def setUp(self):
        super(WatchTest, self).setUp()
        self.watches = []

    def tearDown(self):
        for watch in self.watches:
            watch.kill()

    def watch(self, module):
        watch = support.Watch(self.server.url, module)
        self.watches.append(watch)
        return watch

    def flags(self):
        return self.call("CONFIG", "GET", "notify-keyspace-events")[1]


class KeysRegistrations(WatchTest):
    def test_matching_key_fires_and_settings_are_restored(self):
        self.call("CONFIG", "SET", "notify-keyspace-events", "Kl")
        before = self.flags()
        watch = self.watch("GB().register(prefix='person:*', readValue=False, mode='sync')\n")
        registered = watch.next()
        self.assertEqual((registered["kind"], registered["reader"]), ("registered", "KeysReader"))
        self.assertEqual(watch.wait_for("watching")["registrations"], 1)
        self.assertIn("E", self.flags())
        self.call("SET", "other", "1")
        self.call("SET", "person:1", "Rick")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["registration"], registered["id"])
        self.assertEqual(fired["trigger"], "set person:1")
        self.assertEqual((fired["event"], fired["key"], "ids" in fired), ("set", "person:1", False))
        self.assertEqual(fired["results"], ["{'event': 'set', 'key': 'person:1'}"])
        self.assertEqual(fired["errors"], [])
        self.assertEqual(watch.quiet_for(0.5), [])  # nothing for `other`
        code, rest = watch.stop()
        self.assertEqual(code, 0)
        self.assertEqual(rest, [{"kind": "stopped"}])
        self.assertEqual(self.flags(), before)

    def test_record_with_value_and_a_prefix_that_is_not_a_glob(self):
        watch = self.watch("GB().register(prefix='*-fighter')\n")
        watch.wait_for("watching")
        self.call("SET", "Foo-fighter", "1")  # '*-fighter' is the exact key '*-fighter'
        self.call("HSET", "*-fighter", "f", "v")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["results"], ["{'event': 'hset', 'key': '*-fighter', 'type': 'hash', 'value': {'f': 'v'}}"])
        self.assertEqual(watch.quiet_for(0.3), [])

    def test_sync_registration_does_not_see_its_own_writes(self):
        # Redis does not notify a module of the events its own notification callback causes
        watch = self.watch('GB("KeysReader").foreach(lambda it: execute("EXPIRE", it["key"], 3600))'
                           '.register(prefix="*", readValue=False, mode="sync")\n')
        watch.wait_for("watching")
        self.call("SET", "a", "1")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["trigger"], "set a")
        self.assertEqual(watch.quiet_for(1.0), [])
        self.assertGreater(self.call("TTL", "a"), 3000)
        code, rest = watch.stop()
        self.assertEqual((code, rest), (0, [{"kind": "stopped"}]))

    def test_event_and_key_type_filters(self):
        watch = self.watch("GB().map(lambda r: r['key']).register(prefix='*', eventTypes=['HSET'], "
                           "keyTypes=['hash'], mode='sync')\n")
        watch.wait_for("watching")
        self.call("SET", "s", "1")
        self.call("HSET", "h", "f", "v")
        fired = watch.wait_for("execution")
        self.assertEqual((fired["trigger"], fired["results"]), ("hset h", ["h"]))
        self.assertEqual(watch.quiet_for(0.3), [])

    def test_errors_of_a_registered_execution(self):
        watch = self.watch("GB().map(lambda r: 1 / 0).register(prefix='k', eventTypes=['set'])\n")
        watch.wait_for("watching")
        self.call("SET", "k", "1")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["results"], [])
        self.assertEqual(fired["errors"], ["['Traceback (most recent call last):\\n', '  File \"<string>\", line 1, "
                                           "in <lambda>\\n', 'ZeroDivisionError: division by zero\\n']"])

    def test_keymiss_and_deleted_keys(self):
        # the server's KeysReader also receives keymiss events; a deleted key reads as 'empty'
        watch = self.watch("GB().register(prefix='miss*')\n")
        watch.wait_for("watching")
        self.assertIn("m", self.flags())
        self.call("GET", "missing")
        fired = watch.wait_for("execution")
        self.assertEqual((fired["trigger"], fired["results"]),
                         ("keymiss missing", ["{'event': 'keymiss', 'key': 'missing', 'type': 'empty', 'value': None}"]))
        self.call("SET", "miss1", "x")
        self.call("DEL", "miss1")
        self.assertEqual(watch.wait_for("execution")["trigger"], "set miss1")
        fired = watch.wait_for("execution")
        self.assertEqual((fired["trigger"], fired["results"]),
                         ("del miss1", ["{'event': 'del', 'key': 'miss1', 'type': 'empty', 'value': None}"]))
        self.assertEqual(watch.quiet_for(0.3), [])  # the engine's own reads raise no keymiss

    def test_sigterm_also_restores(self):
        watch = self.watch("GB().register(prefix='x')\n")
        watch.wait_for("watching")
        self.assertNotEqual(self.flags(), "")
        code, rest = watch.stop(signal.SIGTERM)
        self.assertEqual((code, rest), (0, [{"kind": "stopped"}]))
        self.assertEqual(self.flags(), "")

    def test_commands_argument_is_reported_unsupported(self):
        watch = self.watch("GB().register(prefix='x', commands=['hset'])\n")
        registered = watch.next()
        self.assertIn("commands", registered["unsupported"])
        watch.wait_for("watching")


class StreamRegistrations(WatchTest):
    def assert_first_read(self, execution, key):
        # When a registration first sees a stream, the server reads the registration's pending
        # entries (C: streams_reader.c): an execution with no records, measured on 1.2.13.
        self.assertEqual((execution["kind"], execution["trigger"], execution["results"], execution["errors"]),
                         ("execution", "stream " + key, [], []))

    def test_existing_entries_then_new_ones_then_trimmed(self):
        for i in range(3):
            self.call("XADD", "expired:06S", "%d-0" % (i + 1), "key", "k%d" % i)
        module = ("def process(x):\n"
                  "    execute('RPUSH', 'processed', x['id'])\n"
                  "GB('StreamReader').foreach(process).map(lambda x: x['value']['key'])"
                  ".register(prefix='expired:*', batch=2, duration=1)\n")
        watch = self.watch(module)
        # existing entries are processed when the registration is applied, before `watching`,
        # and announced first
        registered = watch.next()
        self.assertEqual(registered["kind"], "registered")
        self.assertEqual(watch.next(), {"kind": "backlog", "registration": registered["id"], "streams": 1,
                                        "entries": 3, "exact": True, "trim": True})
        self.assert_first_read(watch.next(), "expired:06S")
        first = watch.next()
        second = watch.next()
        self.assertEqual(watch.next()["kind"], "watching")
        self.assertEqual((first["trigger"], first["results"]), ("stream expired:06S 1-0..2-0 (2 entries)", ["k0", "k1"]))
        self.assertEqual((first["key"], first["ids"], "event" in first), ("expired:06S", ["1-0", "2-0"], False))
        self.assertEqual((second["trigger"], second["results"]), ("stream expired:06S 3-0", ["k2"]))
        self.call("XADD", "expired:06S", "4-0", "key", "k3")  # a partial batch, flushed after 1 ms
        third = watch.wait_for("execution")
        self.assertEqual(third["results"], ["k3"])
        self.assertEqual(self.call("LRANGE", "processed", "0", "-1"), ["1-0", "2-0", "3-0", "4-0"])
        self.assertEqual(self.call("XLEN", "expired:06S"), 0)  # trimStream defaults to True
        watch.stop()

    def test_generated_style_registration_takes_existing_entries_at_once(self):
        for i in range(3):
            self.call("XADD", "expired:06S", "*", "key", "k%d" % i)
        module = ("def process(x):\n"
                  "    log('expired ' + x['value']['key'])\n"
                  "GB(\"StreamReader\").foreach(process).register(prefix=\"expired:*\", batch=100, duration=1)\n")
        watch = self.watch(module)
        self.assert_first_read(watch.wait_for("execution"), "expired:06S")
        fired = watch.wait_for("execution")
        watch.wait_for("watching")
        self.assertEqual(len(fired["results"]), 3)
        self.assertTrue(fired["trigger"].endswith("(3 entries)"), fired["trigger"])
        watch.stop()
        self.assertIn("[notice] GEARS: expired k2\n", "".join(watch.stderr))

    def test_without_trimming_the_entries_stay(self):
        self.call("XADD", "s", "1-0", "a", "1")
        watch = self.watch("GB('StreamReader').register(prefix='s', trimStream=False)\n")
        self.assert_first_read(watch.wait_for("execution"), "s")
        self.assertEqual(watch.wait_for("execution")["trigger"], "stream s 1-0")
        watch.wait_for("watching")
        self.call("XADD", "s", "2-0", "a", "2")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["results"], ["{'key': 's', 'id': '2-0', 'value': {'a': '2'}}"])
        self.assertEqual(self.call("XLEN", "s"), 2)
        watch.stop()

    def test_batch_waits_for_enough_entries(self):
        watch = self.watch("GB('StreamReader').map(lambda x: x['id']).register(prefix='s', batch=3)\n")
        watch.wait_for("watching")
        self.call("XADD", "s", "1-0", "a", "1")
        self.assert_first_read(watch.wait_for("execution"), "s")
        self.call("XADD", "s", "2-0", "a", "1")
        self.assertEqual(watch.quiet_for(0.5), [])
        self.call("XADD", "s", "3-0", "a", "1")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["results"], ["1-0", "2-0", "3-0"])
        watch.stop()

    def test_abort_policy_stops_the_registration(self):
        watch = self.watch("GB('StreamReader').map(lambda x: 1 / 0).register(prefix='s', onFailedPolicy='abort')\n")
        watch.wait_for("watching")
        self.call("XADD", "s", "1-0", "a", "1")
        self.assert_first_read(watch.wait_for("execution"), "s")
        fired = watch.wait_for("execution")
        self.assertEqual(fired["status"], "ABORTED")
        self.assertEqual(len(fired["errors"]), 1)
        self.call("XADD", "s", "2-0", "a", "1")
        self.assertEqual(watch.quiet_for(0.5), [])
        self.assertEqual(self.call("XLEN", "s"), 2)  # nothing acknowledged or trimmed
        watch.stop()

    def test_retry_policy_runs_the_batch_again(self):
        module = ("def flaky(x):\n"
                  "    if execute('INCR', 'attempts') < 2:\n"
                  "        raise ValueError('not yet')\n"
                  "    return x['id']\n"
                  "GB('StreamReader').map(flaky).register(prefix='s', onFailedPolicy='retry', onFailedRetryInterval=1)\n")
        watch = self.watch(module)
        watch.wait_for("watching")
        self.call("XADD", "s", "1-0", "a", "1")
        self.assert_first_read(watch.wait_for("execution"), "s")
        failed = watch.wait_for("execution")
        self.assertEqual(failed["status"], "WAITING_FOR_RETRY_ON_FAILURE")
        retried = watch.wait_for("execution", timeout=5)
        self.assertEqual((retried["results"], retried["errors"]), (["1-0"], []))
        self.assertEqual(self.call("XLEN", "s"), 0)
        watch.stop()


class StreamBacklog(WatchTest):
    def test_only_what_the_consumer_group_has_not_processed_is_announced(self):
        for i in range(3):
            self.call("XADD", "s", "%d-0" % (i + 1), "n", i)
        module = "GB('StreamReader').register(prefix='s', trimStream=False)\n"
        first = self.watch(module)
        self.assertEqual(first.wait_for("backlog")["entries"], 3)
        first.wait_for("watching")
        self.assertEqual(first.stop(signal.SIGTERM)[0], 0)
        # the three stay (trimStream=False) but are processed: one new entry is what is left
        self.call("XADD", "s", "4-0", "n", 3)
        again = self.watch(module)
        backlog = again.wait_for("backlog")
        self.assertEqual((backlog["streams"], backlog["entries"], backlog["exact"], backlog["trim"]),
                         (1, 1, True, False))
        fired = [again.wait_for("execution") for _ in range(2)]
        self.assertEqual([e["ids"] for e in fired], [[], ["4-0"]])
        again.wait_for("watching")
        again.stop()

    def test_no_matching_stream(self):
        watch = self.watch("GB('StreamReader').register(prefix='none:*')\n")
        backlog = watch.wait_for("backlog")
        self.assertEqual((backlog["streams"], backlog["entries"]), (0, 0))
        watch.stop()


class ConfigDisabled(WatchTest):
    """A server whose CONFIG command is renamed away, as managed Redis services do."""

    def setUp(self):
        self.watches = []

    def test_refused_unless_trusted_and_trusted_flags_work(self):
        server = support.RedisServer("--rename-command", "CONFIG", "", "--notify-keyspace-events", "AKE")
        try:
            module = "GB().map(lambda r: r['key']).register(prefix='k*', eventTypes=['set'])\n"
            refused = support.Watch(server.url, module)
            self.watches.append(refused)
            fatal = refused.wait_for("fatal")
            self.assertIn("CONFIG GET notify-keyspace-events failed", fatal["message"])
            self.assertIn("'AE' (A: every kind of event, E: key-event notifications)", fatal["message"])
            self.assertIn("--trust-server-config", fatal["message"])
            self.assertEqual(refused.proc.wait(10), 3)
            trusted = support.Watch(server.url, module, args=["--trust-server-config"])
            self.watches.append(trusted)
            trusted.wait_for("watching")
            self.assertIn("trusting the server to have 'AE'", "".join(trusted.stderr))
            server.call("SET", "k1", "v")
            self.assertEqual(trusted.wait_for("execution")["results"], ["k1"])
            self.assertEqual(trusted.stop(signal.SIGTERM), (0, [{"kind": "stopped"}]))
        finally:
            server.stop()

    def test_flags_already_there_need_no_config_set(self):
        # CONFIG GET allowed, CONFIG SET not (an ACL): enough when the flags are there
        self.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        self.call("ACL", "SETUSER", "reader", "on", ">pw", "~*", "&*", "+@all", "-config|set")
        try:
            url = "redis://reader:pw@127.0.0.1:%d" % self.server.port
            watch = support.Watch(url, "GB().map(lambda r: r['key']).register(prefix='k*', eventTypes=['set'])\n")
            self.watches.append(watch)
            watch.wait_for("watching")
            self.call("SET", "k2", "v")
            self.assertEqual(watch.wait_for("execution")["results"], ["k2"])
            self.assertEqual(watch.stop(signal.SIGTERM)[0], 0)
            self.assertEqual(self.flags(), "AKE")
            # missing flags cannot be added: refused, naming what is missing
            self.call("CONFIG", "SET", "notify-keyspace-events", "K$")
            refused = support.Watch(url, "GB().register(prefix='k*')\n")
            self.watches.append(refused)
            fatal = refused.wait_for("fatal")["message"]
            self.assertIn("CONFIG SET notify-keyspace-events", fatal)
            self.assertIn("NOPERM", fatal)
            self.assertIn("is '$K', and --watch needs it to include 'AEm' (A: every kind of event, E: key-event "
                          "notifications, m: key misses)", fatal)
        finally:
            self.call("ACL", "DELUSER", "reader")


class OtherRegistrations(WatchTest):
    def test_command_reader_is_not_runnable_locally(self):
        watch = self.watch("GB('CommandReader').register(trigger='echo', mode='async_local')\n")
        registered = watch.next()
        self.assertEqual(registered["reader"], "CommandReader")
        self.assertIn("RG.TRIGGER", registered["unsupported"])
        self.assertEqual(watch.next(), {"kind": "watching", "registrations": 0})
        self.assertEqual(watch.next(), {"kind": "stopped"})
        self.assertEqual(watch.proc.wait(10), 0)
        self.assertEqual(self.flags(), "")

    def test_run_and_register_in_one_module(self):
        self.call("SET", "x", "1")
        watch = self.watch("GB().register(prefix='y')\nGB().map(lambda r: r['key']).run()\n")
        self.assertEqual(watch.next()["kind"], "registered")
        self.assertEqual(watch.next(), {"kind": "result", "results": ["x"], "errors": []})
        watch.wait_for("watching")
        self.call("SET", "y", "2")
        self.assertEqual(watch.wait_for("execution")["trigger"], "set y")
        watch.stop()


class BatchModeRegistrations(support.EngineTest):
    def test_registrations_are_listed_not_applied(self):
        run = self.run_module("GB().register(prefix='a:*', mode='sync')\n"
                              "GB('StreamReader').register(prefix='s', batch=100, duration=1)\n")
        self.assertEqual(run.code, 0)
        self.assertEqual([(e["kind"], e["reader"], e["args"]["prefix"]) for e in run.events],
                         [("registered", "KeysReader", "a:*"), ("registered", "StreamReader", "s")])
        # GB() and its register() copy each take an id number (measured on 1.2.13)
        self.assertEqual([e["id"] for e in run.events], ["0" * 40 + "-1", "0" * 40 + "-3"])
        self.assertEqual(self.call("CONFIG", "GET", "notify-keyspace-events")[1], "")


class StreamBursts(WatchTest):
    def test_a_burst_of_entries_is_processed_once_each_and_none_is_lost(self):
        watch = self.watch("GB('StreamReader').map(lambda x: x['value']['n']).register(prefix='burst')\n")
        watch.wait_for("watching")
        for i in range(60):
            self.call("XADD", "burst", "*", "n", i)
        seen, executions = [], 0
        while len(seen) < 60:
            seen += watch.wait_for("execution")["results"]
            executions += 1
        self.assertEqual(seen, [str(i) for i in range(60)])
        self.assertEqual(executions, 61)  # one per entry (batch=1) and the first read, as on 1.2.13
        self.assertEqual(watch.quiet_for(0.3), [])
        deadline = time.time() + 5
        while self.call("XLEN", "burst") and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.call("XLEN", "burst"), 0)
        watch.stop()


class WatchPermissions(WatchTest):
    def test_config_not_permitted_is_fatal(self):
        self.call("ACL", "SETUSER", "limited", "on", ">pw", "~*", "&*", "+@all", "-config")
        try:
            url = "redis://limited:pw@127.0.0.1:%d" % self.server.port
            watch = support.Watch(url, "GB().register(prefix='x')\n")
            self.watches.append(watch)
            self.assertEqual(watch.next()["kind"], "registered")
            fatal = watch.next()
            self.assertEqual(fatal["kind"], "fatal")
            self.assertIn("CONFIG GET notify-keyspace-events failed", fatal["message"])
            self.assertIn("NOPERM", fatal["message"])
            self.assertEqual(watch.proc.wait(10), 3)
        finally:
            self.call("ACL", "DELUSER", "limited")


class ReaderGone(WatchTest):
    def test_a_closed_output_stops_the_watch_and_restores(self):
        import subprocess
        proc = subprocess.Popen([support.PYTHON, support.ENGINE, "--url", self.server.url, "--watch"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc.stdin.write(b"GB().register(prefix='k')\n")
        proc.stdin.close()
        while b'"watching"' not in proc.stdout.readline():
            pass
        self.assertNotEqual(self.flags(), "")
        proc.stdout.close()  # gearc went away
        self.call("SET", "k", "1")  # the engine's next line has no reader
        self.assertEqual(proc.wait(10), 0)
        self.assertEqual(self.flags(), "")


class TwoSignals(WatchTest):
    def test_sigint_then_sigterm_still_restores(self):
        watch = self.watch("GB().register(prefix='x')\n")
        watch.wait_for("watching")
        watch.proc.send_signal(signal.SIGINT)
        watch.proc.send_signal(signal.SIGTERM)  # what gearc adds on Ctrl-C
        self.assertEqual(watch.proc.wait(10), 0)
        self.assertEqual(watch.wait_for("stopped")["kind"], "stopped")
        self.assertEqual(self.flags(), "")


def until(condition, seconds=10):
    """Waits for condition() to hold; whether it did."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class SharedSettings(WatchTest):
    """notify-keyspace-events is server-wide: sessions take back only what they added, and
    only while it is as they know it."""

    def test_two_sessions_neither_goes_deaf_and_the_last_restores(self):
        first = self.watch("GB().register(prefix='a*')\n")
        first.wait_for("watching")
        second = self.watch("GB().register(prefix='b*')\n")
        second.wait_for("watching")
        self.assertEqual(first.stop(signal.SIGTERM)[0], 0)
        self.assertNotEqual(self.flags(), "")  # the second session still needs them
        self.call("SET", "b1", "1")
        self.assertEqual(second.wait_for("execution")["trigger"], "set b1")
        self.assertEqual(second.stop(signal.SIGTERM)[0], 0)
        self.assertEqual(self.flags(), "")  # handed over, then taken back by the last one

    def test_a_change_by_another_client_is_left_as_it_is(self):
        watch = self.watch("GB().register(prefix='a*')\n")
        watch.wait_for("watching")
        changed = self.flags() + "K"  # keyspace events too: nothing the session needs is lost
        self.call("CONFIG", "SET", "notify-keyspace-events", changed)
        operator = self.flags()
        # noticed at the second check after the change (a session's word may be on its way)
        self.assertTrue(until(lambda: "changed by another client" in "".join(watch.stderr)), watch.stderr)
        self.assertEqual(watch.stop(signal.SIGTERM)[0], 0)
        self.assertEqual(self.flags(), operator)

    def test_flags_that_disappear_are_set_again(self):
        watch = self.watch("GB().register(prefix='a*')\n")
        watch.wait_for("watching")
        self.call("CONFIG", "SET", "notify-keyspace-events", "")
        self.assertTrue(until(lambda: self.flags() != ""), "set again within a few seconds")
        self.assertIn("lost", "".join(watch.stderr))
        self.call("SET", "a1", "1")
        self.assertEqual(watch.wait_for("execution")["trigger"], "set a1")
        self.assertEqual(watch.stop(signal.SIGTERM)[0], 0)
        self.assertEqual(self.flags(), "")  # what it set again is its own to take back


class GearcGone(WatchTest):
    def gone(self, pid):
        """The process ended (a zombie that nobody reaps counts as ended)."""
        try:
            with open("/proc/%d/stat" % pid) as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        except (IOError, OSError):
            return True

    def test_the_engine_ends_when_its_output_has_no_reader(self):
        import subprocess
        proc = subprocess.Popen([support.PYTHON, support.ENGINE, "--url", self.server.url, "--watch"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc.stdin.write(b"GB().register(prefix='k')\n")
        proc.stdin.close()
        while b'"watching"' not in proc.stdout.readline():
            pass
        proc.stdout.close()  # gearc killed with -9: nothing happens on the server meanwhile
        self.assertEqual(proc.wait(10), 0)
        self.assertEqual(self.flags(), "")

    def test_the_engine_ends_when_its_parent_dies(self):
        # The parent is a shell that writes the engine's output to a file: only the parent's
        # death tells the engine that it is alone.
        import os
        import subprocess
        import tempfile
        work = tempfile.mkdtemp()
        module, out = os.path.join(work, "module.py"), os.path.join(work, "out")
        with open(module, "w") as f:
            f.write("GB().register(prefix='k')\n")
        script = '"$0" "$1" --url "$2" --watch < "$3" > "$4" 2>/dev/null & echo $!; wait'
        shell = subprocess.Popen(["sh", "-c", script, support.PYTHON, support.ENGINE, self.server.url, module, out],
                                 stdout=subprocess.PIPE)
        engine = int(shell.stdout.readline())
        shell.stdout.close()
        def watching():
            if not os.path.exists(out):
                return False
            with open(out, "rb") as f:
                return b'"watching"' in f.read()
        self.assertTrue(until(watching))
        shell.kill()
        shell.wait()
        self.assertTrue(until(lambda: self.gone(engine), 10), "the engine lives on without gearc")
        self.assertEqual(self.flags(), "")
