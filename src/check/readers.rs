//! Readers (language.md section 3): arguments, which terminal each applies to,
//! pattern rules, and the type of the records they produce.

use super::args::{self, Bound};
use super::error::CheckError;
use super::scope::{Global, Scope};
use super::suggest;
use super::Checker;
use crate::ir::vocabulary::Param;
use crate::ir::{
    EventName, Field, GeneratorSource, KeyType, Operation, Reader, ReaderKind, TExpr, TExprKind,
    TerminalKind, Type, Word,
};
use crate::syntax::ast::{ExprKind, Stage};
use crate::syntax::Span;

/// What a checked reader gives the rest of the pipeline.
pub struct CheckedReader {
    pub reader: Reader,
    pub record: Type,
    /// `run` records start spread over the shards (not for `python(…)` run once).
    pub spread: bool,
}

impl Checker<'_> {
    /// `terminal` is `None` when the pipeline has none (already reported).
    pub(super) fn reader(
        &mut self,
        stage: &Stage,
        terminal: Option<(TerminalKind, Span)>,
    ) -> Option<CheckedReader> {
        let name = stage.name.name.as_str();
        let Some(reader) = ReaderKind::parse(name) else {
            let help = if Operation::parse(name).is_some() {
                format!(
                    "`{name}` is an operation; a pipeline starts with a reader: {}",
                    ReaderKind::spellings().join(", ")
                )
            } else {
                suggest::did_you_mean(name, &ReaderKind::spellings())
            };
            self.error(CheckError::UnknownReader {
                name: name.to_string(),
                span: stage.name.span,
                help,
            });
            return None;
        };
        let table = reader.params();
        let params: Vec<Param> = table.iter().map(|a| a.param).collect();
        let bound = args::bind(name, stage.span, &params, &stage.args, &mut self.diags);

        if let Some((kind, span)) = terminal {
            if !reader.supports(kind) {
                self.error(CheckError::UnsupportedTerminal {
                    reader: name.to_string(),
                    terminal: kind.spelling().to_string(),
                    span,
                    reader_span: stage.name.span,
                    help: unsupported_help(reader),
                });
            } else {
                for a in table {
                    if let (Some(applies_to), Some(arg_span)) = (
                        a.applies.only_other_than(kind),
                        bound.arg_span(a.param.name),
                    ) {
                        self.error(CheckError::ArgumentNotForTerminal {
                            name: a.param.name.to_string(),
                            applies_to: applies_to.spelling().to_string(),
                            terminal: kind.spelling().to_string(),
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
        let typed = |me: &mut Self, key: &str| -> Option<Box<TExpr>> {
            let e = bound.get(key)?;
            let t = me.expr(e, &globals);
            if let Some(a) = reader.param(key) {
                me.expect(&t, &a.ty.ty(), &format!("`{key}`"));
            }
            Some(Box::new(t))
        };
        let checked = match reader {
            ReaderKind::Keys => {
                let pattern = typed(self, "pattern");
                let read_value = typed(self, "read_value")
                    .and_then(|t| self.literal_bool(&t, "read_value"))
                    .unwrap_or(true);
                let key_types = typed(self, "key_types").and_then(|t| {
                    let words =
                        self.literal_strings(&t, "key_types", "a list such as `[\"hash\"]`")?;
                    Some(
                        words
                            .iter()
                            .filter_map(|(w, span)| self.word::<KeyType>(w, *span))
                            .collect::<Vec<_>>(),
                    )
                });
                let event_types = typed(self, "event_types").and_then(|t| {
                    let names =
                        self.literal_strings(&t, "event_types", "a list such as `[\"set\"]`")?;
                    Some(self.event_names(&names))
                });
                if kind == Some(TerminalKind::Register) {
                    self.warn_key_types_never_match(&bound, &key_types, &event_types);
                }
                let count = typed(self, "count");
                if let (Some(c), Some(TerminalKind::Run)) = (&count, kind) {
                    self.error(CheckError::IgnoredArgument {
                        name: "count".to_string(),
                        reader: "KeysReader".to_string(),
                        span: bound.arg_span("count").unwrap_or(c.span),
                        help: "its SCAN count is fixed by the server; `keys_only(…, count = N)` honours it".to_string(),
                    });
                }
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, reader);
                }
                let value = match key_types.as_deref() {
                    Some([one]) => one.value_type(),
                    _ => Type::Any,
                };
                let mut fields = vec![Field::new("key", Type::Str)];
                if read_value {
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
                        event_types,
                        commands: typed(self, "commands"),
                    },
                    record: Type::record(fields),
                    spread: true,
                }
            }
            ReaderKind::KeysOnly => {
                let pattern = typed(self, "pattern");
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, reader);
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
            ReaderKind::Stream => {
                let pattern = typed(self, "pattern");
                if let Some(p) = &pattern {
                    self.check_pattern(p, kind, reader);
                }
                CheckedReader {
                    reader: Reader::Stream {
                        pattern,
                        from_id: typed(self, "from_id").inspect(|t| self.check_stream_id(t)),
                        batch: typed(self, "batch"),
                        duration: typed(self, "duration"),
                        trim_stream: typed(self, "trim_stream"),
                    },
                    record: Type::record(vec![
                        Field::new("key", Type::Str),
                        Field::new("id", Type::Str),
                        Field::new("value", Type::dict(Type::Str, Type::Str)),
                    ]),
                    spread: true,
                }
            }
            ReaderKind::Python => {
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
                            (GeneratorSource::Iterable(Box::new(t)), element)
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
            ReaderKind::Shards => CheckedReader {
                reader: Reader::Shards,
                record: Type::Str,
                spread: true,
            },
            ReaderKind::Command => {
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
            self.error(CheckError::TriggerAndHook {
                span: bound.arg_span("hook").unwrap_or(stage.span),
            });
        } else if !trigger && !hook {
            self.error(CheckError::NoTrigger { span: stage.span });
        }
        if key_prefix && !hook {
            self.error(CheckError::KeyPrefixWithoutHook {
                span: bound.arg_span("key_prefix").unwrap_or(stage.span),
            });
        }
    }

    /// The record type of `python(gen)` with a function: the elements of what it returns.
    /// `key_types` with events that all fire once the key is gone: RedisGears then
    /// reads the key's type as `empty`, which no key type matches (measured).
    fn warn_key_types_never_match(
        &mut self,
        bound: &Bound,
        key_types: &Option<Vec<KeyType>>,
        event_types: &Option<Vec<EventName>>,
    ) {
        let (Some(types), Some(events)) = (key_types, event_types) else {
            return;
        };
        let all_gone = events
            .iter()
            .all(|e| e.event().is_some_and(|e| e.key_is_gone()));
        if !types.is_empty() && !events.is_empty() && all_gone {
            if let (Some(span), Some(events)) =
                (bound.arg_span("key_types"), bound.arg_span("event_types"))
            {
                self.error(CheckError::KeyTypesNeverMatch { span, events });
            }
        }
    }

    fn generator_element(&mut self, name: &str, span: Span) -> Type {
        let Some(def) = self.globals.get(name).cloned() else {
            return Type::Any;
        };
        match &def.global {
            Global::Fn { body } => {
                let params = &*self.fn_params(body);
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
                let result = self.fn_result(name, def.order, params, body, vec![]);
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

    /// Register patterns are prefixes (`"person:*"`) or exact keys; a stream `run` reads one key.
    fn check_pattern(&mut self, p: &TExpr, terminal: Option<TerminalKind>, reader: ReaderKind) {
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
                } else if !pattern.ends_with('*') && pattern.ends_with(PREFIX_ENDINGS) {
                    self.error(CheckError::ExactKeyPattern {
                        pattern: pattern.clone(),
                        span: p.span,
                        help: format!(
                            "did you mean \"{pattern}*\"? A register pattern is a prefix only when it ends in `*`"
                        ),
                    });
                }
            }
            Some(TerminalKind::Run)
                if reader == ReaderKind::Stream && glob_at(pattern).is_some() =>
            {
                self.error(CheckError::StreamRunPattern {
                    pattern: pattern.clone(),
                    span: p.span,
                });
            }
            _ => {}
        }
    }
}

/// The last character of a key name that is really a prefix (`"shop:"`, `"logs/"`).
const PREFIX_ENDINGS: [char; 5] = [':', '/', '.', '-', '_'];

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

fn unsupported_help(reader: ReaderKind) -> String {
    match reader {
        ReaderKind::Command => {
            "a command reader only fires on `RG.TRIGGER`: end it with `register`".to_string()
        }
        ReaderKind::KeysOnly => {
            "to react to key changes use `keys(read_value = false) | … | register`".to_string()
        }
        ReaderKind::Python | ReaderKind::Shards => {
            format!("`{reader}(…)` produces its records once: end it with `run`")
        }
        ReaderKind::Keys | ReaderKind::Stream => "end it with `run`".to_string(),
    }
}

/// `MS` or `MS-SEQ`, both parts 64-bit unsigned integers (Redis' stream id).
fn is_stream_id(id: &str) -> bool {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    [ms, seq]
        .iter()
        .all(|part| part.bytes().all(|b| b.is_ascii_digit()) && part.parse::<u64>().is_ok())
}
