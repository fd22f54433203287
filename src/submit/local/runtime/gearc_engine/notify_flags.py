"""notify-keyspace-events for a --watch session: set what it needs, keep it set, and take
back only what it added.

The setting is server-wide and other clients may change it, other gearc sessions above all.
So a session:
- at start adds only the flags it lacks, and remembers them as its own;
- checks the setting every second: flags it needs that disappeared are set again (with a
  note: events in between were missed), and a change nobody announced marks the setting as
  someone else's;
- at the end removes its own flags, only if the setting is still what it knows, and keeps
  those another live session needs: it hands them over, and the last session removes them.

Where CONFIG cannot be read (renamed or disabled, as on managed Redis services; refused by an
ACL), the session cannot know the setting: it refuses to start, naming the flags it needs,
unless told to trust the server (--trust-server-config), when it starts without checking and
changes nothing. Where CONFIG GET works, flags already there are enough, so CONFIG SET is
only needed for flags that are missing.

Live sessions find each other through a Pub/Sub channel each one listens on,
`__gearc_watch__:<pid>:<flags it needs>` (PUBSUB CHANNELS lists them; a session that dies
takes its channel with it), and announce there each change they make.
"""

import json
import os

from .protocol import Fatal, note
from .resp import RespError

ALL_CLASSES = "g$lshzxetd"  # what 'A' stands for in notify-keyspace-events
PEER_PREFIX = "__gearc_watch__:"

# What each flag a session may need makes Redis notify (for the messages), in flag_string's order.
FLAG_MEANINGS = (("A", "every kind of event"), ("E", "key-event notifications"),
                 ("m", "key misses"), ("t", "stream commands"))


def flag_set(flags):
    chars = set(flags)
    if "A" in chars:
        chars.discard("A")
        chars.update(ALL_CLASSES)
    return chars


def flag_string(chars):
    chars = set(chars)
    text = ""
    if set(ALL_CLASSES) <= chars:
        text = "A"
        chars -= set(ALL_CLASSES)
    return text + "".join(sorted(chars))


class KeyspaceFlags(object):
    def __init__(self, target, conn, needed, trust=False):
        self.target = target
        self.conn = conn
        self.needed = set(needed)
        self.trust = trust  # --trust-server-config: an unreadable setting is taken to be right
        self.unreadable = False  # CONFIG GET failed at start and the setting is trusted
        self.channel = "%s%d:%s" % (PEER_PREFIX, os.getpid(), flag_string(self.needed))
        self.added = set()  # the flags this session must take back
        self.expected = None  # the setting as this session knows it (a set of flags)
        self.unexplained = False  # it differed at the last check, with no peer's word for it
        self.foreign = False  # someone else changed it: it is left as it is at the end

    # -- reading and writing the setting
    def _read(self, conn):
        """(the setting as a set of flags, None) or (None, why it cannot be read)."""
        reply = conn.call("CONFIG", "GET", "notify-keyspace-events")
        if isinstance(reply, RespError) or not isinstance(reply, list) or len(reply) < 2:
            return None, reply.message.strip() if isinstance(reply, RespError) else "unexpected reply"
        return flag_set(reply[1].decode("utf-8", "replace")), None

    def _get(self, conn, what):
        current, why = self._read(conn)
        if current is None:
            raise Fatal("--watch needs keyspace notifications, but CONFIG GET notify-keyspace-events failed at "
                        "%s %s: %s. Allow CONFIG for this user, or set notify-keyspace-events to include "
                        "'%s' on the server" % (self.target.display, what, why, flag_string(self.needed)))
        return current

    def wanted(self, flags=None):
        """'AE' (E: key-event notifications, A: every kind of event), for messages."""
        text = flag_string(self.needed if flags is None else flags)
        said = ["%s: %s" % (flag, meaning) for flag, meaning in FLAG_MEANINGS if flag in text]
        return "'%s' (%s)" % (text, ", ".join(said))

    def _set(self, conn, flags, why, advice=""):
        """CONFIG SET, announced to the other sessions in the same transaction."""
        value = flag_string(flags)
        commands = [["MULTI"]] + [["PUBLISH", peer, json.dumps(["set", value])] for peer in self._peers(conn)]
        commands += [["CONFIG", "SET", "notify-keyspace-events", value], ["EXEC"]]
        replies = conn.pipeline(commands)
        done = replies[-1]
        failed = done[-1] if isinstance(done, list) and done else done
        if not isinstance(done, list) or isinstance(failed, RespError):
            # a command refused while queued (NOPERM) makes EXEC answer only EXECABORT: say why
            queued = [r for r in replies[1:-1] if isinstance(r, RespError)]
            failed = queued[-1] if queued else failed
            message = failed.message.strip().rstrip(".") if isinstance(failed, RespError) else "the transaction failed"
            raise Fatal("--watch needs keyspace notifications, but CONFIG SET notify-keyspace-events %s failed "
                        "at %s %s: %s%s" % (value, self.target.display, why, message, advice))
        self.expected = set(flags)
        self.unexplained = False
        return value

    def _peers(self, conn):
        """The channels of the other live sessions."""
        reply = conn.call("PUBSUB", "CHANNELS", PEER_PREFIX + "*")
        if not isinstance(reply, list):
            return []
        names = [c.decode("utf-8", "replace") for c in reply if isinstance(c, bytes)]
        return [name for name in names if name != self.channel]

    def _needed_by_peers(self, peers):
        flags = set()
        for name in peers:
            flags |= flag_set(name[len(PEER_PREFIX):].partition(":")[2])
        return flags

    # -- the session
    def configure(self):
        if not self.needed:
            return
        current, why = self._read(self.conn)
        if current is None and self.trust:
            self.unreadable = True
            note("cannot read notify-keyspace-events (CONFIG GET: %s); trusting the server to have %s, as "
                 "--trust-server-config says: nothing is checked or changed, and a registration whose events "
                 "the server does not send never fires" % (why, self.wanted()))
            return
        if current is None:
            raise Fatal("--watch needs notify-keyspace-events to include %s, but CONFIG GET "
                        "notify-keyspace-events failed at %s when starting: %s. CONFIG is refused, renamed or "
                        "disabled (as on managed Redis services), so gearc cannot tell whether the server sends "
                        "those events. If the server's notify-keyspace-events holds '%s' (set in the service's "
                        "settings), run again with --trust-server-config; otherwise allow CONFIG for this user"
                        % (self.wanted(), self.target.display, why, flag_string(self.needed)))
        self.expected = current
        if self.needed <= current:
            return  # nothing to change: CONFIG SET is not needed (it may well be refused)
        self.added = self.needed - current
        advice = (". The server's notify-keyspace-events is '%s', and --watch needs it to include %s: set "
                  "that on the server (for a managed Redis, in the service's settings), or allow CONFIG SET "
                  "for this user" % (flag_string(current), self.wanted()))
        value = self._set(self.conn, current | self.needed, "when starting", advice)
        note("notify-keyspace-events set to '%s' (was '%s'); what was added is taken back on exit"
             % (value, flag_string(current)))

    def check(self):
        """Called every second while watching."""
        if not self.needed or self.unreadable:
            return
        current = self._get(self.conn, "while watching")
        if current == self.expected:
            self.unexplained = False
            return
        missing = self.needed - current
        if missing:
            value = self._set(self.conn, current | self.needed, "while watching")
            self.added |= missing
            note("notify-keyspace-events lost '%s' (another client changed it to '%s'); set back to '%s'. "
                 "Events in between may have been missed" % (flag_string(missing), flag_string(current), value))
        elif self.unexplained:
            self.foreign = True
            self.expected = current
            note("notify-keyspace-events was changed by another client to '%s'; it is left as it is on exit"
                 % flag_string(current))
        else:
            self.unexplained = True  # a session's word about it may still be on its way

    def on_peer_message(self, text):
        try:
            word = json.loads(text)
        except ValueError:
            return
        if word[0] == "set":
            self.expected = flag_set(word[1])
            self.unexplained = False
        elif word[0] == "inherit":
            self.added |= flag_set(word[1])
            self.expected = flag_set(word[2])
            self.unexplained = False

    def restore(self):
        """Takes back what this session added, on a fresh connection (the main one may be
        mid-reply)."""
        if not self.added:
            return
        conn = self.target.connect(select_db=False)
        try:
            current = self._get(conn, "when stopping")
            if self.foreign or current != self.expected:
                note("notify-keyspace-events is '%s', changed by another client since: left as it is"
                     % flag_string(current))
                return
            peers = self._peers(conn)
            kept = self.added & self._needed_by_peers(peers)
            remaining = current - (self.added - kept)
            if remaining != current:
                self._set(conn, remaining, "when stopping")
            if kept:
                for peer in peers:  # the last session to need them takes them back
                    conn.call("PUBLISH", peer, json.dumps(["inherit", flag_string(kept), flag_string(remaining)]))
            self.added = set()
        finally:
            conn.close()
