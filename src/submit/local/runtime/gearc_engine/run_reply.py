"""The reply of the module's run(), sent to gearc while the run goes on.

A server answers a run with one reply holding every record; the engine instead sends the
records in `records` lines as they are made, then the `result` line with the last ones and
the errors, so that neither the engine nor gearc holds a huge result (docs/limits.md). The
records and their order are those of the one reply; only when they travel differs. A small
result made quickly is one `result` line, as it always was.

A chunk is sent when it holds CHUNK_RECORDS records or about CHUNK_CHARS characters of
text, or when a record comes CHUNK_SECONDS or more after the last chunk was sent: a slow
run's records are sent one by one as they are made, not once a thousand have piled up.
"""

import json
import time

from .protocol import clean_text, emit, line
from .values import reply_value

CHUNK_RECORDS = 1000
CHUNK_CHARS = 1 << 20
CHUNK_SECONDS = 0.2

_clock = time.monotonic


class RunReply(object):
    """Collects reply records (as reply_value() makes them) and sends them in chunks."""

    def __init__(self):
        self.pending = []
        self.chars = 0
        self.sent = _clock()  # when the last chunk was sent (or the run started)

    def add(self, record):
        value = reply_value(record)
        pending = self.pending
        pending.append(value)
        kind = type(value)
        if kind is str:
            self.chars += len(value)
        elif kind is not int:
            self.chars += len(json.dumps(value))
        if len(pending) >= CHUNK_RECORDS or self.chars >= CHUNK_CHARS or _clock() - self.sent >= CHUNK_SECONDS:
            self.send()

    def send(self):
        emit(line("records", results=self.pending))
        self.pending = []
        self.chars = 0
        self.sent = _clock()

    def finish(self, errors):
        """The `result` line: the records not sent yet, and the run's errors."""
        emit(line("result", results=self.pending, errors=[clean_text(e) for e in errors]))
        self.pending = []
