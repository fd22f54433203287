//! Readers (language.md section 3): arguments, which terminal each applies to,
//! pattern rules, and the type of the records they produce.

use super::args::{self, named, opt, Bound, Param};
use super::error::CheckError;
use super::scope::{Global, Scope};
use super::suggest;
use super::types::{Field, Type};
use super::Checker;
use crate::ir::{GeneratorSource, Reader, TExpr, TExprKind};
use crate::syntax::ast::{ExprKind, Stage, TerminalKind};
use crate::syntax::Span;

pub const READERS: &[&str] = &["keys", "keys_only", "stream", "python", "shards", "command"];

pub const KEY_TYPES: &[&str] = &["string", "hash", "list", "set", "zset", "stream", "module"];

/// Keyspace events that reads raise: none. Registering for them never fires (RedisGears#460).
const READ_EVENTS: &[&str] = &[
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

/// Which terminal a reader argument applies to.
#[derive(Clone, Copy, PartialEq)]
enum Applies {
    Both,
    Run,
    Register,
}

struct ReaderArg {
    param: Param,
    applies: Applies,
    ty: Type,
}

fn arg(param: Param, applies: Applies, ty: Type) -> ReaderArg {
    ReaderArg { param, applies, ty }
}

fn table(reader: &str) -> Vec<ReaderArg> {
    use Applies::*;
    let strs = || Type::list(Type::Str);
    match reader {
        "keys" => vec![
            arg(opt("pattern"), Both, Type::Str),
            arg(named("count"), Run, Type::Int),
            arg(named("no_scan"), Run, Type::Bool),
            arg(named("read_value"), Both, Type::Bool),
            arg(named("key_types"), Both, strs()),
            arg(named("event_types"), Register, strs()),
            arg(named("commands"), Register, strs()),
        ],
        "keys_only" => vec![
            arg(opt("pattern"), Both, Type::Str),
            arg(named("count"), Run, Type::Int),
            arg(named("no_scan"), Run, Type::Bool),
        ],
        "stream" => vec![
            arg(opt("pattern"), Both, Type::Str),
            arg(named("from_id"), Run, Type::Str),
            arg(named("batch"), Register, Type::Int),
            arg(named("duration"), Register, Type::Int),
            arg(named("trim_stream"), Register, Type::Bool),
        ],
        "python" => vec![
            arg(args::req("gen"), Both, Type::Any),
            arg(named("per_shard"), Run, Type::Bool),
        ],
        "command" => vec![
            arg(opt("trigger"), Register, Type::Str),
            arg(named("hook"), Register, Type::Str),
            arg(named("key_prefix"), Register, Type::Str),
        ],
        _ => vec![],
    }
}

fn supports(reader: &str, terminal: TerminalKind) -> bool {
    match terminal {
        TerminalKind::Run => reader != "command",
        TerminalKind::Register => matches!(reader, "keys" | "stream" | "command"),
    }
}

fn terminal_name(t: TerminalKind) -> &'static str {
    match t {
        TerminalKind::Run => "run",
        TerminalKind::Register => "register",
    }
}

/// What a checked reader gives the rest of the pipeline.
pub struct CheckedReader {
    pub reader: Reader,
    pub record: Type,
    /// `run` records start spread over the shards (not for `python(…)` run once).
    pub spread: bool,
}

impl Checker {
    /// `terminal` is `None` when the pipeline has none (already reported).
    pub(super) fn reader(
        &mut self,
        stage: &Stage,
        terminal: Option<(TerminalKind, Span)>,
    ) -> Option<CheckedReader> {
        let name = stage.name.name.as_str();
        if !READERS.contains(&name) {
            let help = if super::ops::OPERATIONS.contains(&name) {
                format!(
                    "`{name}` is an operation; a pipeline starts with a reader: {}",
                    READERS.join(", ")
                )
            } else {
                suggest::did_you_mean(name, READERS)
            };
            self.error(CheckError::UnknownReader {
                name: name.to_string(),
                span: stage.name.span,
                help,
            });
            return None;
        }
        let table = table(name);
        let params: Vec<Param> = table.iter().map(|a| a.param).collect();
        let bound = args::bind(name, stage.span, &params, &stage.args, &mut self.diags);

        if let Some((kind, span)) = terminal {
            if !supports(name, kind) {
                self.error(CheckError::UnsupportedTerminal {
                    reader: name.to_string(),
                    terminal: terminal_name(kind).to_string(),
                    span,
                    reader_span: stage.name.span,
                    help: unsupported_help(name, kind),
                });
            } else {
                for a in &table {
                    let wrong = match (a.applies, kind) {
                        (Applies::Run, TerminalKind::Register) => Some("run"),
                        (Applies::Register, TerminalKind::Run) => Some("register"),
                        _ => None,
                    };
                    if let (Some(applies_to), Some(arg_span)) =
                        (wrong, bound.arg_span(a.param.name))
                    {
                        self.error(CheckError::ArgumentNotForTerminal {
                            name: a.param.name.to_string(),
                            applies_to: applies_to.to_string(),
                            terminal: terminal_name(kind).to_string(),
                            span: arg_span,
                            terminal_span: span,
                            help: format!(
                                "remove `{}`, or end the pipeline with `{applies_to}`",
                                a.param.name
                            ),
                        });
                    }
                }
            }
        }

        let kind = terminal.map(|(k, _)| k);
        let globals = Scope::default();
        let typed = |me: &mut Self, key: &str| -> Option<TExpr> {
            let e = bound.get(key)?;
            let t = me.expr(e, &globals);
            if let Some(a) = table.iter().find(|a| a.param.name == key) {
                me.expect(&t, &a.ty, &format!("`{key}`"));
            }
            Some(t)
        };
        let checked = match name {
            "keys" => {
                let pattern = typed(self, "pattern");
                let read_value = typed(self, "read_value");
                let reads_value = match &read_value {
                    Some(t) => self.literal_bool(t, "read_value").unwrap_or(true),
                    None => true,
                };
                let key_types_expr = typed(self, "key_types");
                let key_types = key_types_expr
                    .as_ref()
                    .map(|t| self.literal_strings(t, "key_types", Some(("key type", KEY_TYPES))))
                    .unwrap_or_default();
                let event_types = typed(self, "event_types");
                if let Some(t) = &event_types {
                    self.warn_read_events(t);
                }
                let count = typed(self, "count");
                if let (Some(c), Some(TerminalKind::Run)) = (&count, kind) {
                    self.error(CheckError::IgnoredArgument {
                        what: "RedisGears' KeysReader ignores `count`".to_string(),
                        span: bound.arg_span("count").unwrap_or(c.span),
                        help: "its SCAN count is fixed by the server; `keys_only(…, count = N)` honours it".to_string(),
                    });
                }
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, false);
                }
                let value = match key_types.as_slice() {
                    [one] => value_type(one),
                    _ => Type::Any,
                };
                let mut fields = vec![Field::new("key", Type::Str)];
                if reads_value {
                    fields.push(Field::new("value", value));
                    fields.push(Field::new("type", Type::Str));
                }
                fields.push(Field::optional("event", Type::Str));
                CheckedReader {
                    reader: Reader::Keys {
                        pattern,
                        no_scan: typed(self, "no_scan"),
                        read_value,
                        key_types,
                        key_types_expr,
                        event_types,
                        commands: typed(self, "commands"),
                        reads_value,
                    },
                    record: Type::Record(fields),
                    spread: true,
                }
            }
            "keys_only" => {
                let pattern = typed(self, "pattern");
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, false);
                }
                CheckedReader {
                    reader: Reader::KeysOnly {
                        pattern,
                        count: typed(self, "count"),
                        no_scan: typed(self, "no_scan"),
                    },
                    record: Type::Str,
                    spread: true,
                }
            }
            "stream" => {
                let pattern = typed(self, "pattern");
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, true);
                }
                CheckedReader {
                    reader: Reader::Stream {
                        pattern,
                        from_id: typed(self, "from_id").inspect(|t| self.check_stream_id(t)),
                        batch: typed(self, "batch"),
                        duration: typed(self, "duration"),
                        trim_stream: typed(self, "trim_stream"),
                    },
                    record: Type::Record(vec![
                        Field::new("key", Type::Str),
                        Field::new("id", Type::Str),
                        Field::new("value", Type::dict(Type::Str, Type::Str)),
                    ]),
                    spread: true,
                }
            }
            "python" => {
                let per_shard = typed(self, "per_shard")
                    .and_then(|t| self.literal_bool(&t, "per_shard"))
                    .unwrap_or(false);
                let (source, record) = match bound.get("gen") {
                    Some(e) => match &e.kind {
                        ExprKind::Name(n) if self.globals.function_arity(n).is_some() => {
                            let element = self.generator_element(n, e.span);
                            (GeneratorSource::Function(n.clone()), element)
                        }
                        _ => {
                            let t = self.expr(e, &globals);
                            let element = match t.ty.element() {
                                Some(el) => el,
                                None => {
                                    self.type_error(
                                        "the argument of `python`",
                                        "a generator function or an iterable",
                                        &t,
                                    );
                                    Type::Any
                                }
                            };
                            (GeneratorSource::Iterable(t), element)
                        }
                    },
                    None => return None,
                };
                CheckedReader {
                    reader: Reader::Python { source, per_shard },
                    record,
                    spread: per_shard,
                }
            }
            "shards" => CheckedReader {
                reader: Reader::Shards,
                record: Type::Str,
                spread: true,
            },
            _ => {
                let trigger = typed(self, "trigger");
                let hook = typed(self, "hook");
                let key_prefix = typed(self, "key_prefix");
                self.check_command_args(
                    stage,
                    &bound,
                    trigger.is_some(),
                    hook.is_some(),
                    key_prefix.is_some(),
                );
                CheckedReader {
                    reader: Reader::Command {
                        trigger,
                        hook,
                        key_prefix,
                    },
                    record: Type::list(Type::Str),
                    spread: false,
                }
            }
        };
        Some(checked)
    }

    fn check_command_args(
        &mut self,
        stage: &Stage,
        bound: &Bound,
        trigger: bool,
        hook: bool,
        key_prefix: bool,
    ) {
        if trigger && hook {
            self.error(CheckError::InvalidUse {
                what: "a command reader takes a trigger or a hook, not both".to_string(),
                span: bound.arg_span("hook").unwrap_or(stage.span),
                label: "second way to fire it".to_string(),
                help: Some("use `command(\"name\")` for `RG.TRIGGER name`, or `command(hook = \"hset\")` to run on a Redis command".to_string()),
            });
        } else if !trigger && !hook {
            self.error(CheckError::InvalidUse {
                what: "a command reader needs a trigger name or a hook".to_string(),
                span: stage.span,
                label: "nothing fires this".to_string(),
                help: Some(
                    "e.g. `command(\"cache_get\")`, fired by `RG.TRIGGER cache_get …`".to_string(),
                ),
            });
        }
        if key_prefix && !hook {
            self.error(CheckError::InvalidUse {
                what: "`key_prefix` only filters a hook".to_string(),
                span: bound.arg_span("key_prefix").unwrap_or(stage.span),
                label: "no hook to filter".to_string(),
                help: Some("add `hook = \"<command>\"` or remove `key_prefix`".to_string()),
            });
        }
    }

    /// The record type of `python(gen)` with a function: the elements of what it returns.
    fn generator_element(&mut self, name: &str, span: Span) -> Type {
        let Some(def) = self.globals.get(name).cloned() else {
            return Type::Any;
        };
        match &def.global {
            Global::Fn { params, body } => {
                if !params.is_empty() {
                    self.error(CheckError::ArgumentCount {
                        callee: name.to_string(),
                        expected: "no arguments".to_string(),
                        found: params.len().to_string(),
                        span,
                        help: Some("`python(gen)` calls `gen()` with no arguments".to_string()),
                    });
                    return Type::Any;
                }
                let result = self.fn_result(name, params, body, vec![]);
                result.element().unwrap_or(Type::Any)
            }
            Global::PythonFn { min_arity, .. } if *min_arity > 0 => {
                self.error(CheckError::ArgumentCount {
                    callee: name.to_string(),
                    expected: "no arguments".to_string(),
                    found: min_arity.to_string(),
                    span,
                    help: Some("`python(gen)` calls `gen()` with no arguments".to_string()),
                });
                Type::Any
            }
            _ => Type::Any,
        }
    }

    pub(super) fn literal_bool(&mut self, t: &TExpr, what: &str) -> Option<bool> {
        match t.kind {
            TExprKind::Bool(b) => Some(b),
            _ => {
                self.require_literal(t, what, "`true` or `false`");
                None
            }
        }
    }

    fn require_literal(&mut self, t: &TExpr, what: &str, example: &str) {
        self.error(CheckError::InvalidUse {
            what: format!("`{what}` must be written as a literal"),
            span: t.span,
            label: "not a literal".to_string(),
            help: Some(format!(
                "it decides the record type at compile time: write {example}"
            )),
        });
    }

    /// A literal list of literal strings, each checked against `allowed`.
    /// A literal `from_id` must be a stream id, `MS-SEQ` or `MS`, that can name an
    /// entry; other expressions are checked when the run starts.
    fn check_stream_id(&mut self, t: &TExpr) {
        let TExprKind::Str(id) = &t.kind else {
            return;
        };
        if !is_stream_id(id) {
            self.error(CheckError::InvalidValue {
                what: "stream id".to_string(),
                value: id.clone(),
                span: t.span,
                help: "`from_id` is the id of the first entry to read: `MS-SEQ` or `MS`, \
                       e.g. \"1700000000000-0\" (a run reads what is there; `register` \
                       sees new entries)"
                    .to_string(),
            });
        }
    }

    fn literal_strings(
        &mut self,
        t: &TExpr,
        what: &str,
        allowed: Option<(&str, &[&str])>,
    ) -> Vec<String> {
        let TExprKind::List(items) = &t.kind else {
            self.require_literal(t, what, "a list such as `[\"hash\"]`");
            return vec![];
        };
        let mut out = Vec::new();
        for item in items {
            match &item.kind {
                TExprKind::Str(s) => {
                    if let Some((kind, allowed)) = allowed {
                        if !self.check_enum(item, kind, allowed) {
                            continue;
                        }
                    }
                    out.push(s.clone());
                }
                _ => self.require_literal(item, what, "string literals"),
            }
        }
        out
    }

    fn warn_read_events(&mut self, t: &TExpr) {
        if let TExprKind::List(items) = &t.kind {
            for item in items {
                if let TExprKind::Str(event) = &item.kind {
                    if READ_EVENTS.contains(&event.to_ascii_lowercase().as_str()) {
                        self.error(CheckError::EventNeverFires {
                            event: event.clone(),
                            span: item.span,
                        });
                    }
                }
            }
        }
    }

    /// Register patterns are prefixes (`"person:*"`) or exact keys; a stream `run` reads one key.
    fn check_pattern(&mut self, p: &TExpr, terminal: Option<TerminalKind>, is_stream: bool) {
        let TExprKind::Str(pattern) = &p.kind else {
            return;
        };
        let glob_at = |s: &str| s.find(['*', '?', '[']);
        match terminal {
            Some(TerminalKind::Register) => {
                let body = pattern.strip_suffix('*').unwrap_or(pattern);
                if glob_at(body).is_some() {
                    self.error(CheckError::RegisterPattern {
                        pattern: pattern.clone(),
                        span: p.span,
                        help: register_pattern_help(pattern),
                    });
                }
            }
            Some(TerminalKind::Run) if is_stream && glob_at(pattern).is_some() => {
                self.error(CheckError::StreamRunPattern {
                    pattern: pattern.clone(),
                    span: p.span,
                });
            }
            _ => {}
        }
    }
}

fn value_type(key_type: &str) -> Type {
    match key_type {
        "string" => Type::Str,
        "hash" => Type::dict(Type::Str, Type::Str),
        "list" => Type::list(Type::Str),
        _ => Type::None,
    }
}

fn register_pattern_help(pattern: &str) -> String {
    let glob = pattern.find(['*', '?', '[']).unwrap_or(0);
    let prefix = &pattern[..glob];
    let rest = &pattern[glob..];
    let suffix = rest.trim_start_matches(['*', '?']);
    let simple_suffix = !suffix.is_empty() && !suffix.contains(['*', '?', '[', ']']);
    let filter = if simple_suffix {
        format!(" and keep the rest with `| filter(key.endswith(\"{suffix}\"))`")
    } else {
        " and filter the keys in the pipeline".to_string()
    };
    format!("register with the prefix `\"{prefix}*\"`{filter}")
}

fn unsupported_help(reader: &str, terminal: TerminalKind) -> String {
    match (reader, terminal) {
        ("command", _) => {
            "a command reader only fires on `RG.TRIGGER`: end it with `register`".to_string()
        }
        ("keys_only", _) => {
            "to react to key changes use `keys(read_value = false) | … | register`".to_string()
        }
        ("python", _) | ("shards", _) => {
            format!("`{reader}(…)` produces its records once: end it with `run`")
        }
        _ => "end it with `run`".to_string(),
    }
}

/// `MS` or `MS-SEQ`, both parts 64-bit unsigned integers (Redis' stream id).
fn is_stream_id(id: &str) -> bool {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    [ms, seq]
        .iter()
        .all(|part| part.bytes().all(|b| b.is_ascii_digit()) && part.parse::<u64>().is_ok())
}
