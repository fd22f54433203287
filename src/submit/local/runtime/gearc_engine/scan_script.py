"""Scanning the keyspace one bucket at a time inside Redis, with a Lua script.

`SCAN cursor COUNT 1` returns exactly one non-empty bucket (scan.py explains why that is
the server's KeysReader batch). Following that chain of cursors inside the server, in one
EVAL per chunk of buckets, costs one SCAN call per non-empty bucket and one round trip per
chunk: no guessing of cursors, no replies repeated for the empty buckets, and almost no
work for the engine's Python (the script hands back the buckets' sizes in one string and
their keys in one array). scan.BucketScan guesses the cursors from the client side instead;
it is used when the server refuses scripts (an ACL without EVAL, scripting disabled, a
server out of memory refusing scripts): ScriptedScan then hands its work to a BucketScan
from the bucket it was at, for the rest of the run.

The script only reads (SCAN), so it raises no keyspace event and changes nothing.
"""

from .resp import RespError, encode
from .scan import BucketScan

# ARGV: cursor, pattern, the most SCAN calls to make. Returns {"cursor size cursor size ... following cursor", keys of those buckets...}.
_SCRIPT = b"""local cursor = ARGV[1]
local args = {'SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', '1'}
local out = {''}
local sizes = {}
for _ = 1, tonumber(ARGV[3]) do
  args[2] = cursor
  local reply = redis.call(unpack(args))
  local keys = reply[2]
  if #keys > 0 then
    sizes[#sizes + 1] = cursor .. ' ' .. #keys
    for i = 1, #keys do out[#out + 1] = keys[i] end
  end
  cursor = reply[1]
  if cursor == '0' then break end
end
sizes[#sizes + 1] = cursor
out[1] = table.concat(sizes, ' ')
return out
"""


class ScriptedScan(object):
    """scan.BucketScan's interface (send, receive_buckets, restart, discard, done, in_flight),
    following the chain of cursors in the server."""

    def __init__(self, conn, pattern):
        self.conn = conn
        self.pattern = pattern
        self.cursor = 0
        self._done = False
        self._in_flight = None  # (the cursor sent, how many SCAN calls)
        self.fallback = None  # the BucketScan doing the work once scripts were refused

    @property
    def done(self):
        return self._done if self.fallback is None else self.fallback.done

    @property
    def in_flight(self):
        return self._in_flight if self.fallback is None else self.fallback.in_flight

    def restart(self, cursor):
        if self.fallback is not None:
            return self.fallback.restart(cursor)
        self.discard()
        self.cursor = cursor
        self._done = False

    def send(self, wanted):
        """Sends the EVAL that follows the chain for `wanted` buckets (at least one)."""
        if self.fallback is not None:
            return self.fallback.send(wanted)
        steps = max(wanted, 1)
        self.conn.send_raw(encode([b"EVAL", _SCRIPT, b"0", b"%d" % self.cursor, self.pattern, b"%d" % steps]))
        self._in_flight = (self.cursor, steps)

    def discard(self):
        if self.fallback is not None:
            return self.fallback.discard()
        if self._in_flight is not None:
            self.conn.read_replies(1)
            self._in_flight = None

    def receive_buckets(self):
        """(cursors of the non-empty buckets, their numbers of keys, all their keys in a row)."""
        if self.fallback is not None:
            return self.fallback.receive_buckets()
        (cursor, steps), self._in_flight = self._in_flight, None
        reply = self.conn.read_replies(1)[0]
        if isinstance(reply, RespError) or type(reply) is not list or not reply or type(reply[0]) is not bytes:
            return self._fall_back(cursor, steps)
        numbers = list(map(int, reply[0].split()))
        self.cursor = numbers[-1]
        self._done = self.cursor == 0
        return numbers[0:-1:2], numbers[1:-1:2], reply[1:]

    def _fall_back(self, cursor, steps):
        """Scripts refused: a BucketScan goes on from the cursor this EVAL started at."""
        self.fallback = BucketScan(self.conn, self.pattern)
        self.fallback.restart(cursor)
        self.fallback.send(steps)
        return self.fallback.receive_buckets()
