//! The checker's table of keyspace events (`gearc::ir::events`) against a real
//! redis-server: each write command in `WRITES` raises exactly the events the table
//! says on its key (besides `new`), and every event of `KeyEvent` is raised by some
//! command. A Redis that names an event differently fails here, not in a user's
//! registration that silently never fires.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use gearc::ir::events::{raised_by, WRITES};
use gearc::ir::{KeyEvent, Word};
use support::RedisServer;

/// Commands that prepare the keyspace.
type Setup = &'static [&'static [&'static str]];

/// For each command of `WRITES`: its setup, then the command itself, whose first
/// argument is the key `k`.
const CASES: &[(&str, Setup, &[&str])] = &[
    ("set", &[], &["SET", "k", "v"]),
    ("setex", &[], &["SETEX", "k", "100", "v"]),
    ("psetex", &[], &["PSETEX", "k", "100000", "v"]),
    ("setnx", &[], &["SETNX", "k", "v"]),
    ("mset", &[], &["MSET", "k", "v"]),
    ("msetnx", &[], &["MSETNX", "k", "v"]),
    ("getset", &[&["SET", "k", "v"]], &["GETSET", "k", "w"]),
    ("getdel", &[&["SET", "k", "v"]], &["GETDEL", "k"]),
    (
        "setrange",
        &[&["SET", "k", "v"]],
        &["SETRANGE", "k", "0", "x"],
    ),
    ("append", &[], &["APPEND", "k", "v"]),
    ("incr", &[], &["INCR", "k"]),
    ("decr", &[], &["DECR", "k"]),
    ("incrby", &[], &["INCRBY", "k", "2"]),
    ("decrby", &[], &["DECRBY", "k", "2"]),
    ("incrbyfloat", &[], &["INCRBYFLOAT", "k", "1.5"]),
    ("setbit", &[], &["SETBIT", "k", "1", "1"]),
    ("bitfield", &[], &["BITFIELD", "k", "SET", "u8", "0", "1"]),
    ("pfadd", &[], &["PFADD", "k", "a"]),
    ("del", &[&["SET", "k", "v"]], &["DEL", "k"]),
    ("unlink", &[&["SET", "k", "v"]], &["UNLINK", "k"]),
    ("expire", &[&["SET", "k", "v"]], &["EXPIRE", "k", "100"]),
    (
        "pexpire",
        &[&["SET", "k", "v"]],
        &["PEXPIRE", "k", "100000"],
    ),
    (
        "expireat",
        &[&["SET", "k", "v"]],
        &["EXPIREAT", "k", "9999999999"],
    ),
    (
        "pexpireat",
        &[&["SET", "k", "v"]],
        &["PEXPIREAT", "k", "9999999999000"],
    ),
    (
        "persist",
        &[&["SET", "k", "v", "EX", "100"]],
        &["PERSIST", "k"],
    ),
    ("rename", &[&["SET", "k", "v"]], &["RENAME", "k", "other"]),
    (
        "renamenx",
        &[&["SET", "k", "v"]],
        &["RENAMENX", "k", "other"],
    ),
    ("lpush", &[], &["LPUSH", "k", "a"]),
    ("rpush", &[], &["RPUSH", "k", "a"]),
    ("lpushx", &[&["RPUSH", "k", "a"]], &["LPUSHX", "k", "b"]),
    ("rpushx", &[&["RPUSH", "k", "a"]], &["RPUSHX", "k", "b"]),
    ("lpop", &[&["RPUSH", "k", "a", "b"]], &["LPOP", "k"]),
    ("rpop", &[&["RPUSH", "k", "a", "b"]], &["RPOP", "k"]),
    (
        "linsert",
        &[&["RPUSH", "k", "a"]],
        &["LINSERT", "k", "BEFORE", "a", "z"],
    ),
    ("lset", &[&["RPUSH", "k", "a"]], &["LSET", "k", "0", "b"]),
    (
        "lrem",
        &[&["RPUSH", "k", "a", "b"]],
        &["LREM", "k", "1", "a"],
    ),
    (
        "ltrim",
        &[&["RPUSH", "k", "a", "b"]],
        &["LTRIM", "k", "0", "0"],
    ),
    ("hset", &[], &["HSET", "k", "f", "v"]),
    ("hmset", &[], &["HMSET", "k", "f", "v"]),
    ("hsetnx", &[], &["HSETNX", "k", "f", "v"]),
    ("hincrby", &[], &["HINCRBY", "k", "f", "1"]),
    ("hincrbyfloat", &[], &["HINCRBYFLOAT", "k", "f", "1.5"]),
    (
        "hdel",
        &[&["HSET", "k", "f", "v", "g", "w"]],
        &["HDEL", "k", "f"],
    ),
    ("sadd", &[], &["SADD", "k", "a"]),
    ("srem", &[&["SADD", "k", "a", "b"]], &["SREM", "k", "a"]),
    ("spop", &[&["SADD", "k", "a", "b"]], &["SPOP", "k"]),
    (
        "sinterstore",
        &[&["SADD", "s1", "a"], &["SADD", "s2", "a"]],
        &["SINTERSTORE", "k", "s1", "s2"],
    ),
    (
        "sunionstore",
        &[&["SADD", "s1", "a"], &["SADD", "s2", "b"]],
        &["SUNIONSTORE", "k", "s1", "s2"],
    ),
    (
        "sdiffstore",
        &[&["SADD", "s1", "a", "b"], &["SADD", "s2", "b"]],
        &["SDIFFSTORE", "k", "s1", "s2"],
    ),
    ("zadd", &[], &["ZADD", "k", "1", "a"]),
    ("zincrby", &[], &["ZINCRBY", "k", "1", "a"]),
    (
        "zrem",
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &["ZREM", "k", "a"],
    ),
    (
        "zremrangebyscore",
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &["ZREMRANGEBYSCORE", "k", "0", "1"],
    ),
    (
        "zremrangebyrank",
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &["ZREMRANGEBYRANK", "k", "0", "0"],
    ),
    (
        "zremrangebylex",
        &[&["ZADD", "k", "0", "a", "0", "b"]],
        &["ZREMRANGEBYLEX", "k", "[a", "[a"],
    ),
    (
        "zpopmin",
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &["ZPOPMIN", "k"],
    ),
    (
        "zpopmax",
        &[&["ZADD", "k", "1", "a", "2", "b"]],
        &["ZPOPMAX", "k"],
    ),
    (
        "zinterstore",
        &[&["ZADD", "z1", "1", "a"], &["ZADD", "z2", "1", "a"]],
        &["ZINTERSTORE", "k", "2", "z1", "z2"],
    ),
    (
        "zunionstore",
        &[&["ZADD", "z1", "1", "a"], &["ZADD", "z2", "1", "b"]],
        &["ZUNIONSTORE", "k", "2", "z1", "z2"],
    ),
    (
        "zdiffstore",
        &[
            &["ZADD", "z1", "1", "a", "2", "b"],
            &["ZADD", "z2", "1", "a"],
        ],
        &["ZDIFFSTORE", "k", "2", "z1", "z2"],
    ),
    (
        "zrangestore",
        &[&["ZADD", "z1", "1", "a"]],
        &["ZRANGESTORE", "k", "z1", "0", "-1"],
    ),
    ("geoadd", &[], &["GEOADD", "k", "13.36", "38.11", "p"]),
    (
        "geosearchstore",
        &[&["GEOADD", "g", "13.36", "38.11", "p"]],
        &[
            "GEOSEARCHSTORE",
            "k",
            "g",
            "FROMLONLAT",
            "15",
            "37",
            "BYRADIUS",
            "200",
            "km",
        ],
    ),
    ("xadd", &[], &["XADD", "k", "*", "f", "v"]),
    (
        "xdel",
        &[&["XADD", "k", "1-1", "f", "v"]],
        &["XDEL", "k", "1-1"],
    ),
    (
        "xtrim",
        &[
            &["XADD", "k", "1-1", "f", "v"],
            &["XADD", "k", "2-1", "f", "v"],
        ],
        &["XTRIM", "k", "MAXLEN", "1"],
    ),
    (
        "xsetid",
        &[&["XADD", "k", "1-1", "f", "v"]],
        &["XSETID", "k", "5-0"],
    ),
];

/// Events no write in `WRITES` raises on its first key, each with a way to raise it
/// on `k`.
const OTHERS: &[(KeyEvent, Setup, &[&str])] = &[
    (
        KeyEvent::RenameTo,
        &[&["SET", "src", "v"]],
        &["RENAME", "src", "k"],
    ),
    (
        KeyEvent::MoveFrom,
        &[&["SET", "k", "v"]],
        &["MOVE", "k", "1"],
    ),
    (KeyEvent::MoveTo, &[&["SET", "k", "v"]], &["MOVE", "k", "1"]),
    (
        KeyEvent::CopyTo,
        &[&["SET", "src", "v"]],
        &["COPY", "src", "k"],
    ),
    (
        KeyEvent::SortStore,
        &[&["RPUSH", "src", "2", "1"]],
        &["SORT", "src", "STORE", "k"],
    ),
    (KeyEvent::KeyMiss, &[], &["GET", "k"]),
    (KeyEvent::New, &[], &["SET", "k", "v"]),
    // Redis' active expiry (10 times a second) removes the key while BLPOP waits.
    (
        KeyEvent::Expired,
        &[&["SET", "k", "v", "PX", "100"]],
        &["BLPOP", "nothing", "0.4"],
    ),
    (
        KeyEvent::GeoRadiusStore,
        &[&["GEOADD", "g", "13.36", "38.11", "p"]],
        &["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "k"],
    ),
    (
        KeyEvent::XGroupCreate,
        &[&["XADD", "k", "1-1", "f", "v"]],
        &["XGROUP", "CREATE", "k", "g", "0"],
    ),
    (
        KeyEvent::XGroupCreateConsumer,
        &[
            &["XADD", "k", "1-1", "f", "v"],
            &["XGROUP", "CREATE", "k", "g", "0"],
        ],
        &["XGROUP", "CREATECONSUMER", "k", "g", "c"],
    ),
    (
        KeyEvent::XGroupDelConsumer,
        &[
            &["XADD", "k", "1-1", "f", "v"],
            &["XGROUP", "CREATE", "k", "g", "0"],
            &["XGROUP", "CREATECONSUMER", "k", "g", "c"],
        ],
        &["XGROUP", "DELCONSUMER", "k", "g", "c"],
    ),
    (
        KeyEvent::XGroupSetId,
        &[
            &["XADD", "k", "1-1", "f", "v"],
            &["XGROUP", "CREATE", "k", "g", "0"],
        ],
        &["XGROUP", "SETID", "k", "g", "0"],
    ),
    (
        KeyEvent::XGroupDestroy,
        &[
            &["XADD", "k", "1-1", "f", "v"],
            &["XGROUP", "CREATE", "k", "g", "0"],
        ],
        &["XGROUP", "DESTROY", "k", "g"],
    ),
];

struct Events {
    con: redis::Connection,
    listener: redis::Connection,
}

impl Events {
    fn new(server: &RedisServer) -> Events {
        let mut con = server.con();
        let _: () = redis::cmd("CONFIG")
            .arg(&["SET", "notify-keyspace-events", "KEAmn"][..])
            .query(&mut con)
            .expect("CONFIG SET");
        let mut listener = server.con();
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let _: () = redis::cmd("PSUBSCRIBE")
            .arg("__keyevent@*__:*")
            .arg("mark")
            .query(&mut listener)
            .unwrap_or(());
        Events { con, listener }
    }

    fn run(&mut self, args: &[&str]) {
        let _: redis::Value = redis::cmd(args[0])
            .arg(&args[1..])
            .query(&mut self.con)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }

    /// The events raised on the key `k` by `command` after `setup`, from a fresh keyspace.
    fn raised(&mut self, setup: &[&[&str]], command: &[&str]) -> BTreeSet<String> {
        self.run(&["FLUSHALL"]);
        for s in setup {
            self.run(s);
        }
        self.mark();
        self.run(command);
        self.mark()
            .into_iter()
            .filter(|(_, key)| key == "k")
            .map(|(event, _)| event)
            .collect()
    }

    /// Publishes a marker and returns the events (with their keys) received before it.
    fn mark(&mut self) -> BTreeSet<(String, String)> {
        self.run(&["PUBLISH", "mark", "x"]);
        let mut seen = BTreeSet::new();
        loop {
            let msg = self.listener.recv_response().expect("a pub/sub message");
            let redis::Value::Array(parts) = msg else {
                continue;
            };
            let text: Vec<String> = parts
                .iter()
                .filter_map(|p| redis::from_redis_value::<String>(p.clone()).ok())
                .collect();
            match text.as_slice() {
                [kind, _, channel, _] if kind == "pmessage" && channel == "mark" => {
                    return seen;
                }
                [kind, _, channel, key] if kind == "pmessage" => {
                    let event = channel.split_once(':').map_or("", |(_, e)| e);
                    seen.insert((event.to_string(), key.clone()));
                }
                _ => {}
            }
        }
    }
}

#[test]
fn writes_raise_the_events_the_checker_expects() {
    let server = RedisServer::start();
    let mut events = Events::new(&server);
    let covered: BTreeSet<&str> = CASES.iter().map(|(c, _, _)| *c).collect();
    for (command, _) in WRITES {
        assert!(covered.contains(command), "no case for `{command}`");
    }
    for (command, setup, args) in CASES {
        let mut raised = events.raised(setup, args);
        raised.remove("new");
        let expected: BTreeSet<String> = raised_by(command)
            .unwrap_or_else(|| panic!("`{command}` is not in WRITES"))
            .iter()
            .map(|e| e.spelling().to_string())
            .collect();
        assert_eq!(raised, expected, "{args:?}");
    }
}

#[test]
fn every_keyspace_event_is_raised_by_some_command() {
    let server = RedisServer::start();
    let mut events = Events::new(&server);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (_, setup, args) in CASES {
        seen.extend(events.raised(setup, args));
    }
    for (event, setup, args) in OTHERS {
        let raised = events.raised(setup, args);
        assert!(
            raised.contains(event.spelling()),
            "{args:?} raised {raised:?}, not `{event}`"
        );
        seen.extend(raised);
    }
    seen.extend(restore(&mut events));
    seen.extend(evictions(&mut events));
    let all: BTreeSet<String> = KeyEvent::ALL.iter().map(|e| e.to_string()).collect();
    assert_eq!(seen, all);
}

/// The events raised while a memory-capped Redis evicts keys to make room.
fn evictions(events: &mut Events) -> BTreeSet<String> {
    events.run(&["FLUSHALL"]);
    events.run(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query(&mut events.con)
        .expect("INFO");
    let used: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory");
    events.run(&["CONFIG", "SET", "maxmemory", &(used + 200_000).to_string()]);
    let value = "x".repeat(100);
    for i in 0..3000 {
        events.run(&["SET", &format!("fill:{i}"), &value]);
    }
    events.run(&["CONFIG", "SET", "maxmemory", "0"]);
    events.mark().into_iter().map(|(event, _)| event).collect()
}

/// The events of RESTORE, which needs the binary of a DUMP.
fn restore(events: &mut Events) -> BTreeSet<String> {
    events.run(&["FLUSHALL"]);
    events.run(&["SET", "src", "v"]);
    let dump: Vec<u8> = redis::cmd("DUMP")
        .arg("src")
        .query(&mut events.con)
        .expect("DUMP");
    events.mark();
    let _: () = redis::cmd("RESTORE")
        .arg("k")
        .arg(0)
        .arg(dump)
        .query(&mut events.con)
        .expect("RESTORE");
    let raised: BTreeSet<String> = events
        .mark()
        .into_iter()
        .filter(|(_, key)| key == "k")
        .map(|(event, _)| event)
        .collect();
    assert!(raised.contains("restore"), "RESTORE raised {raised:?}");
    raised
}
