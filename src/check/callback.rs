//! Arguments that RedisGears calls back: expressions over the record, lambdas,
//! function names, and reducers (language.md section 4).

use super::error::CheckError;
use super::operators::binary_type;
use super::scope::{Global, Scope};
use super::Checker;
use crate::ir::{Callback, NamedReducer, Reducer, TExpr, Type, Word};
use crate::syntax::ast::{self, BinaryOp, ExprKind};
use crate::syntax::Span;

impl Checker<'_> {
    /// An argument applied to each record: `map(int(value))`, `map(|r| r + 1)`, `filter(inside)`.
    /// Returns the callback and the type of its result.
    pub(super) fn callback(
        &mut self,
        e: &ast::Expr,
        record: &Type,
        what: &str,
    ) -> (Callback, Type) {
        match &e.kind {
            ExprKind::Lambda { params, body } => {
                if params.len() != 1 {
                    self.error(CheckError::LambdaArity {
                        what: what.to_string(),
                        expected: "1".to_string(),
                        found: params.len(),
                        span: e.span,
                        help: "the lambda receives the record: `|r| …`".to_string(),
                    });
                }
                let typed = params
                    .iter()
                    .map(|p| (p.name.clone(), record.clone()))
                    .collect();
                let (params, body) = self.lambda_body(typed, body, &Scope::default());
                let ty = body.ty.clone();
                (
                    Callback::Lambda {
                        params,
                        body,
                        span: e.span,
                    },
                    ty,
                )
            }
            ExprKind::Name(name) if self.is_function_name(name, record) => {
                let ty = self.apply_function(name, e.span, vec![record.clone()], what);
                (
                    Callback::Function {
                        name: name.clone(),
                        span: e.span,
                    },
                    ty,
                )
            }
            _ => {
                let t = self.expr(e, &Scope::record(record));
                let ty = t.ty.clone();
                (Callback::Expr(Box::new(t)), ty)
            }
        }
    }

    /// A bare name that means "apply this function to the record" (fields shadow functions).
    fn is_function_name(&self, name: &str, record: &Type) -> bool {
        record.field(name).is_none() && self.globals.function_arity(name).is_some()
    }

    /// Checks that the function `name` accepts `args.len()` arguments; returns its result type.
    fn apply_function(&mut self, name: &str, span: Span, args: Vec<Type>, what: &str) -> Type {
        let Some((min, max)) = self.globals.function_arity(name) else {
            return Type::Any;
        };
        let n = args.len();
        if n < min || max.is_some_and(|m| n > m) {
            self.error(CheckError::ArgumentCount {
                callee: name.to_string(),
                expected: format!("{min} argument(s)"),
                found: n.to_string(),
                span,
                help: Some(format!("{what} calls `{name}` with {n} argument(s)")),
            });
            return Type::Any;
        }
        match self.globals.get(name).map(|d| (d.order, d.global.clone())) {
            Some((order, Global::Fn { body })) => {
                let params = self.fn_params(&body);
                self.fn_result(name, order, &params, &body, args)
            }
            _ => Type::Any,
        }
    }

    /// A reducer: `add`, `|acc, r| …`, `|key, acc, r| …` (when `with_key`), or a function name.
    /// Returns the reducer and the accumulator's type after folding.
    pub(super) fn reducer(
        &mut self,
        e: &ast::Expr,
        zero: &TExpr,
        record: &Type,
        with_key: bool,
        what: &str,
    ) -> (Reducer, Type) {
        let acc = &zero.ty;
        match &e.kind {
            ExprKind::Name(name) if self.globals.get(name).is_none() => {
                if let Some(named) = NamedReducer::parse(name) {
                    let ty = self.named_reducer_type(named, zero, record, e.span);
                    return (Reducer::Named(named), ty);
                }
            }
            ExprKind::Lambda { params, body } => {
                let expected = if with_key { "2 or 3" } else { "2" };
                let takes_key = with_key && params.len() == 3;
                if params.len() != 2 && !takes_key {
                    self.error(CheckError::LambdaArity {
                        what: what.to_string(),
                        expected: expected.to_string(),
                        found: params.len(),
                        span: e.span,
                        help: if with_key {
                            "a reducer receives the accumulator and the record, `|acc, r| …`, or also the group key first, `|key, acc, r| …`".to_string()
                        } else {
                            "a reducer receives the accumulator and the record: `|acc, r| …`".to_string()
                        },
                    });
                    return (Reducer::Named(NamedReducer::Add), Type::Any);
                }
                let types = reducer_args(acc, record, takes_key);
                let typed = params.iter().map(|p| p.name.clone()).zip(types).collect();
                let (params, body) = self.lambda_body(typed, body, &Scope::default());
                let ty = self.fold_result(acc, &body.ty, body.span, what);
                let callback = Callback::Lambda {
                    params,
                    body,
                    span: e.span,
                };
                return (
                    Reducer::Callback {
                        callback,
                        takes_key,
                    },
                    ty,
                );
            }
            _ => {}
        }
        if let ExprKind::Name(name) = &e.kind {
            if let Some((min, max)) = self.globals.function_arity(name) {
                let accepts = |n: usize| n >= min && max.is_none_or(|m| n <= m);
                let takes_key = with_key && accepts(3) && !accepts(2);
                let args = reducer_args(acc, record, takes_key);
                let body_ty = self.apply_function(name, e.span, args, what);
                let ty = self.fold_result(acc, &body_ty, e.span, what);
                let callback = Callback::Function {
                    name: name.clone(),
                    span: e.span,
                };
                return (
                    Reducer::Callback {
                        callback,
                        takes_key,
                    },
                    ty,
                );
            }
        }
        self.error(CheckError::ArgumentType {
            what: format!("the reducer of {what}"),
            expected: "`add`, `mul`, `min`, `max`, a lambda `|acc, r| …` or a function name"
                .to_string(),
            found: "another expression".to_string(),
            span: e.span,
            help: Some(
                "for example `aggregate(0, add)` or `aggregate(0, |acc, r| acc + r * r)`"
                    .to_string(),
            ),
        });
        (Reducer::Named(NamedReducer::Add), Type::Any)
    }

    fn named_reducer_type(
        &mut self,
        named: NamedReducer,
        zero: &TExpr,
        record: &Type,
        span: Span,
    ) -> Type {
        let acc = &zero.ty;
        let op = match named {
            NamedReducer::Add => BinaryOp::Add,
            NamedReducer::Mul => BinaryOp::Mul,
            NamedReducer::Min | NamedReducer::Max => BinaryOp::Lt,
        };
        let result = match binary_type(op, acc, record) {
            Some(_) if op == BinaryOp::Lt => Some(acc.join(record)),
            other => other,
        };
        match result {
            Some(t) => acc.join(&t),
            None => {
                let help = match (acc, record) {
                    (Type::Int | Type::Float, Type::Str) => "the records are `str`: convert them first, e.g. `map(int(it))` before this step".to_string(),
                    (Type::Str, Type::Int | Type::Float) => "the zero is a `str`: start from a number, e.g. `0`".to_string(),
                    _ => format!("`{}` cannot combine these types: change the zero or map the records first", named.spelling()),
                };
                self.error(CheckError::ReducerType {
                    reducer: named.spelling().to_string(),
                    acc: acc.to_string(),
                    record: record.to_string(),
                    span,
                    zero_span: zero.span,
                    help,
                });
                Type::Any
            }
        }
    }

    /// The accumulator type once the reducer's results are folded in.
    fn fold_result(&mut self, acc: &Type, body: &Type, body_span: Span, what: &str) -> Type {
        if body.fits(acc) || acc.fits(body) || matches!(acc, Type::None) {
            return acc.join(body);
        }
        self.error(CheckError::ArgumentType {
            what: format!("the reducer's result in {what}"),
            expected: format!("`{acc}`, the type of the zero"),
            found: body.to_string(),
            span: body_span,
            help: Some(
                "the accumulator starts as the zero and keeps its type: change the zero or what the reducer returns"
                    .to_string(),
            ),
        });
        Type::Any
    }
}

/// What a reducer callback receives: the group key when it takes one, the accumulator,
/// the record.
fn reducer_args(acc: &Type, record: &Type, takes_key: bool) -> Vec<Type> {
    let key = takes_key.then_some(Type::Str);
    key.into_iter()
        .chain([acc.clone(), record.clone()])
        .collect()
}
