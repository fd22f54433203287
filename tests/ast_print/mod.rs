//! Compact text forms of the AST and of syntax errors, for snapshots that a
//! reviewer can read at a glance.

#![allow(dead_code)]

use gearc::diagnostics::Style;
use gearc::syntax::ast::{Arg, Expr, ExprKind, FStrPart, Item, ItemKind, Module, Stage, Terminal};
use gearc::syntax::{parse, Span, SyntaxError};

/// Parses `src`, panicking with the rendered errors if it does not parse.
pub fn parse_ok(src: &str) -> Module {
    match parse(src) {
        Ok(module) => module,
        Err(errors) => panic!("{src:?} did not parse:\n{}", render_errors(src, errors)),
    }
}

/// Every item of `src` as an s-expression, one per line.
pub fn items(src: &str) -> String {
    parse_ok(src)
        .items
        .iter()
        .map(item)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The expression of `let x = <src>` as an s-expression.
pub fn expr(src: &str) -> String {
    let module = parse_ok(&format!("let x = {src}"));
    match &module.items[..] {
        [Item {
            kind: ItemKind::Let { value, .. },
            ..
        }] => sexpr(value),
        other => panic!("not one let: {other:?}"),
    }
}

pub fn item(item: &Item) -> String {
    match &item.kind {
        ItemKind::Requirements(reqs) => {
            let reqs: Vec<String> = reqs.iter().map(|r| format!("{:?}", r.value)).collect();
            format!("requirements {}", reqs.join(", "))
        }
        ItemKind::Let { name, value } => format!("let {} = {}", name.name, sexpr(value)),
        ItemKind::Fn { name, params, body } => {
            let params: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            format!("fn {}({}) = {}", name.name, params.join(", "), sexpr(body))
        }
        ItemKind::Python { code, .. } => format!("python {code:?}"),
        ItemKind::Pipeline(p) => {
            let mut parts = vec![stage(&p.reader)];
            parts.extend(p.ops.iter().map(stage));
            parts.push(
                p.terminal
                    .as_ref()
                    .map_or("<no terminal>".to_owned(), terminal),
            );
            parts.join(" | ")
        }
    }
}

fn stage(s: &Stage) -> String {
    format!("{}{}", s.name.name, call_args(&s.args))
}

fn terminal(t: &Terminal) -> String {
    let kw = match t.kind {
        gearc::syntax::ast::TerminalKind::Run => "run",
        gearc::syntax::ast::TerminalKind::Register => "register",
    };
    format!("{kw}{}", call_args(&t.args))
}

fn call_args(args: &[Arg]) -> String {
    if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.iter().map(arg).collect::<Vec<_>>().join(", "))
    }
}

fn arg(a: &Arg) -> String {
    match a {
        Arg::Positional(e) => sexpr(e),
        Arg::Named { name, value } => format!("{}={}", name.name, sexpr(value)),
        Arg::Spread { value, .. } => format!("...{}", sexpr(value)),
    }
}

fn args(a: &[Arg]) -> String {
    a.iter().map(|a| format!(" {}", arg(a))).collect()
}

pub fn sexpr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::FStr(parts) => {
            let parts: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    FStrPart::Text(t) => format!("{t:?}"),
                    FStrPart::Expr(e) => format!("{{{}}}", sexpr(e)),
                })
                .collect();
            format!(
                "(f{})",
                parts.iter().map(|p| format!(" {p}")).collect::<String>()
            )
        }
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::None => "none".to_owned(),
        ExprKind::It => "it".to_owned(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => {
            format!(
                "[{}]",
                items.iter().map(sexpr).collect::<Vec<_>>().join(" ")
            )
        }
        ExprKind::Dict(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", sexpr(k), sexpr(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        ExprKind::Unary { op, operand, .. } => {
            let op = match op {
                gearc::syntax::ast::UnaryOp::Neg => "neg",
                gearc::syntax::ast::UnaryOp::Not => "not",
            };
            format!("({op} {})", sexpr(operand))
        }
        ExprKind::Binary { op, lhs, rhs, .. } => {
            format!("({} {} {})", op.symbol(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => format!("(if {} {} {})", sexpr(cond), sexpr(then), sexpr(otherwise)),
        ExprKind::Lambda { params, body } => {
            let params: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            format!("(lambda [{}] {})", params.join(" "), sexpr(body))
        }
        ExprKind::Call { callee, args: a } => format!("(call {}{})", sexpr(callee), args(a)),
        ExprKind::Field { target, name } => format!("(. {} {})", sexpr(target), name.name),
        ExprKind::Method {
            target,
            name,
            args: a,
        } => format!("(.{} {}{})", name.name, sexpr(target), args(a)),
        ExprKind::Index { target, index } => format!("(index {} {})", sexpr(target), sexpr(index)),
        ExprKind::Slice { target, start, end } => {
            let bound = |b: &Option<Box<Expr>>| b.as_deref().map_or("_".to_owned(), sexpr);
            format!("(slice {} {} {})", sexpr(target), bound(start), bound(end))
        }
    }
}

/// The source text of `span`, checked to be a valid range of `src`.
pub fn text(src: &str, span: Span) -> &str {
    src.get(span.start..span.end)
        .unwrap_or_else(|| panic!("span {span:?} is not a range of {src:?}"))
}

/// Every expression node of `e` with the source text its span covers, indented
/// by depth: spans are easier to review as text than as numbers.
pub fn expr_spans(src: &str, e: &Expr) -> String {
    let mut out = String::new();
    walk(src, e, 0, &mut out);
    out
}

fn walk(src: &str, e: &Expr, depth: usize, out: &mut String) {
    let kind = match &e.kind {
        ExprKind::Int(_) => "int",
        ExprKind::Float(_) => "float",
        ExprKind::Str(_) => "str",
        ExprKind::FStr(_) => "fstr",
        ExprKind::Bool(_) => "bool",
        ExprKind::None => "none",
        ExprKind::It => "it",
        ExprKind::Name(_) => "name",
        ExprKind::List(_) => "list",
        ExprKind::Dict(_) => "dict",
        ExprKind::Unary { .. } => "unary",
        ExprKind::Binary { .. } => "binary",
        ExprKind::If { .. } => "if",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::Call { .. } => "call",
        ExprKind::Field { .. } => "field",
        ExprKind::Method { .. } => "method",
        ExprKind::Index { .. } => "index",
        ExprKind::Slice { .. } => "slice",
    };
    let extra = match &e.kind {
        ExprKind::Unary { op_span, .. } | ExprKind::Binary { op_span, .. } => {
            format!(" op {:?}", text(src, *op_span))
        }
        ExprKind::Field { name, .. } | ExprKind::Method { name, .. } => {
            format!(" name {:?}", text(src, name.span))
        }
        ExprKind::Lambda { params, .. } => {
            let p: Vec<&str> = params.iter().map(|p| text(src, p.span)).collect();
            format!(" params {p:?}")
        }
        _ => String::new(),
    };
    out.push_str(&format!(
        "{}{kind} {:?}{extra}\n",
        "  ".repeat(depth),
        text(src, e.span)
    ));
    let mut child = |c: &Expr| walk(src, c, depth + 1, out);
    match &e.kind {
        ExprKind::FStr(parts) => parts.iter().for_each(|p| {
            if let FStrPart::Expr(e) = p {
                child(e)
            }
        }),
        ExprKind::List(items) => items.iter().for_each(child),
        ExprKind::Dict(entries) => entries.iter().for_each(|(k, v)| {
            child(k);
            child(v)
        }),
        ExprKind::Unary { operand, .. } => child(operand),
        ExprKind::Binary { lhs, rhs, .. } => {
            child(lhs);
            child(rhs)
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            child(cond);
            child(then);
            child(otherwise)
        }
        ExprKind::Lambda { body, .. } => child(body),
        ExprKind::Call { callee, args } => {
            child(callee);
            args.iter().for_each(|a| arg_child(a, &mut child))
        }
        ExprKind::Field { target, .. } => child(target),
        ExprKind::Method { target, args, .. } => {
            child(target);
            args.iter().for_each(|a| arg_child(a, &mut child))
        }
        ExprKind::Index { target, index } => {
            child(target);
            child(index)
        }
        ExprKind::Slice { target, start, end } => {
            child(target);
            start.iter().for_each(|e| child(e));
            end.iter().for_each(|e| child(e))
        }
        _ => {}
    }
}

fn arg_child(a: &Arg, child: &mut impl FnMut(&Expr)) {
    match a {
        Arg::Positional(e) | Arg::Named { value: e, .. } | Arg::Spread { value: e, .. } => child(e),
    }
}

/// The errors of `src`, rendered as the CLI shows them, without colour.
pub fn errors(src: &str) -> String {
    match parse(src) {
        Ok(module) => panic!("{src:?} parsed: {module:?}"),
        Err(errors) => render_errors(src, errors),
    }
}

pub fn render_errors(src: &str, errors: Vec<SyntaxError>) -> String {
    errors
        .iter()
        .map(|e| gearc::diagnostics::render_one(e, Some(("t.gear", src)), Style::Plain))
        .collect()
}

/// The codes of the errors of `src`.
pub fn codes(src: &str) -> Vec<String> {
    use miette::Diagnostic;
    match parse(src) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
            .collect(),
    }
}
