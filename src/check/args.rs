//! Matching the arguments a user wrote against a parameter list: one place for
//! "unknown argument", "missing argument" and "too many arguments", so readers,
//! operations, terminals and builtins all report them the same way.

use std::collections::HashMap;

use super::error::CheckError;
use super::suggest;
use crate::ir::vocabulary::Param;
use crate::syntax::ast::{Arg, Expr, ExprKind};
use crate::syntax::Span;

/// The arguments, by parameter name, each with the span of the whole argument.
#[derive(Debug, Default)]
pub struct Bound<'a> {
    args: HashMap<&'static str, (&'a Expr, Span)>,
}

impl<'a> Bound<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Expr> {
        self.args.get(name).map(|(e, _)| *e)
    }

    /// The span of the whole argument `name = value`.
    pub fn arg_span(&self, name: &str) -> Option<Span> {
        self.args.get(name).map(|(_, s)| *s)
    }
}

/// Binds `args` to `params`; mistakes go to `diags` and the offending argument is skipped.
pub fn bind<'a>(
    callee: &str,
    call_span: Span,
    params: &[Param],
    args: &'a [Arg],
    diags: &mut Vec<CheckError>,
) -> Bound<'a> {
    let mut bound = Bound::default();
    let positional: Vec<&Param> = params.iter().filter(|p| p.positional).collect();
    let mut next_positional = 0;
    for arg in args {
        match arg {
            Arg::Positional(expr) => {
                match positional.get(next_positional) {
                    Some(p) => {
                        bound.args.insert(p.name, (expr, expr.span));
                    }
                    // Reported once, at the first extra argument, with how many were given.
                    None if next_positional == positional.len() => {
                        diags.push(CheckError::ArgumentCount {
                            callee: callee.to_string(),
                            expected: count_phrase(positional.len()),
                            found: given(args),
                            span: expr.span,
                            help: extra_help(callee)
                                .or_else(|| named_help(params))
                                .or_else(|| Some(signature(callee, params))),
                        })
                    }
                    None => {}
                }
                next_positional += 1;
            }
            Arg::Named { name, value } => {
                let Some(p) = params.iter().find(|p| p.name == name.name) else {
                    let names: Vec<&str> = params.iter().map(|p| p.name).collect();
                    diags.push(CheckError::UnknownArgument {
                        name: name.name.clone(),
                        callee: callee.to_string(),
                        span: name.span,
                        help: match unknown_help(callee, &name.name) {
                            Some(help) => help,
                            None if names.is_empty() => format!("`{callee}` takes no arguments"),
                            None => suggest::did_you_mean(&name.name, &names),
                        },
                    });
                    continue;
                };
                if let Some((_, first)) = bound.args.get(p.name) {
                    diags.push(CheckError::ArgumentGivenTwice {
                        name: p.name.to_string(),
                        span: arg.span(),
                        first: *first,
                    });
                    continue;
                }
                bound.args.insert(p.name, (value, arg.span()));
            }
            Arg::Spread { span, .. } => diags.push(CheckError::SpreadNotAllowed {
                callee: callee.to_string(),
                span: *span,
            }),
        }
    }
    for p in params.iter().filter(|p| p.required) {
        if !bound.args.contains_key(p.name) {
            diags.push(CheckError::ArgumentCount {
                callee: callee.to_string(),
                expected: describe_params(params),
                found: format!("`{}` is not", p.name),
                span: call_span,
                help: Some(
                    zero_help(callee, params, &bound)
                        .unwrap_or_else(|| format!("add the argument `{}`", p.name)),
                ),
            });
        }
    }
    bound
}

fn count_phrase(n: usize) -> String {
    match n {
        0 => "no positional arguments".to_string(),
        1 => "1 positional argument".to_string(),
        n => format!("{n} positional arguments"),
    }
}

fn describe_params(params: &[Param]) -> String {
    let required: Vec<String> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("`{}`", p.name))
        .collect();
    format!("the argument(s) {}", required.join(", "))
}

fn named_help(params: &[Param]) -> Option<String> {
    let named: Vec<&str> = params
        .iter()
        .filter(|p| !p.positional)
        .map(|p| p.name)
        .collect();
    (!named.is_empty()).then(|| format!("other arguments go by name: {}", named.join(", ")))
}

/// `aggregate(add)`, a Python `reduce` habit: the reducer took the place of the
/// starting value, so the reducer seems missing.
fn zero_help(callee: &str, params: &[Param], bound: &Bound) -> Option<String> {
    let reducer = match &bound.get("zero")?.kind {
        ExprKind::Name(n) if ["add", "mul", "min", "max"].contains(&n.as_str()) => n.clone(),
        ExprKind::Lambda { .. } => "|acc, r| …".to_string(),
        _ => return None,
    };
    let example: Vec<&str> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| match p.name {
            "zero" => "0",
            "expr" => "…",
            _ => reducer.as_str(),
        })
        .collect();
    Some(format!(
        "the first argument is the starting value, then the reducer: `{callee}({})`",
        example.join(", ")
    ))
}

/// How many positional arguments a call was given, for "… but 3 given".
fn given(args: &[Arg]) -> String {
    args.iter()
        .filter(|a| matches!(a, Arg::Positional(_)))
        .count()
        .to_string()
}

/// Too many arguments, where another spelling was meant.
fn extra_help(callee: &str) -> Option<String> {
    (callee == "count").then(|| {
        "`count` counts every record; to count the records per value, use `countby(…)` with this expression".to_string()
    })
}

/// Unknown named arguments that other languages have.
fn unknown_help(callee: &str, name: &str) -> Option<String> {
    match (callee, name) {
        ("sort", "key") => Some(
            "Gear's `sort` takes an expression over the record, not a function: `sort(by = value[\"age\"])`, `sort(by = it, reverse = true)`".to_string(),
        ),
        ("sorted", "key") => Some(
            "`sorted` has no `key`: sort the records with `sort(by = …)`, or sort in a `python` block".to_string(),
        ),
        _ => None,
    }
}

/// `round(x, n?)`: how the callee is called, `?` marking what may be left out.
fn signature(callee: &str, params: &[Param]) -> String {
    let params: Vec<String> = params
        .iter()
        .map(|p| {
            let q = if p.required { "" } else { "?" };
            format!("{}{q}", p.name)
        })
        .collect();
    format!("it is called `{callee}({})`", params.join(", "))
}
