//! Fields (`x.name`) and methods (`x.name(…)`) of records, dicts, strings and lists,
//! with the list of methods per type that suggestions are drawn from.

use super::error::CheckError;
use super::report::plural;
use super::suggest;
use super::Checker;
use crate::ir::{TArg, Type};
use crate::syntax::ast;
use crate::syntax::Span;

/// Methods the checker knows per type (language.md section 5).
pub const STR_METHODS: &[&str] = &[
    "split",
    "rsplit",
    "lower",
    "upper",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "replace",
    "find",
    "rfind",
    "join",
    "format",
    "count",
    "isdigit",
];
pub const DICT_METHODS: &[&str] = &["get", "keys", "values", "items"];
pub const LIST_METHODS: &[&str] = &["index", "count"];

impl Checker<'_> {
    pub(super) fn member_type(&mut self, target: &Type, name: &ast::Ident) -> Type {
        match target {
            Type::Record(fields) => match target.field(&name.name) {
                Some(f) => f.ty.clone(),
                None => {
                    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                    self.error(CheckError::UnknownField {
                        name: name.name.clone(),
                        record: target.to_string(),
                        span: name.span,
                        help: Some(suggest::did_you_mean(&name.name, &names)),
                    });
                    Type::Any
                }
            },
            Type::Dict(k, v) if Type::Str.fits(k) => (**v).clone(),
            Type::Any => Type::Any,
            other => {
                self.error(CheckError::NoFields {
                    ty: other.to_string(),
                    name: name.name.clone(),
                    span: name.span,
                    help: if matches!(other, Type::Str | Type::List(_) | Type::Dict(..)) {
                        "a method needs parentheses: `.name(…)`".to_string()
                    } else {
                        "`.name` reads a field of a record or a dict".to_string()
                    },
                });
                Type::Any
            }
        }
    }

    /// The result type of `target.name(args)`.
    pub(super) fn method_type(
        &mut self,
        target: &Type,
        name: &ast::Ident,
        args: &[TArg],
        span: Span,
    ) -> Type {
        let n = args.len();
        let m = name.name.as_str();
        let arity = |me: &mut Self, min: usize, max: usize| {
            if n < min || n > max {
                me.error(CheckError::ArgumentCount {
                    callee: format!(".{m}"),
                    expected: if min == max {
                        plural(min, "argument")
                    } else {
                        format!("{min} to {max} arguments")
                    },
                    found: n.to_string(),
                    span,
                    help: None,
                });
            }
        };
        let (known, result): (&[&str], Option<Type>) = match target {
            Type::Any => return Type::Any,
            Type::Str => (
                STR_METHODS,
                match m {
                    "split" | "rsplit" => {
                        arity(self, 0, 2);
                        Some(Type::list(Type::Str))
                    }
                    "lower" | "upper" | "isdigit" => {
                        arity(self, 0, 0);
                        Some(if m == "isdigit" {
                            Type::Bool
                        } else {
                            Type::Str
                        })
                    }
                    "strip" | "lstrip" | "rstrip" => {
                        arity(self, 0, 1);
                        Some(Type::Str)
                    }
                    "startswith" | "endswith" => {
                        arity(self, 1, 3);
                        Some(Type::Bool)
                    }
                    "replace" => {
                        arity(self, 2, 3);
                        Some(Type::Str)
                    }
                    "find" | "rfind" | "count" => {
                        arity(self, 1, 3);
                        Some(Type::Int)
                    }
                    "join" => {
                        arity(self, 1, 1);
                        if let Some(xs) = args.first().map(TArg::expr) {
                            if !xs.ty.element().is_some_and(|e| e.fits(&Type::Str)) {
                                self.type_error("the argument of `.join`", "a list of str", xs);
                            }
                        }
                        Some(Type::Str)
                    }
                    "format" => Some(Type::Str),
                    _ => None,
                },
            ),
            Type::Dict(..) | Type::Record(_) => {
                let (k, v) = match target {
                    Type::Dict(k, v) => ((**k).clone(), (**v).clone()),
                    _ => (Type::Str, Type::Any),
                };
                (
                    DICT_METHODS,
                    match m {
                        "get" => {
                            arity(self, 1, 2);
                            Some(match args.get(1) {
                                Some(d) => v.join(&d.expr().ty),
                                None => v,
                            })
                        }
                        "keys" => {
                            arity(self, 0, 0);
                            Some(Type::list(k))
                        }
                        "values" => {
                            arity(self, 0, 0);
                            Some(Type::list(v))
                        }
                        "items" => {
                            arity(self, 0, 0);
                            Some(Type::list(Type::Any))
                        }
                        _ => None,
                    },
                )
            }
            Type::List(_) => (
                LIST_METHODS,
                match m {
                    "index" | "count" => {
                        arity(self, 1, 1);
                        Some(Type::Int)
                    }
                    _ => None,
                },
            ),
            _ => (&[], None),
        };
        match result {
            Some(t) => t,
            None => {
                self.error(CheckError::UnknownMethod {
                    name: m.to_string(),
                    ty: target.to_string(),
                    span: name.span,
                    help: match method_habit(m) {
                        Some(help) => help.to_string(),
                        None if known.is_empty() => {
                            format!("`{target}` values have no methods in Gear")
                        }
                        None => suggest::did_you_mean(m, known),
                    },
                });
                Type::Any
            }
        }
    }
}

/// Methods other languages have, and what Gear writes instead.
fn method_habit(method: &str) -> Option<&'static str> {
    Some(match method {
        "len" | "length" | "size" | "count_all" => {
            "the length is the builtin `len(x)`, as in Python, not a method"
        }
        "trim" => "did you mean `strip`?",
        "trim_start" | "trimStart" | "trim_left" => "did you mean `lstrip`?",
        "trim_end" | "trimEnd" | "trim_right" => "did you mean `rstrip`?",
        "contains" | "includes" => "test membership with `in`: `part in text`",
        "append" | "push" | "extend" => "lists are values in Gear: build a new one with `xs + [x]`",
        _ => return None,
    })
}
