//! Matching the arguments a user wrote against a parameter list: one place for
//! "unknown argument", "missing argument" and "too many arguments", so readers,
//! operations, terminals and builtins all report them the same way.

use std::collections::HashMap;

use super::error::CheckError;
use super::suggest;
use crate::ir::vocabulary::Param;
use crate::syntax::ast::{Arg, Expr};
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
                    None => diags.push(CheckError::ArgumentCount {
                        callee: callee.to_string(),
                        expected: count_phrase(positional.len()),
                        found: "more were".to_string(),
                        span: expr.span,
                        help: named_help(params),
                    }),
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
                        help: if names.is_empty() {
                            format!("`{callee}` takes no arguments")
                        } else {
                            suggest::did_you_mean(&name.name, &names)
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
                help: Some(format!("add the argument `{}`", p.name)),
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
