//! Keyspace events, the names `keys(event_types = …)` filters on.
//!
//! The list is what Redis 7.0 (the server RedisGears 1.2.13 runs in) raises, measured
//! by running each write command with `notify-keyspace-events KEAmn` and reading
//! `__keyevent@*__:*` (docs/language.md, "Registrations that can never fire"); `tests/keyspace_events.rs`
//! runs [`WRITES`] against a real redis-server so that the table cannot drift. Several
//! names differ from Redis' documentation page (`zremrangebyscore`, not `zrembyscore`).

use super::readers::KeyType;
use super::vocabulary::{words, Word};

words! {
    /// A keyspace event Redis raises.
    pub enum KeyEvent ("keyspace event") {
        // Generic.
        Del = "del",
        RenameFrom = "rename_from",
        RenameTo = "rename_to",
        MoveFrom = "move_from",
        MoveTo = "move_to",
        CopyTo = "copy_to",
        Restore = "restore",
        Expire = "expire",
        Persist = "persist",
        SortStore = "sortstore",
        Expired = "expired",
        Evicted = "evicted",
        KeyMiss = "keymiss",
        New = "new",
        // Strings.
        Set = "set",
        SetRange = "setrange",
        IncrBy = "incrby",
        IncrByFloat = "incrbyfloat",
        Append = "append",
        SetBit = "setbit",
        PfAdd = "pfadd",
        // Lists.
        LPush = "lpush",
        RPush = "rpush",
        LPop = "lpop",
        RPop = "rpop",
        LInsert = "linsert",
        LSet = "lset",
        LRem = "lrem",
        LTrim = "ltrim",
        // Hashes.
        HSet = "hset",
        HIncrBy = "hincrby",
        HIncrByFloat = "hincrbyfloat",
        HDel = "hdel",
        // Sets.
        SAdd = "sadd",
        SRem = "srem",
        SPop = "spop",
        SInterStore = "sinterstore",
        SUnionStore = "sunionstore",
        SDiffStore = "sdiffstore",
        // Sorted sets (and geo indexes, which are sorted sets).
        ZAdd = "zadd",
        ZIncr = "zincr",
        ZRem = "zrem",
        ZRemRangeByScore = "zremrangebyscore",
        ZRemRangeByRank = "zremrangebyrank",
        ZRemRangeByLex = "zremrangebylex",
        ZPopMin = "zpopmin",
        ZPopMax = "zpopmax",
        ZInterStore = "zinterstore",
        ZUnionStore = "zunionstore",
        ZDiffStore = "zdiffstore",
        ZRangeStore = "zrangestore",
        GeoRadiusStore = "georadiusstore",
        GeoSearchStore = "geosearchstore",
        // Streams.
        XAdd = "xadd",
        XDel = "xdel",
        XTrim = "xtrim",
        XSetId = "xsetid",
        XGroupCreate = "xgroup-create",
        XGroupCreateConsumer = "xgroup-createconsumer",
        XGroupDelConsumer = "xgroup-delconsumer",
        XGroupSetId = "xgroup-setid",
        XGroupDestroy = "xgroup-destroy",
    }
}

impl KeyEvent {
    /// Raised on a key that no longer exists: RedisGears reads its type as `'empty'`,
    /// so a `key_types` filter never lets such an event through.
    pub fn key_is_gone(self) -> bool {
        matches!(
            self,
            KeyEvent::Del
                | KeyEvent::Expired
                | KeyEvent::Evicted
                | KeyEvent::KeyMiss
                | KeyEvent::RenameFrom
                | KeyEvent::MoveFrom
        )
    }

    /// The type of the key after the write that raised it; `None` for the generic
    /// events (`expire`, `del`, …), which any type of key raises.
    pub fn key_type(self) -> Option<KeyType> {
        use KeyEvent::*;
        Some(match self {
            Set | SetRange | IncrBy | IncrByFloat | Append | SetBit | PfAdd => KeyType::String,
            LPush | RPush | LPop | RPop | LInsert | LSet | LRem | LTrim => KeyType::List,
            HSet | HIncrBy | HIncrByFloat | HDel => KeyType::Hash,
            SAdd | SRem | SPop | SInterStore | SUnionStore | SDiffStore => KeyType::Set,
            ZAdd | ZIncr | ZRem | ZRemRangeByScore | ZRemRangeByRank | ZRemRangeByLex | ZPopMin
            | ZPopMax | ZInterStore | ZUnionStore | ZDiffStore | ZRangeStore | GeoRadiusStore
            | GeoSearchStore => KeyType::Zset,
            XAdd | XDel | XTrim | XSetId | XGroupCreate | XGroupCreateConsumer
            | XGroupDelConsumer | XGroupSetId | XGroupDestroy => KeyType::Stream,
            Del | RenameFrom | RenameTo | MoveFrom | MoveTo | CopyTo | Restore | Expire
            | Persist | SortStore | Expired | Evicted | KeyMiss | New => return None,
        })
    }

    /// Redis raises it, but RedisGears 1.2 does not subscribe to it (measured: a
    /// registration for `"new"` never fires; RedisGears predates the `n` class).
    pub fn unseen_by_gears(self) -> bool {
        self == KeyEvent::New
    }
}

/// The events a write command raises on the key that is its first argument,
/// measured on Redis 7.0 (a command that creates the key also raises `new`).
pub const WRITES: &[(&str, &[KeyEvent])] = {
    use KeyEvent::*;
    &[
        ("set", &[Set]),
        ("setex", &[Set, Expire]),
        ("psetex", &[Set, Expire]),
        ("setnx", &[Set]),
        ("mset", &[Set]),
        ("msetnx", &[Set]),
        ("getset", &[Set]),
        ("getdel", &[Del]),
        ("setrange", &[SetRange]),
        ("append", &[Append]),
        ("incr", &[IncrBy]),
        ("decr", &[IncrBy]),
        ("incrby", &[IncrBy]),
        ("decrby", &[IncrBy]),
        ("incrbyfloat", &[IncrByFloat]),
        ("setbit", &[SetBit]),
        ("bitfield", &[SetBit]),
        ("pfadd", &[PfAdd]),
        ("del", &[Del]),
        ("unlink", &[Del]),
        ("expire", &[Expire]),
        ("pexpire", &[Expire]),
        ("expireat", &[Expire]),
        ("pexpireat", &[Expire]),
        ("persist", &[Persist]),
        ("rename", &[RenameFrom]),
        ("renamenx", &[RenameFrom]),
        ("lpush", &[LPush]),
        ("rpush", &[RPush]),
        ("lpushx", &[LPush]),
        ("rpushx", &[RPush]),
        ("lpop", &[LPop]),
        ("rpop", &[RPop]),
        ("linsert", &[LInsert]),
        ("lset", &[LSet]),
        ("lrem", &[LRem]),
        ("ltrim", &[LTrim]),
        ("hset", &[HSet]),
        ("hmset", &[HSet]),
        ("hsetnx", &[HSet]),
        ("hincrby", &[HIncrBy]),
        ("hincrbyfloat", &[HIncrByFloat]),
        ("hdel", &[HDel]),
        ("sadd", &[SAdd]),
        ("srem", &[SRem]),
        ("spop", &[SPop]),
        ("sinterstore", &[SInterStore]),
        ("sunionstore", &[SUnionStore]),
        ("sdiffstore", &[SDiffStore]),
        ("zadd", &[ZAdd]),
        ("zincrby", &[ZIncr]),
        ("zrem", &[ZRem]),
        ("zremrangebyscore", &[ZRemRangeByScore]),
        ("zremrangebyrank", &[ZRemRangeByRank]),
        ("zremrangebylex", &[ZRemRangeByLex]),
        ("zpopmin", &[ZPopMin]),
        ("zpopmax", &[ZPopMax]),
        ("zinterstore", &[ZInterStore]),
        ("zunionstore", &[ZUnionStore]),
        ("zdiffstore", &[ZDiffStore]),
        ("zrangestore", &[ZRangeStore]),
        ("geoadd", &[ZAdd]),
        ("geosearchstore", &[GeoSearchStore]),
        ("xadd", &[XAdd]),
        ("xdel", &[XDel]),
        ("xtrim", &[XTrim]),
        ("xsetid", &[XSetId]),
    ]
};

/// The events `command` (any case) raises on its first argument, if it is a known write.
pub fn raised_by(command: &str) -> Option<&'static [KeyEvent]> {
    let command = command.to_ascii_lowercase();
    WRITES
        .iter()
        .find(|(c, _)| *c == command)
        .map(|(_, events)| *events)
}

/// Commands that only read: they raise no keyspace event (RedisGears#460), so a
/// registration for them never fires.
pub const READS: &[&str] = &[
    "get",
    "mget",
    "getrange",
    "strlen",
    "exists",
    "type",
    "ttl",
    "pttl",
    "hget",
    "hmget",
    "hgetall",
    "hkeys",
    "hvals",
    "hlen",
    "hexists",
    "lrange",
    "llen",
    "lindex",
    "smembers",
    "sismember",
    "scard",
    "zrange",
    "zscore",
    "zcard",
    "zrank",
    "xrange",
    "xrevrange",
    "xread",
    "xlen",
    "scan",
    "keys",
    "dbsize",
    "bitcount",
    "getbit",
];

/// What a name in `event_types` means.
#[derive(Clone, Debug, PartialEq)]
pub enum EventName {
    /// An event Redis raises (matched case-insensitively, as RedisGears does).
    Event(KeyEvent),
    /// A module's event, namespaced with a dot (`json.set`): gearc cannot know them all.
    Module(String),
    /// Any other name, kept as written: it matches no event.
    Other(String),
}

impl EventName {
    /// The name as RedisGears is given it.
    pub fn spelling(&self) -> &str {
        match self {
            EventName::Event(e) => e.spelling(),
            EventName::Module(s) | EventName::Other(s) => s,
        }
    }

    pub fn event(&self) -> Option<KeyEvent> {
        match self {
            EventName::Event(e) => Some(*e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_names_a_lowercase_command_once() {
        for (i, (c, _)) in WRITES.iter().enumerate() {
            assert_eq!(c.to_ascii_lowercase(), *c);
            assert!(!WRITES[..i].iter().any(|(d, _)| d == c), "{c} twice");
            assert!(!READS.contains(c), "{c} is a read and a write");
        }
    }

    #[test]
    fn commands_are_looked_up_in_any_case() {
        assert_eq!(raised_by("HMSET"), Some(&[KeyEvent::HSet][..]));
        assert_eq!(raised_by("get"), None);
    }
}
