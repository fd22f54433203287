//! Typed expressions → Python expression text, with only the parentheses
//! Python's precedence needs (Gear's precedence table mirrors Python's).

use std::collections::HashMap;

use super::literal::{py_float, py_str};
use super::Lowerer;
use crate::ir::{Builtin, FStrPart, TArg, TExpr, TExprKind, Type};
use crate::syntax::ast::{BinaryOp, UnaryOp};

/// Python precedence levels, lowest first.
pub(super) mod prec {
    pub const LAMBDA: u8 = 0;
    pub const IF: u8 = 1;
    pub const OR: u8 = 2;
    pub const AND: u8 = 3;
    pub const NOT: u8 = 4;
    pub const COMPARE: u8 = 5;
    pub const ADD: u8 = 6;
    pub const MUL: u8 = 7;
    pub const UNARY: u8 = 8;
    pub const POW: u8 = 9;
    pub const POSTFIX: u8 = 10;
    pub const ATOM: u8 = 11;
}

fn binary_prec(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => prec::OR,
        BinaryOp::And => prec::AND,
        BinaryOp::Eq
        | BinaryOp::NotEq
        | BinaryOp::Lt
        | BinaryOp::LtEq
        | BinaryOp::Gt
        | BinaryOp::GtEq
        | BinaryOp::In
        | BinaryOp::NotIn => prec::COMPARE,
        BinaryOp::Add | BinaryOp::Sub => prec::ADD,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::FloorDiv | BinaryOp::Mod => prec::MUL,
        BinaryOp::Pow => prec::POW,
    }
}

/// How names print in the expression being lowered.
#[derive(Clone, Default)]
pub(super) struct ExprCtx {
    /// The Python name of the current record (`it`).
    pub record: String,
    /// Parameters replaced by other text, e.g. an accumulator by `(0 if acc is None else acc)`.
    pub substitute: HashMap<String, String>,
    /// The record is a key name (`KeysOnlyReader`) standing for a `keys(…)` record:
    /// `key` is the record itself and `event` is `None` (as in every run).
    pub key_name: bool,
}

impl ExprCtx {
    pub fn record(name: &str) -> Self {
        ExprCtx {
            record: name.to_string(),
            substitute: HashMap::new(),
            key_name: false,
        }
    }
}

impl Lowerer<'_> {
    pub(super) fn expr(&mut self, e: &TExpr, ctx: &ExprCtx) -> String {
        self.expr_prec(e, ctx).0
    }

    /// `e` printed so that it binds at least as tightly as `min`.
    fn operand(&mut self, e: &TExpr, ctx: &ExprCtx, min: u8) -> String {
        let (text, p) = self.expr_prec(e, ctx);
        if p < min {
            format!("({text})")
        } else {
            text
        }
    }

    pub(super) fn expr_prec(&mut self, e: &TExpr, ctx: &ExprCtx) -> (String, u8) {
        use prec::*;
        match &e.kind {
            // Only `-9223372036854775808` is a negative literal; it binds like a unary minus.
            TExprKind::Int(i) => (i.to_string(), if *i < 0 { UNARY } else { ATOM }),
            TExprKind::Float(f) => {
                let text = py_float(*f);
                let p = if text.starts_with('-') { UNARY } else { ATOM };
                (text, p)
            }
            TExprKind::Str(s) => (py_str(s), ATOM),
            TExprKind::Bool(b) => ((if *b { "True" } else { "False" }).to_string(), ATOM),
            TExprKind::None => ("None".to_string(), ATOM),
            TExprKind::FStr(parts) => (self.fstring(parts, ctx), POSTFIX),
            TExprKind::Record => (ctx.record.clone(), ATOM),
            TExprKind::RecordField(f) if ctx.key_name && f == "key" => (ctx.record.clone(), ATOM),
            TExprKind::RecordField(f) if ctx.key_name && f == "event" => ("None".to_string(), ATOM),
            TExprKind::RecordField(f) => (format!("{}[{}]", ctx.record, py_str(f)), POSTFIX),
            TExprKind::Local(n) => match ctx.substitute.get(n) {
                Some(text) => (text.clone(), ATOM),
                None => (self.names.local(n), ATOM),
            },
            TExprKind::Global(n) => (self.names.global(n).to_string(), ATOM),
            TExprKind::List(items) => {
                let items: Vec<String> = items.iter().map(|i| self.operand(i, ctx, IF)).collect();
                (format!("[{}]", items.join(", ")), ATOM)
            }
            TExprKind::Dict(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| {
                        format!("{}: {}", self.operand(k, ctx, IF), self.operand(v, ctx, IF))
                    })
                    .collect();
                (format!("{{{}}}", entries.join(", ")), ATOM)
            }
            TExprKind::Unary { op, operand } => match op {
                UnaryOp::Neg => (format!("-{}", self.operand(operand, ctx, POW)), UNARY),
                UnaryOp::Not => (format!("not {}", self.operand(operand, ctx, NOT)), NOT),
            },
            TExprKind::Binary { op, lhs, rhs } => {
                let p = binary_prec(*op);
                let (l, r) = match p {
                    // Comparisons do not chain in Gear: `(a < b) < c` keeps its parentheses.
                    COMPARE => (self.operand(lhs, ctx, p + 1), self.operand(rhs, ctx, p + 1)),
                    // `**` is right-associative and binds tighter than a unary minus on its left.
                    POW => (
                        self.operand(lhs, ctx, POSTFIX),
                        self.operand(rhs, ctx, UNARY),
                    ),
                    _ => (self.operand(lhs, ctx, p), self.operand(rhs, ctx, p + 1)),
                };
                (format!("{l} {} {r}", op.symbol()), p)
            }
            TExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let then = self.operand(then, ctx, OR);
                let cond = self.operand(cond, ctx, OR);
                let otherwise = self.operand(otherwise, ctx, IF);
                (format!("{then} if {cond} else {otherwise}"), IF)
            }
            TExprKind::Lambda { params, body } => {
                let params: Vec<String> = params.iter().map(|p| self.names.local(p)).collect();
                let mut inner = ctx.clone();
                for p in params.iter() {
                    inner.substitute.remove(p);
                }
                let body = self.operand(body, &inner, LAMBDA);
                let sep = if params.is_empty() { "" } else { " " };
                (format!("lambda{sep}{}: {body}", params.join(", ")), LAMBDA)
            }
            TExprKind::CallFunction {
                name,
                args,
                gear_fn,
            } => {
                let args = self.args(args, ctx, *gear_fn);
                (format!("{}({args})", self.names.global(name)), POSTFIX)
            }
            TExprKind::CallBuiltin { builtin, args } => self.builtin(*builtin, args, ctx),
            TExprKind::CallValue { callee, args } => {
                let callee = self.operand(callee, ctx, POSTFIX);
                let args = self.args(args, ctx, false);
                (format!("{callee}({args})"), POSTFIX)
            }
            TExprKind::Member { target, name } => {
                let target = self.operand(target, ctx, POSTFIX);
                (format!("{target}[{}]", py_str(name)), POSTFIX)
            }
            TExprKind::Method { target, name, args } => {
                // A dict's `keys()`, `values()` and `items()` are views in Python but
                // lists in Gear (`flatmap` must see a real list).
                let view = matches!(target.ty, Type::Dict(..) | Type::Record(_))
                    && matches!(name.as_str(), "keys" | "values" | "items");
                let target = self.operand(target, ctx, POSTFIX);
                let args = self.args(args, ctx, false);
                let call = format!("{target}.{name}({args})");
                if view {
                    (format!("list({call})"), POSTFIX)
                } else {
                    (call, POSTFIX)
                }
            }
            TExprKind::Index { target, index } => {
                let target = self.operand(target, ctx, POSTFIX);
                let index = self.operand(index, ctx, IF);
                (format!("{target}[{index}]"), POSTFIX)
            }
            TExprKind::Slice { target, start, end } => {
                let target = self.operand(target, ctx, POSTFIX);
                let start = start
                    .as_ref()
                    .map(|s| self.operand(s, ctx, IF))
                    .unwrap_or_default();
                let end = end
                    .as_ref()
                    .map(|s| self.operand(s, ctx, IF))
                    .unwrap_or_default();
                (format!("{target}[{start}:{end}]"), POSTFIX)
            }
        }
    }

    /// An f-string as `"…{}…".format(…)`: no nested quotes, valid in Python 3.7.
    fn fstring(&mut self, parts: &[FStrPart], ctx: &ExprCtx) -> String {
        let mut template = String::new();
        let mut values = Vec::new();
        for part in parts {
            match part {
                FStrPart::Text(t) => template.push_str(&t.replace('{', "{{").replace('}', "}}")),
                FStrPart::Expr(e) => {
                    template.push_str("{}");
                    values.push(self.operand(e, ctx, prec::IF));
                }
            }
        }
        if values.is_empty() {
            return py_str(&template.replace("{{", "{").replace("}}", "}"));
        }
        format!("{}.format({})", py_str(&template), values.join(", "))
    }

    fn args(&mut self, args: &[TArg], ctx: &ExprCtx, rename_keywords: bool) -> String {
        args.iter()
            .map(|a| match a {
                TArg::Positional(e) => self.operand(e, ctx, prec::IF),
                TArg::Named(n, e) => {
                    let name = if rename_keywords {
                        self.names.local(n)
                    } else {
                        n.clone()
                    };
                    format!("{name}={}", self.operand(e, ctx, prec::IF))
                }
                TArg::Spread(e) => format!("*{}", self.operand(e, ctx, prec::POSTFIX)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn builtin(&mut self, builtin: Builtin, args: &[TArg], ctx: &ExprCtx) -> (String, u8) {
        let name = match builtin {
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::Str => "str",
            Builtin::Bool => "bool",
            Builtin::Len => "len",
            Builtin::Abs => "abs",
            Builtin::Round => "round",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Sum => "sum",
            Builtin::Sorted => "sorted",
            Builtin::List => "list",
            Builtin::Set => "set",
            Builtin::Range => "range",
            Builtin::Pairs => {
                self.uses.pairs = true;
                "gearc_pairs"
            }
            Builtin::Json => {
                self.uses.json = true;
                "json.dumps"
            }
            Builtin::ParseJson => {
                self.uses.json = true;
                "json.loads"
            }
            Builtin::Execute => "execute",
            Builtin::Log => "log",
            Builtin::Hashtag => "hashtag",
            Builtin::ConfigGet => "configGet",
            Builtin::GearsConfigGet => "gearsConfigGet",
            Builtin::Time => {
                self.uses.time = true;
                "time.time"
            }
        };
        let args = self.args(args, ctx, false);
        // A range is a list in Gear (`flatmap(range(3))` must see a real list).
        if builtin == Builtin::Range {
            return (format!("list(range({args}))"), prec::POSTFIX);
        }
        (format!("{name}({args})"), prec::POSTFIX)
    }
}

/// How often the parameter `name` is read in `e` (for inlining an accumulator's zero).
pub(super) fn count_local(e: &TExpr, name: &str) -> usize {
    let mut n = 0;
    visit(e, &mut |e| {
        if matches!(&e.kind, TExprKind::Local(l) if l == name) {
            n += 1;
        }
    });
    n
}

fn visit(e: &TExpr, f: &mut impl FnMut(&TExpr)) {
    f(e);
    fn args(args: &[TArg], f: &mut impl FnMut(&TExpr)) {
        for a in args {
            visit(a.expr(), f);
        }
    }
    match &e.kind {
        TExprKind::FStr(parts) => {
            for p in parts {
                if let FStrPart::Expr(e) = p {
                    visit(e, f);
                }
            }
        }
        TExprKind::List(items) => items.iter().for_each(|i| visit(i, f)),
        TExprKind::Dict(entries) => entries.iter().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        TExprKind::Unary { operand, .. } => visit(operand, f),
        TExprKind::Binary { lhs, rhs, .. } => {
            visit(lhs, f);
            visit(rhs, f);
        }
        TExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            visit(cond, f);
            visit(then, f);
            visit(otherwise, f);
        }
        // A nested lambda reading the name would capture it: count it as many uses.
        TExprKind::Lambda { body, .. } => {
            visit(body, f);
            visit(body, f);
        }
        TExprKind::CallFunction { args: a, .. } | TExprKind::CallBuiltin { args: a, .. } => {
            args(a, f)
        }
        TExprKind::CallValue { callee, args: a } => {
            visit(callee, f);
            args(a, f);
        }
        TExprKind::Member { target, .. } => visit(target, f),
        TExprKind::Method {
            target, args: a, ..
        } => {
            visit(target, f);
            args(a, f);
        }
        TExprKind::Index { target, index } => {
            visit(target, f);
            visit(index, f);
        }
        TExprKind::Slice { target, start, end } => {
            visit(target, f);
            for b in [start, end].into_iter().flatten() {
                visit(b, f);
            }
        }
        _ => {}
    }
}
