//! One pipeline: reader, operations in order, terminal; the shard-local warning.

use super::error::CheckError;
use super::Checker;
use crate::ir::{
    self, Action, EmptyResult, OpKind, Operation, TExpr, TExprKind, TerminalKind, Type, Word,
};
use crate::syntax::{ast, Span};

impl Checker<'_> {
    pub(super) fn pipeline(&mut self, p: &ast::Pipeline) -> Option<ir::Pipeline> {
        if p.terminal.is_none() {
            self.error(CheckError::MissingTerminal { span: p.span });
        }
        let terminal_kind = p.terminal.as_ref().map(|t| (t.kind, t.keyword_span));
        let reader = self.reader(&p.reader, terminal_kind);
        // Records of a `run` start spread over the shards; until something brings
        // them together, a shard-local operation yields one result per shard.
        let mut spread = matches!(terminal_kind, Some((TerminalKind::Run, _)))
            && reader.as_ref().is_some_and(|r| r.spread);
        let mut record = reader.as_ref().map_or(Type::Any, |r| r.record.clone());
        let mut ops = Vec::with_capacity(p.ops.len());
        // Shard-local operations on spread records, until a later step merges their
        // per-shard results (docs/language.md, "Warnings beyond the contract").
        let mut pending: Vec<(Operation, Span, bool)> = Vec::new();
        for stage in &p.ops {
            let operation = Operation::parse(&stage.name.name);
            if let Some(op) = operation {
                let gathered = !spread || !op.keeps_records_spread();
                pending.retain(|(local, _, sorted)| !(gathered && op.merges(*local, *sorted)));
                for (_, _, sorted) in &mut pending {
                    *sorted |= op == Operation::Sort;
                }
                if spread && op.is_shard_local() {
                    pending.push((op, stage.span, false));
                }
            }
            match self.operation(stage, &record) {
                Some(op) => {
                    if !operation.is_some_and(Operation::keeps_records_spread) {
                        spread = false;
                    }
                    record = op.record;
                    ops.push(ir::Op {
                        kind: op.kind,
                        span: stage.span,
                    });
                }
                None => record = Type::Any,
            }
        }
        for (op, span, _) in pending {
            self.error(CheckError::ShardLocal {
                op: op.spelling().to_string(),
                span,
                help: match op {
                    Operation::Accumulate => {
                        "add `| collect` before it, or use `aggregate` to fold across shards"
                            .to_string()
                    }
                    Operation::LocalGroupBy => {
                        "add `| collect` before it, or use `groupby` to group across shards"
                            .to_string()
                    }
                    _ => "add `| collect` before it to limit the whole result".to_string(),
                },
            });
        }
        let terminal = p
            .terminal
            .as_ref()
            .map(|t| self.terminal(t, reader.as_ref().map(|r| &r.reader)));
        let (reader, mut terminal) = (reader?, terminal?);
        if let Action::Run { empty_result } = &mut terminal.action {
            *empty_result = match ops.last().map(|o| &o.kind) {
                Some(OpKind::Count) => Some(EmptyResult::Count),
                Some(OpKind::Avg(_)) => Some(EmptyResult::NoAverage),
                Some(OpKind::Aggregate { fold, .. }) => {
                    self.literal_json(&fold.zero).map(EmptyResult::Zero)
                }
                _ => None,
            };
        }
        let pipeline = ir::Pipeline {
            reader: reader.reader,
            reader_span: p.reader.span,
            ops,
            terminal,
            result: record,
            span: p.span,
        };
        self.warn_retriggers(&pipeline);
        Some(pipeline)
    }
}

impl Checker<'_> {
    /// A zero made of literals (or of `let` constants that are) as JSON, for the
    /// client to print when RedisGears returns nothing.
    pub(super) fn literal_json(&self, e: &TExpr) -> Option<serde_json::Value> {
        use serde_json::Value;
        Some(match &e.kind {
            TExprKind::Int(i) => Value::from(*i),
            TExprKind::Float(f) => Value::from(*f),
            TExprKind::Str(s) => Value::from(s.clone()),
            TExprKind::Bool(b) => Value::from(*b),
            TExprKind::None => Value::Null,
            TExprKind::Global(name) => self.globals.get(name)?.global.literal()?,
            TExprKind::Unary {
                op: ast::UnaryOp::Neg,
                operand,
            } => match self.literal_json(operand)? {
                Value::Number(n) if n.is_i64() => Value::from(n.as_i64()?.checked_neg()?),
                Value::Number(n) => Value::from(-n.as_f64()?),
                _ => return None,
            },
            TExprKind::List(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.literal_json(i))
                    .collect::<Option<_>>()?,
            ),
            TExprKind::Dict(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| match &k.kind {
                        TExprKind::Str(k) => Some((k.clone(), self.literal_json(v)?)),
                        _ => None,
                    })
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }
}
