//! The readers (language.md section 3) and the key types of `keys(key_types = …)`:
//! their spellings, their RedisGears names, their parameters and which terminal
//! each applies to.

use super::types::Type;
use super::vocabulary::{named, opt, req, words, Param, TerminalKind, Word};

words! {
    /// What starts a pipeline.
    pub enum ReaderKind ("reader") {
        Keys = "keys",
        KeysOnly = "keys_only",
        Stream = "stream",
        Python = "python",
        Shards = "shards",
        Command = "command",
    }
}

/// Which terminal a reader argument applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    Both,
    Run,
    Register,
}

impl Applies {
    /// The terminal it applies to when it does not apply to `terminal`.
    pub fn only_other_than(self, terminal: TerminalKind) -> Option<TerminalKind> {
        match (self, terminal) {
            (Applies::Run, TerminalKind::Register) => Some(TerminalKind::Run),
            (Applies::Register, TerminalKind::Run) => Some(TerminalKind::Register),
            _ => None,
        }
    }
}

/// The type a reader argument must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    Str,
    Int,
    Bool,
    StrList,
    Any,
}

impl ArgType {
    pub fn ty(self) -> Type {
        match self {
            ArgType::Str => Type::Str,
            ArgType::Int => Type::Int,
            ArgType::Bool => Type::Bool,
            ArgType::StrList => Type::list(Type::Str),
            ArgType::Any => Type::Any,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderParam {
    pub param: Param,
    pub applies: Applies,
    pub ty: ArgType,
}

const fn arg(param: Param, applies: Applies, ty: ArgType) -> ReaderParam {
    ReaderParam { param, applies, ty }
}

impl ReaderKind {
    /// The RedisGears reader name, the argument of `GB(…)`.
    pub fn gears_name(self) -> &'static str {
        match self {
            ReaderKind::Keys => "KeysReader",
            ReaderKind::KeysOnly => "KeysOnlyReader",
            ReaderKind::Stream => "StreamReader",
            ReaderKind::Python => "PythonReader",
            ReaderKind::Shards => "ShardsIDReader",
            ReaderKind::Command => "CommandReader",
        }
    }

    /// Whether RedisGears can end this reader with `terminal` (reference section 1).
    pub fn supports(self, terminal: TerminalKind) -> bool {
        match terminal {
            TerminalKind::Run => self != ReaderKind::Command,
            TerminalKind::Register => matches!(
                self,
                ReaderKind::Keys | ReaderKind::Stream | ReaderKind::Command
            ),
        }
    }

    /// Its arguments, in positional order.
    pub fn params(self) -> &'static [ReaderParam] {
        use Applies::*;
        use ArgType::*;
        match self {
            ReaderKind::Keys => {
                const {
                    &[
                        arg(opt("pattern"), Both, Str),
                        arg(named("count"), Run, Int),
                        arg(named("no_scan"), Run, Bool),
                        arg(named("read_value"), Both, Bool),
                        arg(named("key_types"), Both, StrList),
                        arg(named("event_types"), Register, StrList),
                        arg(named("commands"), Register, StrList),
                    ]
                }
            }
            ReaderKind::KeysOnly => {
                const {
                    &[
                        arg(opt("pattern"), Both, Str),
                        arg(named("count"), Run, Int),
                        arg(named("no_scan"), Run, Bool),
                    ]
                }
            }
            ReaderKind::Stream => {
                const {
                    &[
                        arg(opt("pattern"), Both, Str),
                        arg(named("from_id"), Run, Str),
                        arg(named("batch"), Register, Int),
                        arg(named("duration"), Register, Int),
                        arg(named("trim_stream"), Register, Bool),
                    ]
                }
            }
            ReaderKind::Python => {
                const {
                    &[
                        arg(req("gen"), Both, Any),
                        arg(named("per_shard"), Run, Bool),
                    ]
                }
            }
            ReaderKind::Shards => &[],
            ReaderKind::Command => {
                const {
                    &[
                        arg(opt("trigger"), Register, Str),
                        arg(named("hook"), Register, Str),
                        arg(named("key_prefix"), Register, Str),
                    ]
                }
            }
        }
    }

    pub fn param(self, name: &str) -> Option<&'static ReaderParam> {
        self.params().iter().find(|p| p.param.name == name)
    }
}

words! {
    /// A Redis key type, as `keys(key_types = …)` names it.
    pub enum KeyType ("key type") {
        String = "string",
        Hash = "hash",
        List = "list",
        Set = "set",
        Zset = "zset",
        Stream = "stream",
        Module = "module",
    }
}

impl KeyType {
    /// The type of a record's `value` when every key has this type (reference section 1.1).
    pub fn value_type(self) -> Type {
        match self {
            KeyType::String => Type::Str,
            KeyType::Hash => Type::dict(Type::Str, Type::Str),
            KeyType::List => Type::list(Type::Str),
            KeyType::Set | KeyType::Zset | KeyType::Stream | KeyType::Module => Type::None,
        }
    }

    /// The `type` RedisGears' KeysReader writes into a record for such a key: a stream
    /// is `'unknown'` (its C switch has no stream case; reference section 0).
    pub fn reader_type_name(self) -> &'static str {
        match self {
            KeyType::Stream => "unknown",
            other => other.spelling(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reader_supports_a_terminal_and_names_a_gears_reader() {
        for r in ReaderKind::ALL {
            assert!(r.supports(TerminalKind::Run) || r.supports(TerminalKind::Register));
            assert!(r.gears_name().ends_with("Reader"));
        }
    }

    #[test]
    fn the_reader_names_key_types_by_their_spelling_but_streams() {
        let differ: Vec<KeyType> = KeyType::ALL
            .iter()
            .copied()
            .filter(|k| k.reader_type_name() != k.spelling())
            .collect();
        assert_eq!(differ, [KeyType::Stream]);
    }
}
