//! Visiting every expression of an operation, for checks that look for a kind of
//! expression wherever it is (an `execute` that writes, …).

use super::{Callback, FStrPart, Fold, OpKind, Reducer, SortKey, TExpr, TExprKind};

impl TExpr {
    /// Calls `f` on this expression and on every expression inside it, outer first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        f(self);
        match &self.kind {
            TExprKind::FStr(parts) => {
                for part in parts {
                    if let FStrPart::Expr(e) = part {
                        e.walk(f);
                    }
                }
            }
            TExprKind::List(items) => items.iter().for_each(|i| i.walk(f)),
            TExprKind::Dict(entries) => entries.iter().for_each(|(k, v)| {
                k.walk(f);
                v.walk(f);
            }),
            TExprKind::Unary { operand, .. } => operand.walk(f),
            TExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            TExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                cond.walk(f);
                then.walk(f);
                otherwise.walk(f);
            }
            TExprKind::Lambda { body, .. } => body.walk(f),
            TExprKind::CallFunction { args, .. } | TExprKind::CallBuiltin { args, .. } => {
                args.iter().for_each(|a| a.expr().walk(f))
            }
            TExprKind::CallValue { callee, args } => {
                callee.walk(f);
                args.iter().for_each(|a| a.expr().walk(f));
            }
            TExprKind::Member { target, .. } => target.walk(f),
            TExprKind::Method { target, args, .. } => {
                target.walk(f);
                args.iter().for_each(|a| a.expr().walk(f));
            }
            TExprKind::Index { target, index } => {
                target.walk(f);
                index.walk(f);
            }
            TExprKind::Slice { target, start, end } => {
                target.walk(f);
                for bound in [start, end].into_iter().flatten() {
                    bound.walk(f);
                }
            }
            TExprKind::Int(_)
            | TExprKind::Float(_)
            | TExprKind::Str(_)
            | TExprKind::Bool(_)
            | TExprKind::None
            | TExprKind::Record
            | TExprKind::RecordField(_)
            | TExprKind::Local(_)
            | TExprKind::Global(_) => {}
        }
    }
}

impl Callback {
    /// Every expression of the callback (a named function's body is not in the pipeline).
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        match self {
            Callback::Expr(e) => e.walk(f),
            Callback::Lambda { body, .. } => body.walk(f),
            Callback::Function { .. } => {}
        }
    }
}

impl Reducer {
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        match self {
            Reducer::Named(_) => {}
            Reducer::Callback { callback, .. } => callback.walk(f),
        }
    }
}

impl Fold {
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        self.zero.walk(f);
        self.reducer.walk(f);
    }
}

impl OpKind {
    /// Every expression the operation evaluates.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        match self {
            OpKind::Map(cb)
            | OpKind::Filter(cb)
            | OpKind::Foreach(cb)
            | OpKind::Repartition(cb)
            | OpKind::FlatMap { callback: cb, .. } => cb.walk(f),
            OpKind::Accumulate(fold) => fold.walk(f),
            OpKind::LocalGroupBy { key, fold } | OpKind::GroupBy { key, fold } => {
                key.walk(f);
                fold.walk(f);
            }
            OpKind::BatchGroupBy { key, reducer } => {
                key.walk(f);
                reducer.walk(f);
            }
            OpKind::Aggregate { fold, combine } => {
                fold.walk(f);
                combine.iter().for_each(|c| c.walk(f));
            }
            OpKind::AggregateBy { key, fold, combine } => {
                key.walk(f);
                fold.walk(f);
                combine.iter().for_each(|c| c.walk(f));
            }
            OpKind::Limit { length, offset } => {
                length.walk(f);
                offset.iter().for_each(|o| o.walk(f));
            }
            OpKind::CountBy(cb) | OpKind::Avg(cb) => cb.iter().for_each(|c| c.walk(f)),
            OpKind::Sort {
                by: SortKey::By(cb),
                ..
            } => cb.walk(f),
            OpKind::Collect | OpKind::Sort { .. } | OpKind::Distinct | OpKind::Count => {}
        }
    }
}
