"""Redis URLs and connecting: where Redis is, and how to log in."""

import os
import socket
import urllib.parse

from .protocol import Fatal
from .resp import Connection, RespError


class Target(object):
    """Where Redis is, and how to log in; `display` never contains the password."""

    def __init__(self, url, connect_timeout=5.0):
        self.url = url
        self.connect_timeout = connect_timeout
        try:
            parts = urllib.parse.urlsplit(url)
            query = urllib.parse.parse_qs(parts.query)
            scheme = parts.scheme.lower()
            self.username = urllib.parse.unquote(parts.username) if parts.username else None
            self.password = urllib.parse.unquote(parts.password) if parts.password is not None else None
            if self.password is None and query.get("password"):
                self.password = query["password"][0]
            if scheme == "redis":
                host = parts.hostname or "localhost"
                port = parts.port or 6379
                path = parts.path.strip("/")
                db = path if path else (query.get("db", ["0"])[0])
                self.db = int(db)
                self.socket = ("tcp", (host, port))
                shown_host = "[%s]" % host if ":" in host else host
                user = "%s@" % self.username if self.username else ""
                self.display = "redis://%s%s:%d/%d" % (user, shown_host, port, self.db)
            elif scheme == "unix":
                if not parts.path:
                    raise ValueError("no socket path")
                self.db = int(query.get("db", ["0"])[0])
                self.socket = ("unix", parts.path)
                self.display = "unix://%s?db=%d" % (parts.path, self.db)
            elif scheme == "rediss":
                raise Fatal("rediss:// (TLS) is not supported by the local engine; use a redis:// URL")
            else:
                raise ValueError("unknown scheme %r" % parts.scheme)
        except Fatal:
            raise
        except ValueError as e:
            raise Fatal("bad Redis URL %r (%s); expected redis://[[user]:password@]host[:port][/db] "
                        "or unix:///path/to/socket[?db=N]" % (_hide_password(url), e))
        if self.db < 0:
            raise Fatal("bad Redis URL %r: the database number must not be negative" % _hide_password(url))
        self.password_source = "the URL" if self.password is not None else None
        if self.password is None and os.environ.get("REDIS_PASSWORD"):
            self.password = os.environ["REDIS_PASSWORD"]
            self.password_source = "REDIS_PASSWORD"

    def connect(self, select_db=True):
        """A logged-in connection on the right database, or Fatal with a message a user understands."""
        try:
            conn = Connection(self.socket, self.connect_timeout)
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise Fatal("cannot connect to Redis at %s: %s" % (self.display, reason))
        try:
            if self.password is not None:
                args = ["AUTH", self.password] if not self.username else ["AUTH", self.username, self.password]
                reply = conn.call(*args)
                if isinstance(reply, RespError):
                    raise Fatal("Redis at %s refused the password (from %s): %s"
                                % (self.display, self.password_source, reply.message))
            reply = conn.call("PING")
            if isinstance(reply, RespError):
                if reply.message.startswith("NOAUTH"):
                    raise Fatal("Redis at %s requires a password (%s): give it in the URL "
                                "(redis://:password@host:port) or in REDIS_PASSWORD"
                                % (self.display, reply.message))
                raise Fatal("Redis at %s does not answer PING: %s" % (self.display, reply.message))
            if select_db and self.db != 0:
                reply = conn.call("SELECT", self.db)
                if isinstance(reply, RespError):
                    raise Fatal("cannot use database %d at %s: %s" % (self.db, self.display, reply.message))
        except socket.timeout:
            # It accepted the connection but does not speak (a stopped process, a port that
            # something else listens on): without a limit the run would wait forever.
            conn.close()
            raise Fatal("Redis at %s accepted the connection but did not answer within %g s "
                        "(--connect-timeout)" % (self.display, self.connect_timeout))
        except OSError as e:
            conn.close()
            raise Fatal("lost the connection to Redis at %s: %s" % (self.display, e))
        except Fatal:
            conn.close()
            raise
        conn.wait_without_limit()
        return conn


def _hide_password(url):
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.password is not None:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
            return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return url
