//! The builtin functions of language.md section 5: their parameters (the table) and
//! their result types (`builtin_type`), kept together so that a new builtin is one edit here.

use crate::ir::vocabulary::{named, opt, req, Param};
use crate::ir::Builtin;

use super::commands;
use super::error::CheckError;
use super::report::{join_all, plural};
use super::suggest;
use super::Checker;
use crate::ir::{LogLevel, TArg, TExprKind, Type};
use crate::syntax::Span;

pub struct Signature {
    pub builtin: Builtin,
    pub params: &'static [Param],
    /// Takes any number of positional arguments (and `...spread`).
    pub variadic: bool,
}

const fn sig(builtin: Builtin, params: &'static [Param]) -> Signature {
    Signature {
        builtin,
        params,
        variadic: false,
    }
}

const fn variadic(builtin: Builtin) -> Signature {
    Signature {
        builtin,
        params: &[],
        variadic: true,
    }
}

pub const NAMES: &[&str] = &[
    "int",
    "float",
    "str",
    "bool",
    "len",
    "abs",
    "round",
    "min",
    "max",
    "sum",
    "sorted",
    "list",
    "set",
    "range",
    "pairs",
    "json",
    "parse_json",
    "execute",
    "log",
    "hashtag",
    "config_get",
    "gears_config_get",
    "time",
];

pub fn lookup(name: &str) -> Option<Signature> {
    Some(match name {
        "int" => sig(Builtin::Int, const { &[req("x"), opt("base")] }),
        "float" => sig(Builtin::Float, const { &[req("x")] }),
        "str" => sig(Builtin::Str, const { &[req("x")] }),
        "bool" => sig(Builtin::Bool, const { &[req("x")] }),
        "len" => sig(Builtin::Len, const { &[req("x")] }),
        "abs" => sig(Builtin::Abs, const { &[req("x")] }),
        "round" => sig(Builtin::Round, const { &[req("x"), opt("n")] }),
        "min" => variadic(Builtin::Min),
        "max" => variadic(Builtin::Max),
        "sum" => sig(Builtin::Sum, const { &[req("xs")] }),
        "sorted" => sig(Builtin::Sorted, const { &[req("xs"), named("reverse")] }),
        "list" => sig(Builtin::List, const { &[req("x")] }),
        "set" => sig(Builtin::Set, const { &[req("x")] }),
        "range" => variadic(Builtin::Range),
        "pairs" => sig(Builtin::Pairs, const { &[req("d")] }),
        "json" => sig(Builtin::Json, const { &[req("x")] }),
        "parse_json" => sig(Builtin::ParseJson, const { &[req("s")] }),
        "execute" => variadic(Builtin::Execute),
        "log" => sig(Builtin::Log, const { &[req("message"), opt("level")] }),
        "hashtag" => sig(Builtin::Hashtag, const { &[] }),
        "config_get" => sig(Builtin::ConfigGet, const { &[req("key")] }),
        "gears_config_get" => sig(
            Builtin::GearsConfigGet,
            const { &[req("key"), opt("default")] },
        ),
        "time" => sig(Builtin::Time, const { &[] }),
        _ => return None,
    })
}

impl Checker<'_> {
    pub(super) fn builtin_type(
        &mut self,
        name: &str,
        builtin: Builtin,
        args: &[TArg],
        span: Span,
    ) -> Type {
        let first = args.first().map(TArg::expr);
        let scalar = [Type::Int, Type::Float, Type::Str, Type::Bool];
        let arg_count = |me: &mut Self, min: usize, max: Option<usize>| {
            let spread = args.iter().any(|a| matches!(a, TArg::Spread(_)));
            let n = args.len();
            if (n < min && !spread) || max.is_some_and(|m| n > m) {
                me.error(CheckError::ArgumentCount {
                    callee: name.to_string(),
                    expected: match max {
                        Some(m) if m == min => plural(m, "argument"),
                        Some(m) => format!("{min} to {m} arguments"),
                        None => format!("at least {}", plural(min, "argument")),
                    },
                    found: n.to_string(),
                    span,
                    help: None,
                });
                false
            } else {
                true
            }
        };
        match builtin {
            Builtin::Int | Builtin::Float => {
                if let Some(x) = first {
                    if !scalar.iter().any(|t| x.ty.fits(t)) {
                        self.type_error(
                            &format!("the argument of `{name}`"),
                            "a number or a str",
                            x,
                        );
                    }
                }
                if builtin == Builtin::Int {
                    Type::Int
                } else {
                    Type::Float
                }
            }
            Builtin::Str => Type::Str,
            Builtin::Bool => Type::Bool,
            Builtin::Len => {
                if let Some(x) = first {
                    if !x.ty.is_sized() {
                        self.type_error("the argument of `len`", "a str, list, set or dict", x);
                    }
                }
                Type::Int
            }
            Builtin::Abs | Builtin::Round => {
                let Some(x) = first else { return Type::Any };
                if !x.ty.may_be_numeric() {
                    self.type_error(&format!("the argument of `{name}`"), "a number", x);
                    return Type::Any;
                }
                if let Some(n) = args.get(1) {
                    self.expect(n.expr(), &Type::Int, "the digits of `round`");
                }
                match (builtin, &x.ty, args.len()) {
                    (Builtin::Round, Type::Float, 1) => Type::Int,
                    (_, Type::Bool, _) => Type::Int,
                    (_, t, _) => t.clone(),
                }
            }
            Builtin::Min | Builtin::Max => {
                if !arg_count(self, 1, None) {
                    return Type::Any;
                }
                if let [TArg::Positional(only)] = args {
                    return match only.ty.element() {
                        Some(t) => t,
                        None => {
                            self.type_error(
                                &format!("the argument of `{name}`"),
                                "a list, or several values",
                                only,
                            );
                            Type::Any
                        }
                    };
                }
                let types: Vec<&Type> = args
                    .iter()
                    .map(|a| match a {
                        TArg::Spread(e) => &e.ty,
                        a => &a.expr().ty,
                    })
                    .collect();
                join_all(types.into_iter())
            }
            Builtin::Sum => {
                let Some(xs) = first else { return Type::Any };
                match xs.ty.element() {
                    Some(t) if t.may_be_numeric() => match t {
                        Type::Bool => Type::Int,
                        t => t,
                    },
                    _ => {
                        self.type_error("the argument of `sum`", "a list of numbers", xs);
                        Type::Any
                    }
                }
            }
            Builtin::Sorted | Builtin::List | Builtin::Set => {
                let Some(xs) = first else { return Type::Any };
                let Some(elem) = xs.ty.element() else {
                    self.type_error(
                        &format!("the argument of `{name}`"),
                        "a list, set, dict or str",
                        xs,
                    );
                    return Type::Any;
                };
                if let Some(TArg::Named(_, r)) = args.get(1) {
                    self.expect(r, &Type::Bool, "`reverse`");
                }
                match builtin {
                    Builtin::Sorted if !elem.is_orderable() => {
                        self.type_error(
                            "the elements given to `sorted`",
                            "orderable (numbers or strings)",
                            xs,
                        );
                        Type::list(elem)
                    }
                    Builtin::Set if !elem.is_hashable() => {
                        self.type_error(
                            "the elements given to `set`",
                            "hashable (not lists, dicts or records)",
                            xs,
                        );
                        Type::set(elem)
                    }
                    Builtin::Set => Type::set(elem),
                    _ => Type::list(elem),
                }
            }
            Builtin::Range => {
                if arg_count(self, 1, Some(3)) {
                    for a in args {
                        if let TArg::Positional(e) = a {
                            self.expect(e, &Type::Int, "an argument of `range`");
                        }
                    }
                }
                Type::list(Type::Int)
            }
            Builtin::Pairs => {
                if let Some(d) = first {
                    if !matches!(d.ty, Type::Dict(..) | Type::Record(_) | Type::Any) {
                        self.type_error("the argument of `pairs`", "a dict or a record", d);
                    }
                }
                Type::list(Type::Any)
            }
            Builtin::Json => Type::Str,
            Builtin::ParseJson => {
                if let Some(s) = first {
                    self.expect(s, &Type::Str, "the argument of `parse_json`");
                }
                Type::Any
            }
            Builtin::Execute => {
                if arg_count(self, 1, None) {
                    if let Some(TArg::Positional(cmd)) = args.first() {
                        self.expect(cmd, &Type::Str, "the command of `execute`");
                        if let TExprKind::Str(name) = &cmd.kind {
                            self.check_command(name, cmd.span);
                        }
                    }
                }
                Type::Any
            }
            Builtin::Log => {
                if let Some(m) = first {
                    self.expect(m, &Type::Str, "the message of `log`");
                }
                if let Some(level) = args.get(1).map(TArg::expr) {
                    self.expect(level, &Type::Str, "the level of `log`");
                    if let TExprKind::Str(word) = &level.kind {
                        self.word::<LogLevel>(word, level.span);
                    }
                }
                Type::None
            }
            Builtin::ConfigGet | Builtin::GearsConfigGet => {
                if let Some(k) = first {
                    self.expect(k, &Type::Str, "a configuration key");
                }
                Type::Any
            }
            Builtin::Hashtag => Type::Str,
            Builtin::Time => Type::Float,
        }
    }
}

impl Checker<'_> {
    /// A literal command name of `execute` that Redis does not know: RedisGears would
    /// only fail when the callback runs (with "No such file or directory").
    fn check_command(&mut self, name: &str, span: Span) {
        if commands::is_known(name) {
            return;
        }
        let upper: Vec<String> = commands::names().map(str::to_ascii_uppercase).collect();
        let help = match suggest::nearest(&name.to_ascii_uppercase(), upper.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "check the spelling against `COMMAND LIST`; RedisGears fails such a call when the callback runs".to_string(),
        };
        self.error(CheckError::UnknownCommand {
            command: name.to_string(),
            span,
            help,
        });
    }
}
