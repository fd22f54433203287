"""A small RESP2 client (standard library only)."""

import socket


class RespError(object):
    """An error reply, kept as a value: the caller decides whether it raises."""
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


def to_bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")


class Connection(object):
    def __init__(self, target, timeout=5.0):
        kind, address = target
        if kind == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(address)
        else:
            sock = socket.create_connection(address, timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        self.sock = sock
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- writing
    def send(self, args):
        parts = [b"*%d\r\n" % len(args)]
        for arg in args:
            data = to_bytes(arg)
            parts.append(b"$%d\r\n" % len(data))
            parts.append(data)
            parts.append(b"\r\n")
        self.sock.sendall(b"".join(parts))

    def call(self, *args):
        self.send(args)
        return self.read_reply()

    def pipeline(self, commands):
        """Sends all commands at once, then reads all replies (in order)."""
        if not commands:
            return []
        data = bytearray()
        for args in commands:
            data += b"*%d\r\n" % len(args)
            for arg in args:
                raw = to_bytes(arg)
                data += b"$%d\r\n" % len(raw)
                data += raw
                data += b"\r\n"
        self.sock.sendall(bytes(data))
        return [self.read_reply() for _ in commands]

    # -- reading
    def has_buffered_data(self):
        return self.pos < len(self.buf)

    def _fill(self):
        if self.pos > 65536:
            del self.buf[:self.pos]
            self.pos = 0
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos:end])
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n + 2
        return data

    def read_reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode("utf-8", "replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise ConnectionError("unexpected reply from the server: %r" % line[:40])
