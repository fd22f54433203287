"""--watch of StreamReader registrations (C: streams_reader.c; executions run inline)."""

import time

from .gears_dict import M64
from .plan import execute_plan
from .protocol import emit, line, note
from .readers import stream_entry_record
from .registration import execution_line, prefix_matches
from .resp import RespError
from .runtime import MARKER_CHANNEL
from .scan import MAX_SPECULATION, BucketScan

# The server's consumer group and consumer on every stream it reads.
STREAM_GROUP = "__gears_consumer_group__"
STREAM_CONSUMER = "__gears_client__"


class StreamState(object):
    """C: SingleStreamReaderCtx, one per stream a StreamReader registration reads."""

    def __init__(self, key):
        self.key = key
        self.pending = 0
        self.next_batch = 0
        self.batch_start_times = []
        self.running = False
        self.timer = None
        self.counted_until = None  # the marker after which xadd events count again


class StreamWatch(object):
    """One StreamReader registration (C: streams_reader.c, executions run inline)."""

    def __init__(self, watcher, reg):
        self.w = watcher
        self.reg = reg
        self.batch = reg.settings["batch"]
        self.duration = reg.settings["duration"]
        self.policy = reg.settings["onFailedPolicy"]
        self.retry_interval = reg.settings["onFailedRetryInterval"]
        self.trim = reg.settings["trimStream"]
        self.status = "OK"
        self.streams = {}

    # -- the scan at registration (and after a retry): prefix used as a glob (RedisGears#606)
    def scan(self, at_start=False):
        self.status = "OK"
        # No gear code runs during the scan (executions are queued), so it reads ahead freely.
        scan = BucketScan(self.w.conn, self.reg.settings["prefix"].encode("utf-8"), b"stream")
        found = []
        while True:
            batches = scan.fetch(MAX_SPECULATION)
            if not batches:
                break
            for _, keys in batches:
                found.extend(reversed(keys))  # C: each scanned key is added at the head of a list
        if at_start:
            self.announce_backlog(found)
        for key in found:
            if self.status != "OK":
                return
            name = key.decode("utf-8", "replace")
            if name not in self.streams:
                self.create(name, key, set_time=False)

    def announce_backlog(self, keys):
        """Says, before processing them, how many entries the streams there are hold for this
        registration: a first --watch on a long stream processes (and trims) all of it."""
        entries, exact = 0, True
        for key in keys:
            count, known = self.unprocessed(key)
            entries += count
            exact = exact and known
        emit(line("backlog", registration=self.reg.id, streams=len(keys), entries=entries, exact=exact,
                  trim=self.trim))

    def unprocessed(self, raw_key):
        """(entries this registration's consumer group has not processed, whether exactly): its
        pending entries and those not yet delivered (XINFO GROUPS' lag, Redis 7); the whole
        stream when the group does not exist yet (it is created at the start of the stream)."""
        conn = self.w.conn
        groups = conn.call("XINFO", "GROUPS", raw_key)
        length = conn.call("XLEN", raw_key)
        length = length if isinstance(length, int) else 0
        for group in groups if isinstance(groups, list) else []:
            if not isinstance(group, list):
                continue
            fields = dict(zip(group[0::2], group[1::2]))
            if fields.get(b"name") != STREAM_GROUP.encode("utf-8"):
                continue
            pending, lag = fields.get(b"pending"), fields.get(b"lag")
            if isinstance(pending, int) and isinstance(lag, int):
                return pending + lag, True
            return length, False  # an older Redis, or a lag Redis cannot tell: at most the stream
        return length, True

    def create(self, name, raw_key, set_time):
        # The server reads XLEN inside the XADD that made it notice the stream; the events we
        # get are late, so entries added meanwhile are in XLEN and will still be notified. A
        # marker published atomically with XLEN tells which xadd events XLEN already counted.
        self.w.marker_seq += 1
        token = "counted %d" % self.w.marker_seq
        replies = self.w.conn.pipeline([["MULTI"], ["XLEN", raw_key],
                                        ["PUBLISH", MARKER_CHANNEL, token], ["EXEC"]])
        done = replies[-1]
        if not isinstance(done, list) or not isinstance(done[0], int):
            return None
        length = done[0]
        state = StreamState(raw_key)
        state.counted_until = token
        state.pending = length
        now = time.time() if set_time else 0
        state.batch_start_times = [now for _ in range(0, length, max(self.batch, 1))]
        self.streams[name] = state
        # read what was delivered but never acknowledged first, to keep the order
        self.run_on_event(state, 0, True)
        return state

    def on_xadd(self, raw_key):
        if self.status != "OK":
            return
        name = raw_key.decode("utf-8", "replace")
        if not prefix_matches(self.reg.settings["prefix"], name):
            return
        state = self.streams.get(name)
        if state is None:
            state = self.create(name, raw_key, set_time=True)
            if state is None:
                return
        elif state.counted_until is not None:
            return  # this entry was in the XLEN taken when the stream was first seen
        else:
            state.pending += 1
            state.next_batch += 1
            if state.next_batch == 1:
                state.batch_start_times.append(time.time())
            if state.next_batch == self.batch:
                state.next_batch = 0
        if self.batch <= state.pending and not state.running:
            self.w.cancel_timer(state.timer)
            state.timer = None
            self.run_on_event(state, self.batch, False)
        elif not state.running and state.timer is None and self.duration > 0:
            state.timer = self.w.add_timer(self.duration / 1000.0, lambda: self.on_time(state))

    def on_time(self, state):
        state.timer = None
        state.next_batch = 0
        if self.streams.get(state.key.decode("utf-8", "replace")) is state and self.status == "OK":
            self.run_on_event(state, self.batch, False)

    def run_on_event(self, state, batch, read_pending):
        state.running = True
        self.w.queue.append((self, state, batch, read_pending))

    def execute(self, state, batch, read_pending):
        """One execution over the next batch, then what C's StreamReader_ExecutionDone does."""
        # the whole batch is read (and later acknowledged) before any record is processed
        ids, records = self.read(state.key, batch, read_pending)
        results, errors = execute_plan(self.reg.steps, records)
        if ids:
            trigger = "stream %s %s" % (state.key.decode("utf-8", "replace"),
                                        ids[0] if len(ids) == 1 else "%s..%s (%d entries)" % (ids[0], ids[-1], len(ids)))
        else:
            trigger = None
        status = None
        ack_and_trim = not errors
        if errors:
            if self.policy == "continue":
                ack_and_trim = True
            else:
                self.forget_streams()
                if self.policy == "retry":
                    self.status = status = "WAITING_FOR_RETRY_ON_FAILURE"
                    self.w.add_timer(self.retry_interval, self.scan)
                    note("registration %s failed; retrying in %d s (onFailedPolicy='retry')"
                         % (self.reg.id, self.retry_interval))
                else:
                    self.status = status = "ABORTED"
                    note("registration %s is aborted after a failed execution (onFailedPolicy='abort')"
                         % self.reg.id)
        if ack_and_trim:
            if not read_pending:
                if state.batch_start_times:
                    state.batch_start_times.pop(0)
                else:
                    length = self.w.conn.call("XLEN", state.key)
                    state.pending = length if isinstance(length, int) else 0
            self.ack_and_trim(state, ids)
        # reported once acknowledged and trimmed, as the server's execution is done only then
        # Every run is an execution on the server, also one that finds no entry (the read
        # made when a stream is first seen, C: streams_reader.c), measured on 1.2.13.
        name = state.key.decode("utf-8", "replace")
        emit(execution_line(self.reg, trigger or "stream %s" % name, results, errors, status, key=name, ids=ids))
        if ack_and_trim:
            self.trigger_another(state, bool(ids), read_pending)
        else:
            state.running = False

    def read(self, raw_key, batch, read_pending):
        """C: StreamReader_ReadRecords with the consumer group of the registration: (ids, records)."""
        conn = self.w.conn
        args = ["XREADGROUP", "GROUP", STREAM_GROUP, STREAM_CONSUMER]
        if batch > 0:
            args += ["COUNT", batch]
        args += ["STREAMS", raw_key, "0" if read_pending else ">"]
        reply = conn.call(*args)
        if isinstance(reply, RespError):
            conn.call("XGROUP", "CREATE", raw_key, STREAM_GROUP, "0")  # may fail: that is fine
            reply = conn.call(*args)
        if not isinstance(reply, list) or not reply:
            return [], []
        entries = reply[0][1]
        return ([entry[0].decode("utf-8", "replace") for entry in entries],
                [stream_entry_record(raw_key, entry) for entry in entries])

    def ack_and_trim(self, state, ids):
        # The server keeps its own count of unprocessed entries and trims the stream to it:
        # XACK the batch, then XTRIM MAXLEN <entries still to process>. Its count is exact
        # because it learns of each XADD inside the command; ours lags behind, so we trim
        # the same entries by id instead (MINID just past the last processed one): an entry
        # added meanwhile is never trimmed unprocessed.
        if not ids:
            return
        state.pending = max(state.pending - len(ids), 0)
        reply = self.w.conn.call("XACK", state.key, STREAM_GROUP, *ids)
        if isinstance(reply, RespError) or not self.trim:
            return
        last_ms, _, last_seq = ids[-1].partition("-")
        ms, seq = int(last_ms), int(last_seq or 0) + 1
        if seq > M64:
            ms, seq = ms + 1, 0
        reply = self.w.conn.call("XTRIM", state.key, "MINID", "%d-%d" % (ms, seq))
        if isinstance(reply, RespError):  # Redis before 6.2
            self.w.conn.call("XTRIM", state.key, "MAXLEN", state.pending)

    def trigger_another(self, state, has_data, read_pending):
        """C: StreamReader_TriggerAnotherExecutionIfNeeded."""
        if not state.pending:
            state.running = False
            return
        if not has_data and not read_pending and state.next_batch == 0:
            state.running = False
            state.pending = 0
            return
        if self.batch <= state.pending:
            self.run_on_event(state, self.batch, False)
            return
        started = state.batch_start_times[0] if state.batch_start_times else 0
        if not started:
            self.run_on_event(state, self.batch, False)
            state.next_batch = 0
            return
        if self.duration:
            waited = time.time() - started
            if waited >= self.duration / 1000.0:
                self.run_on_event(state, self.batch, False)
                state.next_batch = 0
                return
            state.timer = self.w.add_timer(self.duration / 1000.0 - waited, lambda: self.on_time(state))
        state.running = False

    def forget_streams(self):
        """C: StreamReaderTriggerCtx_CleanSingleStreamsData: executions not yet started are dropped."""
        for state in self.streams.values():
            self.w.cancel_timer(state.timer)
        self.streams = {}
        self.w.queue[:] = [item for item in self.w.queue if item[0] is not self]
