"""Engine-level failures: `fatal` with exit code 3, never a Python traceback."""

import subprocess
import unittest

from tests.runtime import support


class Unreachable(unittest.TestCase):
    def test_connection_refused_names_the_url(self):
        port = support.free_port()
        run = support.run_engine("redis://127.0.0.1:%d" % port, "GB().run()\n")
        self.assertEqual(run.code, 3)
        self.assertEqual(run.events, [{"kind": "fatal", "message": "cannot connect to Redis at "
                                       "redis://127.0.0.1:%d/0: Connection refused" % port}])
        self.assertNotIn("Traceback", run.stderr)

    def test_bad_urls(self):
        for url in ("http://localhost:6379", "redis://localhost:notaport", "redis://localhost:6379/x"):
            run = support.run_engine(url, "GB().run()\n")
            self.assertEqual(run.code, 3, url)
            self.assertIn("bad Redis URL", run.one("fatal")["message"])
        run = support.run_engine("rediss://localhost:6379", "GB().run()\n")
        self.assertIn("TLS", run.one("fatal")["message"])

    def test_missing_url(self):
        proc = subprocess.run([support.PYTHON, support.ENGINE], input=b"", stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        self.assertEqual(proc.returncode, 3)
        self.assertIn(b'"kind": "fatal"', proc.stdout)


class Passwords(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = support.RedisServer("--requirepass", "s3cret")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def url(self, password=None):
        auth = ":%s@" % password if password is not None else ""
        return "redis://%s127.0.0.1:%d/0" % (auth, self.server.port)

    def test_right_password(self):
        run = support.run_engine(self.url("s3cret"), "GB('ShardsIDReader').run()\n")
        self.assertEqual((run.code, run.results), (0, ["1"]))

    def test_wrong_password(self):
        run = support.run_engine(self.url("wrong"), "GB().run()\n")
        self.assertEqual(run.code, 3)
        message = run.one("fatal")["message"]
        self.assertIn("refused the password (from the URL)", message)
        self.assertIn("redis://127.0.0.1:%d/0" % self.server.port, message)
        self.assertNotIn("wrong", message.replace("WRONGPASS", ""))

    def test_no_password(self):
        run = support.run_engine(self.url(), "GB().run()\n")
        self.assertEqual(run.code, 3)
        self.assertIn("requires a password", run.one("fatal")["message"])

    def test_password_from_the_environment(self):
        run = support.run_engine(self.url(), "GB('ShardsIDReader').run()\n", env={"REDIS_PASSWORD": "s3cret"})
        self.assertEqual((run.code, run.results), (0, ["1"]))
        run = support.run_engine(self.url(), "GB().run()\n", env={"REDIS_PASSWORD": "nope"})
        self.assertIn("(from REDIS_PASSWORD)", run.one("fatal")["message"])

    def test_database_number(self):
        self.server.call("SELECT", "3")
        self.server.call("SET", "in3", "yes")
        self.server.call("SELECT", "0")
        url = "redis://:s3cret@127.0.0.1:%d/3" % self.server.port
        run = support.run_engine(url, "GB().map(lambda r: r['key']).run()\n")
        self.assertEqual(run.results, ["in3"])
        self.server.call("FLUSHALL")


class UnixSocket(unittest.TestCase):
    def test_unix_socket_url(self):
        import tempfile
        directory = tempfile.mkdtemp()
        path = "%s/redis.sock" % directory
        server = support.RedisServer("--unixsocket", path, "--unixsocketperm", "700")
        try:
            server.call("SELECT", "2")
            server.call("SET", "u", "1")
            run = support.run_engine("unix://%s?db=2" % path, "GB().map(lambda r: r['key']).run()\n")
            self.assertEqual((run.code, run.results), (0, ["u"]))
        finally:
            server.stop()
            import shutil
            shutil.rmtree(directory, ignore_errors=True)
