//! Operations (language.md section 4): arguments, record types in and out.

use super::args::{self, Bound};
use super::error::CheckError;
use super::scope::Scope;
use super::suggest;
use super::Checker;
use crate::ir::{Callback, Fold, OpKind, Operation, ReaderKind, SortKey, Type, Word};
use crate::syntax::ast::{Arg, ExprKind, Stage};

/// What one operation does to the stream of records.
pub struct CheckedOp {
    pub kind: OpKind,
    pub record: Type,
}

impl Checker<'_> {
    pub(super) fn operation(&mut self, stage: &Stage, record: &Type) -> Option<CheckedOp> {
        let name = stage.name.name.as_str();
        let Some(operation) = Operation::parse(name) else {
            let help = if ReaderKind::parse(name).is_some() {
                format!("`{name}` is a reader: it can only start a pipeline")
            } else {
                suggest::did_you_mean(name, &Operation::spellings())
            };
            self.error(CheckError::UnknownOperation {
                name: name.to_string(),
                span: stage.name.span,
                help,
            });
            return None;
        };
        let params = operation.params();
        let bound = args::bind(name, stage.span, params, &stage.args, &mut self.diags);
        for p in params.iter().filter(|p| p.required) {
            bound.get(p.name)?;
        }
        let what = format!("`{name}`");
        let get = |key: &str| bound.get(key);
        let (kind, out) = match operation {
            Operation::Map => {
                let (cb, ty) = self.callback(get("expr")?, record, &what);
                (OpKind::Map(cb), ty)
            }
            Operation::FlatMap => {
                let (cb, ty) = self.callback(get("expr")?, record, &what);
                let element = match (&ty, ty.element()) {
                    (Type::List(_) | Type::Set(_) | Type::Str | Type::Any, Some(e)) => e,
                    _ => {
                        self.callback_type_error(
                            &cb,
                            "the value of `flatmap`",
                            "a list, set or str",
                            &ty,
                        );
                        Type::Any
                    }
                };
                (
                    OpKind::FlatMap {
                        callback: cb,
                        value: ty,
                    },
                    element,
                )
            }
            Operation::Filter => {
                let (cb, ty) = self.callback(get("expr")?, record, &what);
                if !ty.fits(&Type::Bool) {
                    self.callback_type_error(&cb, "the condition of `filter`", "`bool`", &ty);
                }
                (OpKind::Filter(cb), record.clone())
            }
            Operation::Foreach => {
                let (cb, _) = self.callback(get("expr")?, record, &what);
                (OpKind::Foreach(cb), record.clone())
            }
            Operation::Repartition => {
                let (cb, _) = self.callback(get("expr")?, record, &what);
                (OpKind::Repartition(cb), record.clone())
            }
            Operation::Accumulate => {
                let (fold, acc) = self.fold(&bound, "reducer", record, false, &what)?;
                (OpKind::Accumulate(fold), acc)
            }
            Operation::LocalGroupBy | Operation::GroupBy => {
                let (key, _) = self.callback(get("expr")?, record, &what);
                let (fold, acc) = self.fold(&bound, "reducer", record, true, &what)?;
                let kind = if operation == Operation::GroupBy {
                    OpKind::GroupBy { key, fold }
                } else {
                    OpKind::LocalGroupBy { key, fold }
                };
                (kind, Type::group(acc))
            }
            Operation::BatchGroupBy => {
                let (key, _) = self.callback(get("expr")?, record, &what);
                let reducer_expr = get("reducer")?;
                let ExprKind::Lambda { params, body } = &reducer_expr.kind else {
                    let (reducer, ty) = self.batch_reducer_function(reducer_expr, &what)?;
                    return Some(CheckedOp {
                        kind: OpKind::BatchGroupBy { key, reducer },
                        record: Type::group(ty),
                    });
                };
                if params.len() != 2 {
                    self.error(CheckError::LambdaArity {
                        what: what.clone(),
                        expected: "2".to_string(),
                        found: params.len(),
                        span: reducer_expr.span,
                        help: "the batch reducer receives the group key and the group's records: `|key, records| …`".to_string(),
                    });
                    return None;
                }
                let typed = vec![
                    (params[0].name.clone(), Type::Str),
                    (params[1].name.clone(), Type::list(record.clone())),
                ];
                let (names, body) = self.lambda_body(typed, body, &Scope::default());
                let ty = body.ty.clone();
                let reducer = Callback::Lambda {
                    params: names,
                    body,
                    span: reducer_expr.span,
                };
                (OpKind::BatchGroupBy { key, reducer }, Type::group(ty))
            }
            Operation::Aggregate => {
                let (fold, acc) = self.fold(&bound, "seq", record, false, &what)?;
                let combine = self.combiner(&bound, &fold, &acc, false, &what);
                (OpKind::Aggregate { fold, combine }, acc)
            }
            Operation::AggregateBy => {
                let (key, _) = self.callback(get("expr")?, record, &what);
                let (fold, acc) = self.fold(&bound, "seq", record, true, &what)?;
                let combine = self.combiner(&bound, &fold, &acc, true, &what);
                (OpKind::AggregateBy { key, fold, combine }, Type::group(acc))
            }
            Operation::Collect => (OpKind::Collect, record.clone()),
            Operation::Limit => {
                let globals = Scope::default();
                let length = Box::new(self.expr(get("n")?, &globals));
                self.expect(&length, &Type::Int, "the length of `limit`");
                let offset = get("offset").map(|o| Box::new(self.expr(o, &globals)));
                if let Some(o) = &offset {
                    self.expect(o, &Type::Int, "the offset of `limit`");
                }
                (OpKind::Limit { length, offset }, record.clone())
            }
            Operation::Sort => {
                let reverse = match get("reverse") {
                    Some(r) => {
                        let t = self.expr(r, &Scope::default());
                        self.expect(&t, &Type::Bool, "`reverse`");
                        self.literal_bool(&t, "reverse").unwrap_or(false)
                    }
                    None => false,
                };
                let by = match get("by") {
                    Some(e) => {
                        let (cb, ty) = self.callback(e, record, &what);
                        if !ty.is_orderable() {
                            self.callback_type_error(
                                &cb,
                                "the key of `sort`",
                                "orderable (numbers, strings, or lists of them)",
                                &ty,
                            );
                        }
                        SortKey::By(cb)
                    }
                    None if record.is_orderable() => SortKey::Record,
                    None if record.group_value().is_some_and(Type::is_orderable) => {
                        SortKey::GroupValue
                    }
                    // `sort(key = …)` is reported once, as an unknown argument whose help
                    // shows `by`; the records' type follows from the same slip.
                    None if stage
                        .args
                        .iter()
                        .any(|a| matches!(a, Arg::Named { name, .. } if name.name == "key")) =>
                    {
                        SortKey::Record
                    }
                    None => {
                        self.error(CheckError::RecordType {
                            op: "sort".to_string(),
                            property: "ordered".to_string(),
                            record: record.to_string(),
                            span: stage.span,
                            help: sort_help(record),
                        });
                        SortKey::Record
                    }
                };
                (OpKind::Sort { by, reverse }, record.clone())
            }
            Operation::Distinct => {
                if !record.is_hashable() {
                    self.error(CheckError::RecordType {
                        op: "distinct".to_string(),
                        property: "hashed".to_string(),
                        record: record.to_string(),
                        span: stage.span,
                        help: "records, dicts and lists cannot be compared for `distinct`: map them to a str or number first, e.g. `map(key)`".to_string(),
                    });
                }
                (OpKind::Distinct, record.clone())
            }
            Operation::Count => (OpKind::Count, Type::Int),
            Operation::CountBy => {
                let key = get("expr").map(|e| self.callback(e, record, &what).0);
                (OpKind::CountBy(key), Type::group(Type::Int))
            }
            Operation::Avg => {
                let value = match get("expr") {
                    Some(e) => {
                        let (cb, ty) = self.callback(e, record, &what);
                        if !ty.may_be_numeric() {
                            self.callback_type_error(&cb, "the value of `avg`", "a number", &ty);
                        }
                        Some(cb)
                    }
                    None => {
                        if !record.may_be_numeric() {
                            self.error(CheckError::RecordType {
                                op: "avg".to_string(),
                                property: "averaged (numbers)".to_string(),
                                record: record.to_string(),
                                span: stage.span,
                                help: "give the number to average, e.g. `avg(float(value))`"
                                    .to_string(),
                            });
                        }
                        None
                    }
                };
                (OpKind::Avg(value), Type::Float)
            }
        };
        Some(CheckedOp { kind, record: out })
    }

    fn fold(
        &mut self,
        bound: &Bound,
        reducer: &str,
        record: &Type,
        with_key: bool,
        what: &str,
    ) -> Option<(Fold, Type)> {
        let zero = self.expr(bound.get("zero")?, &Scope::default());
        let (reducer, acc) = self.reducer(bound.get(reducer)?, &zero, record, with_key, what);
        let zero = Box::new(zero);
        Some((Fold { zero, reducer }, acc))
    }

    /// `comb` of `aggregate`/`aggregateby`: folds accumulators (of type `acc`) together.
    fn combiner(
        &mut self,
        bound: &Bound,
        fold: &Fold,
        acc: &Type,
        with_key: bool,
        what: &str,
    ) -> Option<crate::ir::Reducer> {
        let comb = bound.get("comb")?;
        let zero = crate::ir::TExpr {
            ty: acc.clone(),
            ..(*fold.zero).clone()
        };
        Some(self.reducer(comb, &zero, acc, with_key, what).0)
    }

    fn batch_reducer_function(
        &mut self,
        e: &crate::syntax::ast::Expr,
        what: &str,
    ) -> Option<(Callback, Type)> {
        if let ExprKind::Name(n) = &e.kind {
            if let Some((min, max)) = self.globals.function_arity(n) {
                if min <= 2 && max.is_none_or(|m| m >= 2) {
                    return Some((
                        Callback::Function {
                            name: n.clone(),
                            span: e.span,
                        },
                        Type::Any,
                    ));
                }
            }
        }
        self.error(CheckError::ArgumentType {
            what: format!("the reducer of {what}"),
            expected: "a lambda `|key, records| …` or a function of 2 arguments".to_string(),
            found: "another expression".to_string(),
            span: e.span,
            help: None,
        });
        None
    }

    fn callback_type_error(&mut self, cb: &Callback, what: &str, expected: &str, found: &Type) {
        let span = match cb {
            Callback::Expr(e) => e.span,
            Callback::Lambda { body, .. } => body.span,
            Callback::Function { span, .. } => *span,
        };
        self.error(CheckError::ArgumentType {
            what: what.to_string(),
            expected: expected.to_string(),
            found: found.to_string(),
            span,
            help: match (found, expected) {
                (_, "`bool`") => Some("`filter` keeps the records whose condition is true: compare the value, e.g. `… > 0` or `… == \"x\"`".to_string()),
                (_, "a list, set or str") if !matches!(found, Type::Dict(..) | Type::Record(_)) => {
                    Some("`flatmap` turns each record into several: give it a list, e.g. `value.split()` or `[a, b]`".to_string())
                }
                (Type::Str, "a number") => Some("convert it, e.g. `float(value)`".to_string()),
                (_, "orderable (numbers, strings, or lists of them)") => Some(
                    "sort by something orderable inside it, e.g. `sort(by = int(value[\"age\"]))` or `sort(by = len(value))`".to_string(),
                ),
                (Type::Dict(..) | Type::Record(_), "a list, set or str") => {
                    Some("flatten a dict with `pairs(…)`, or iterate its `.keys()`, `.values()` or `.items()`".to_string())
                }
                _ => None,
            },
        });
    }
}

/// How to sort records that cannot be ordered themselves: say what to sort by.
fn sort_help(record: &Type) -> String {
    let example = match record {
        Type::Record(_) => match record.group_value() {
            Some(value) => {
                return format!(
                    "the groups' values are `{value}`, which cannot be ordered: sort by a part of them, e.g. `sort(by = len(value))`, or by the group's key, `sort(by = key)`"
                )
            }
            None => match record.field("value").filter(|f| f.ty.is_orderable()) {
                Some(_) => "value",
                None => "key",
            },
        },
        Type::Dict(..) => "it[\"name\"]",
        _ => "len(it)",
    };
    format!("say what to sort the records by, e.g. `sort(by = {example})`")
}
