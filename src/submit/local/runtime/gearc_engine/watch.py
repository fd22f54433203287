"""--watch: registrations applied to live events (keyspace notifications and streams)."""

import heapq
import select
import time

from . import lifeline, protocol, runtime
from .keys_reader import key_types, keys_exact_source
from .notify_flags import ALL_CLASSES, KeyspaceFlags
from .plan import execute_plan
from .protocol import Fatal, Stop, emit
from .registration import execution_line, prefix_matches
from .resp import RespError
from .runtime import MARKER_CHANNEL
from .streams import StreamWatch
from .values import redis_text


class quiet_subscriber(object):
    """Marks gear writes of a sync execution run from an event (see Runtime.quiet_subscriber)."""

    def __init__(self, kind):
        self.kind = kind

    def __enter__(self):
        self.saved = runtime.RUNTIME.quiet_subscriber
        runtime.RUNTIME.quiet_subscriber = self.kind
        return self

    def __exit__(self, *exc):
        runtime.RUNTIME.quiet_subscriber = self.saved
        return False


class Watcher(object):
    def __init__(self, target, conn, registrations, trust=False):
        self.target = target
        self.trust = trust  # --trust-server-config
        self.conn = conn
        self.keys = [r for r in registrations if r.reader == "KeysReader"]
        self.streams = [StreamWatch(self, r) for r in registrations if r.reader == "StreamReader"]
        self.streams.reverse()  # C: stream registrations are kept newest first
        self.timers = []
        self.timer_seq = 0
        self.queue = []
        self.flags = None
        self.sub = None
        self.quiet = None  # the subscriber whose own events arrive now (see Runtime.quiet_subscriber)
        self.marker_seq = 0

    # -- timers
    def add_timer(self, delay, callback):
        self.timer_seq += 1
        timer = [time.time() + delay, self.timer_seq, callback, True]
        heapq.heappush(self.timers, timer)
        return timer

    def cancel_timer(self, timer):
        if timer is not None:
            timer[3] = False

    def _next_timeout(self):
        while self.timers and not self.timers[0][3]:
            heapq.heappop(self.timers)
        if not self.timers:
            return None
        return max(self.timers[0][0] - time.time(), 0)

    def _fire_timers(self):
        now = time.time()
        while self.timers and (self.timers[0][0] <= now or not self.timers[0][3]):
            timer = heapq.heappop(self.timers)
            if timer[3]:
                timer[3] = False
                timer[2]()
        self.drain()

    # -- notify-keyspace-events (notify_flags)
    def needed_flags(self):
        needed = set()
        if self.keys:
            needed.update("E" + ALL_CLASSES)
            for reg in self.keys:
                events = reg.settings["eventTypes"]
                if events is None or "keymiss" in [e.lower() for e in events]:
                    needed.add("m")  # the server also receives keymiss events
        if self.streams:
            needed.update("Et")
        return needed

    def restore(self):
        if self.flags is not None:
            self.flags.restore()

    def every_second(self):
        """Keeps the flags the session needs, and stops the session once gearc is gone."""
        if lifeline.parent_gone():
            protocol.reader_gone()
            raise Stop()
        self.flags.check()
        self.add_timer(1.0, self.every_second)

    # -- the loop
    def start(self):
        self.flags = KeyspaceFlags(self.target, self.conn, self.needed_flags(), self.trust)
        self.flags.configure()
        self.sub = self.target.connect(select_db=False)
        reply = self.sub.call("PSUBSCRIBE", "__keyevent@%d__:*" % self.target.db)
        if isinstance(reply, RespError):
            raise Fatal("cannot subscribe to keyspace events at %s: %s" % (self.target.display, reply.message))
        self.sub.call("SUBSCRIBE", MARKER_CHANNEL)
        self.sub.call("SUBSCRIBE", self.flags.channel)
        self.add_timer(1.0, self.every_second)

    def active(self):
        return len(self.keys) + len(self.streams)

    def scan_streams(self):
        """What a StreamReader registration does when applied: process the streams there are.
        Done before `watching` is announced, so that what comes after it is new."""
        for stream in reversed(self.streams):  # in registration order
            stream.scan(at_start=True)
            self.drain()

    def run(self):
        watched = [self.sub.sock] + lifeline.descriptors()
        while True:
            if not self.sub.has_buffered_data():
                ready, _, _ = select.select(watched, [], [], self._next_timeout())
                if any(fd is not self.sub.sock for fd in ready):  # gearc is gone (see lifeline)
                    protocol.reader_gone()
                    raise Stop()
                if not ready:
                    self._fire_timers()
                    continue
            message = self.sub.read_reply()
            if isinstance(message, list) and len(message) == 4 and message[0] == b"pmessage":
                channel = message[2]
                event = channel.split(b":", 1)[1].decode("utf-8", "replace") if b":" in channel else ""
                self.on_event(event, message[3])
            elif isinstance(message, list) and len(message) == 3 and message[0] == b"message":
                text = message[2].decode("utf-8", "replace")
                if message[1].decode("utf-8", "replace") == self.flags.channel:
                    self.flags.on_peer_message(text)
                else:
                    self.on_marker(text)
            self._fire_timers()

    def on_event(self, event, raw_key):
        if event == "new":
            return  # not one of the events RedisGears subscribes to
        if event == "keymiss" and self.quiet == "reads":
            return  # raised by the engine's own reads (see engine_reads)
        if self.quiet != "keys":
            for reg in self.keys:
                self.on_key_event(reg, event, raw_key)
        if event == "xadd" and self.quiet != "streams":
            for stream in self.streams:
                stream.on_xadd(raw_key)
        self.drain(in_event=True)

    def on_marker(self, marker):
        if marker.startswith("counted "):
            for stream in self.streams:
                for state in stream.streams.values():
                    if state.counted_until == marker:
                        state.counted_until = None
        else:
            self.quiet = marker[len("begin "):] if marker.startswith("begin ") else None

    def drain(self, in_event=False):
        while self.queue:
            stream, state, batch, read_pending = self.queue.pop(0)
            quiet = "streams" if in_event and stream.reg.mode == "sync" else None
            with quiet_subscriber(quiet):
                stream.execute(state, batch, read_pending)

    def on_key_event(self, reg, event, raw_key):
        """C: KeysReader_ShouldFire then a run over the one key (read when the event arrives)."""
        settings = reg.settings
        key = redis_text(raw_key)
        name = key if isinstance(key, str) else raw_key.decode("utf-8", "replace")
        if not prefix_matches(settings["prefix"], name):
            return
        events = settings["eventTypes"]
        if events is not None and event.lower() not in [e.lower() for e in events]:
            return
        if settings["keyTypes"] is not None:
            kind = key_types(self.conn, [raw_key])[0]
            kind = "empty" if kind == b"none" else kind.decode("utf-8", "replace")
            if kind not in ("string", "list", "hash", "set", "zset", "stream"):
                kind = "module" if kind != "empty" else kind
            if kind not in settings["keyTypes"]:
                return
        source = keys_exact_source(self.conn, raw_key, settings["readValue"], event)
        with quiet_subscriber("keys" if reg.mode == "sync" else None):
            results, errors = execute_plan(reg.steps, source)
        emit(execution_line(reg, "%s %s" % (event, name), results, errors, event=event, key=name))
