//! Operator typing: which `lhs op rhs` Python accepts, and the help when it does not.
//! Used for expressions and for reducers such as `aggregate(0, add)`.

use crate::ir::{TExpr, TExprKind, Type};
use crate::syntax::ast::BinaryOp;

/// The type of `lhs op rhs`, or `None` when Python would raise a TypeError.
pub fn binary_type(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<Type> {
    use Type::{Any, Bool, Dict, Float, Int, List, Record, Set, Str};
    let numeric = |t: &Type| t.is_numeric();
    let number_join = |a: &Type, b: &Type| match a.join(b) {
        Bool => Int,
        t => t,
    };
    match op {
        BinaryOp::Eq | BinaryOp::NotEq => Some(Bool),
        BinaryOp::And | BinaryOp::Or => Some(if lhs == rhs { lhs.clone() } else { Any }),
        BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
            let ok = match (lhs, rhs) {
                (Any, _) | (_, Any) => true,
                (a, b) if numeric(a) && numeric(b) => true,
                (Str, Str) => true,
                (List(a), List(b)) => a.fits(b) || b.fits(a),
                _ => false,
            };
            ok.then_some(Bool)
        }
        BinaryOp::In | BinaryOp::NotIn => {
            let ok = match rhs {
                Any => true,
                Str => lhs.fits(&Str),
                List(_) | Set(_) => true,
                Dict(k, _) => lhs.fits(k),
                Record(_) => lhs.fits(&Str),
                _ => false,
            };
            ok.then_some(Bool)
        }
        BinaryOp::Add => match (lhs, rhs) {
            (Any, _) | (_, Any) => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            (Str, Str) => Some(Str),
            (List(a), List(b)) => Some(Type::list(a.join(b))),
            _ => None,
        },
        BinaryOp::Mul => match (lhs, rhs) {
            (Any, _) | (_, Any) => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            (Str, Int) | (Int, Str) => Some(Str),
            (List(t), Int) | (Int, List(t)) => Some(List(t.clone())),
            _ => None,
        },
        BinaryOp::Mod if matches!(lhs, Str) => Some(Str),
        BinaryOp::Div => (lhs.may_be_numeric() && rhs.may_be_numeric()).then_some(Float),
        BinaryOp::Sub | BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow => match (lhs, rhs) {
            (Any, b) if b.may_be_numeric() => Some(Any),
            (a, Any) if a.may_be_numeric() => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            _ => None,
        },
    }
}

pub(super) fn operator_help(op: BinaryOp, lhs: &TExpr, rhs: &TExpr) -> Option<String> {
    use Type::{Float, Int, Str};
    let (l, r) = (written(lhs), written(rhs));
    match (op, &lhs.ty, &rhs.ty) {
        (BinaryOp::Add, Str, Int | Float)
            if matches!(lhs.kind, TExprKind::Str(_) | TExprKind::FStr(_)) =>
        {
            Some(format!(
                "convert the number first: `{l} + str({r})`, or use an f-string `f\"…{{x}}\"`"
            ))
        }
        // Redis returns strings: `value["age"] + 1` nearly always means the number.
        (BinaryOp::Add, Str, Int | Float) => Some(format!(
            "values read from Redis are strings: to add numbers, convert it first: `int({l}) + {r}` (or `float(…)`); to join text, `{l} + str({r})`"
        )),
        (BinaryOp::Add, Int | Float, Str) => Some(format!(
            "to add numbers, convert the string first: `{l} + int({r})` (or `float(…)`); to join text, `str({l}) + {r}`"
        )),
        (BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq, _, _) => {
            Some("only numbers with numbers, and strings with strings, can be ordered".to_string())
        }
        (BinaryOp::In | BinaryOp::NotIn, _, _) => {
            Some("`in` looks into a list, set, dict or str".to_string())
        }
        _ => None,
    }
}

/// A short spelling of a simple expression for a help text (`value["age"]`, `n`,
/// `1`), or `…` for anything longer: the help shows the fix on the user's own names.
fn written(e: &TExpr) -> String {
    fn go(e: &TExpr, depth: usize) -> Option<String> {
        if depth > 3 {
            return None;
        }
        Some(match &e.kind {
            TExprKind::Int(i) => i.to_string(),
            TExprKind::Float(f) => f.to_string(),
            TExprKind::Str(s) if s.len() <= 20 && !s.contains(['"', '\\', '\n']) => {
                format!("\"{s}\"")
            }
            TExprKind::Record => "it".to_string(),
            TExprKind::RecordField(n) | TExprKind::Local(n) | TExprKind::Global(n) => n.clone(),
            TExprKind::Index { target, index } => {
                format!("{}[{}]", go(target, depth + 1)?, go(index, depth + 1)?)
            }
            TExprKind::Member { target, name } => format!("{}.{name}", go(target, depth + 1)?),
            _ => return None,
        })
    }
    go(e, 0).unwrap_or_else(|| "…".to_string())
}
