"""A run's reply streams: its records leave the engine in `records` lines while it runs
(run_reply.py), in the order and with the values of the one reply a server gives."""

import json
import subprocess

from tests.runtime import support


def setUpModule():
    support.EngineTest.server = support.RedisServer()


def tearDownModule():
    support.EngineTest.server.stop()


class RunReply(support.EngineTest):
    def test_a_large_result_arrives_in_chunks_in_order(self):
        run = self.run_module("GB('ShardsIDReader').flatmap(lambda _: list(range(2500))).run()\n")
        self.assertEqual(run.code, 0, run.stderr)
        kinds = [e["kind"] for e in run.events]
        self.assertEqual(kinds[-1], "result")
        self.assertEqual(set(kinds[:-1]), {"records"})
        self.assertGreaterEqual(len(kinds), 3)  # 2500 records: at least 2 full chunks and the end
        for chunk in run.of("records"):
            self.assertLessEqual(len(chunk["results"]), 1000)
        # flatmap emits a list last element first (ref 0)
        self.assertEqual(run.results, [str(i) for i in reversed(range(2500))])
        self.assertEqual(run.errors, [])

    def test_a_small_quick_result_is_one_result_line(self):
        run = self.run_module("GB('ShardsIDReader').flatmap(lambda _: list(range(5))).run()\n")
        self.assertEqual([e["kind"] for e in run.events], ["result"])
        self.assertEqual(run.results, ["4", "3", "2", "1", "0"])

    def test_errors_come_with_the_last_line_after_the_records(self):
        module = ("def f(x):\n    if x == 1500:\n        raise ValueError('at 1500')\n    return x\n"
                  "GB('PythonReader').map(f).run(lambda: (x for x in range(3000)), convertToStr=False)\n")
        run = self.run_module(module)
        self.assertEqual(run.code, 0, run.stderr)
        self.assertEqual(len(run.errors), 1)
        self.assertIn("ValueError: at 1500", run.errors[0])
        # the reader stops once the error reaches the reply, as on a server
        self.assertEqual(run.results, list(range(1500)))
        self.assertEqual(run.of("records")[0]["results"][:3], [0, 1, 2])

    def test_long_records_are_sent_before_a_thousand_pile_up(self):
        run = self.run_module("GB('ShardsIDReader').flatmap(lambda _: ['x' * 100000] * 30).run()\n")
        self.assertEqual(run.code, 0, run.stderr)
        for chunk in run.of("records"):
            self.assertLessEqual(len(chunk["results"]), 11)  # about 1 MB of text a chunk
        self.assertEqual(run.results, ["x" * 100000] * 30)

    def test_a_slow_runs_records_leave_as_they_are_made(self):
        # The second record waits for a key the test sets once it has read the first: the
        # first must have left the engine while the run goes on.
        module = ("import time\n"
                  "def slow():\n"
                  "    time.sleep(0.3)\n"
                  "    yield 'first'\n"
                  "    while execute('GET', 'go') is None:\n"
                  "        time.sleep(0.01)\n"
                  "    yield 'second'\n"
                  "GB('PythonReader').run(slow)\n")
        proc = subprocess.Popen([support.PYTHON, support.ENGINE, "--url", self.server.url], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            proc.stdin.write(module.encode("utf-8"))
            proc.stdin.close()
            first = json.loads(proc.stdout.readline().decode("utf-8"))
            self.assertEqual(first, {"kind": "records", "results": ["first"]})
            self.call("SET", "go", "1")
            rest = [json.loads(line.decode("utf-8")) for line in proc.stdout]
            self.assertEqual(rest[-1]["kind"], "result")
            self.assertEqual([r for e in rest for r in e["results"]], ["second"])
            self.assertEqual(proc.wait(20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
