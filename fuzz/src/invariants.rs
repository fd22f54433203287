//! What must hold for every input of the compiler, checked in process (a violation
//! panics, which the fuzzer reports as a crash):
//!
//! - parsing and compiling never panic, and compiling twice gives the same bytes;
//! - a failure says why: at least one diagnostic, every span inside the source on
//!   character boundaries, every code `gearc::…`, and the diagnostics render;
//! - a success is a module whose tokens are whole (string literals end, brackets
//!   close, no NUL: see `python_tokens`), and every string literal of the source is
//!   a string literal of the module with the same value: no text of a `.gear` file
//!   becomes code. Python blocks are verbatim by design and left out.

use gearc::diagnostics::{self, Style};
use gearc::syntax::ast::{Arg, Expr, ExprKind, FStrPart, ItemKind, Module};
use gearc::syntax::Span;
use gearc::Diagnostic;

use crate::python_tokens;

/// Every check above, on one source text.
pub fn check_source(source: &str) {
    let ast = gearc::syntax::parse(source);
    if let Err(errors) = &ast {
        assert!(!errors.is_empty(), "parse failed without an error");
    }
    let first = gearc::compile(source, "fuzz.gear");
    let second = gearc::compile(source, "fuzz.gear");
    match (&first, &second) {
        (Ok(a), Ok(b)) => assert_eq!(a.python, b.python, "compiling twice differs"),
        (Err(a), Err(b)) => assert_eq!(codes(a), codes(b), "compiling twice differs"),
        _ => panic!("compiling twice: one success, one failure"),
    }
    match first {
        Err(diags) => {
            assert!(!diags.is_empty(), "compile failed without a diagnostic");
            check_diagnostics(&diags, source);
        }
        Ok(compiled) => {
            check_diagnostics(&compiled.warnings, source);
            let module = ast.expect("a compiled source parses");
            check_module(&module, &compiled);
        }
    }
}

fn codes(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(Diagnostic::code_text).collect()
}

fn check_diagnostics(diags: &[Diagnostic], source: &str) {
    for d in diags {
        let span = d.span();
        assert!(
            span.start <= span.end && span.end <= source.len(),
            "{}: span {span:?} outside a source of {} bytes",
            d.code_text(),
            source.len()
        );
        assert!(
            source.is_char_boundary(span.start) && source.is_char_boundary(span.end),
            "{}: span {span:?} cuts a character",
            d.code_text()
        );
        assert!(d.code_text().starts_with("gearc::"), "no code: {d}");
    }
    let rendered = diagnostics::render(diags, "fuzz.gear", source, Style::Plain);
    assert!(diags.is_empty() || !rendered.is_empty());
}

/// The module's tokens are whole, and the source's strings are its literals.
fn check_module(module: &Module, compiled: &gearc::Compiled) {
    let verbatim: Vec<Span> = module
        .items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Python { .. }))
        .map(|i| i.span)
        .collect();
    let python = without_lines_from(&compiled.python, compiled, &verbatim);
    let literals = python_tokens::string_literals(&python)
        .unwrap_or_else(|e| panic!("the module's tokens are broken: {e}\n{}", compiled.python));
    let mut strings = Vec::new();
    for item in &module.items {
        match &item.kind {
            ItemKind::Let { value, .. } => strings_of(value, &mut strings),
            ItemKind::Fn { body, .. } => strings_of(body, &mut strings),
            ItemKind::Pipeline(p) => {
                let stages = std::iter::once(&p.reader).chain(&p.ops);
                for arg in stages.flat_map(|s| &s.args) {
                    strings_of_arg(arg, &mut strings);
                }
                for arg in p.terminal.iter().flat_map(|t| &t.args) {
                    strings_of_arg(arg, &mut strings);
                }
            }
            ItemKind::Requirements(_) | ItemKind::Python { .. } => {}
        }
    }
    for s in strings {
        let found = match &s {
            SourceString::Whole(v) => literals.iter().any(|l| l == v) || is_word(v),
            // An f-string's text is part of a `"…{}…".format` template, braces doubled
            // (or the whole literal when it has no expression).
            SourceString::FText(t) => {
                let doubled = t.replace('{', "{{").replace('}', "}}");
                literals
                    .iter()
                    .any(|l| l.contains(&doubled) || l.contains(t.as_str()))
            }
        };
        assert!(
            found,
            "the source string {s:?} is no string literal of the module:\n{}",
            compiled.python
        );
    }
}

/// A vocabulary word (`"hash"`, `"SYNC"`, `"json.set"`) may be respelled or consumed
/// by the compiler; it cannot carry code.
fn is_word(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The module with every line that comes from a Python block blanked.
fn without_lines_from(python: &str, compiled: &gearc::Compiled, verbatim: &[Span]) -> String {
    python
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let from_block = compiled.line_map.span(i + 1).is_some_and(|s| {
                verbatim
                    .iter()
                    .any(|b| b.start <= s.start && s.end <= b.end)
            });
            if from_block {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug)]
enum SourceString {
    Whole(String),
    FText(String),
}

fn strings_of_arg(arg: &Arg, out: &mut Vec<SourceString>) {
    match arg {
        Arg::Positional(e) | Arg::Named { value: e, .. } | Arg::Spread { value: e, .. } => {
            strings_of(e, out)
        }
    }
}

fn strings_of(expr: &Expr, out: &mut Vec<SourceString>) {
    match &expr.kind {
        ExprKind::Str(s) => out.push(SourceString::Whole(s.clone())),
        ExprKind::FStr(parts) => {
            for part in parts {
                match part {
                    FStrPart::Text(t) => out.push(SourceString::FText(t.clone())),
                    FStrPart::Expr(e) => strings_of(e, out),
                }
            }
        }
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::None
        | ExprKind::It
        | ExprKind::Name(_) => {}
        ExprKind::List(items) => items.iter().for_each(|e| strings_of(e, out)),
        ExprKind::Dict(entries) => {
            for (k, v) in entries {
                strings_of(k, out);
                strings_of(v, out);
            }
        }
        ExprKind::Unary { operand, .. } => strings_of(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            strings_of(lhs, out);
            strings_of(rhs, out);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            strings_of(cond, out);
            strings_of(then, out);
            strings_of(otherwise, out);
        }
        ExprKind::Lambda { body, .. } => strings_of(body, out),
        ExprKind::Call { callee, args } => {
            strings_of(callee, out);
            args.iter().for_each(|a| strings_of_arg(a, out));
        }
        ExprKind::Field { target, .. } => strings_of(target, out),
        ExprKind::Method { target, args, .. } => {
            strings_of(target, out);
            args.iter().for_each(|a| strings_of_arg(a, out));
        }
        ExprKind::Index { target, index } => {
            strings_of(target, out);
            strings_of(index, out);
        }
        ExprKind::Slice { target, start, end } => {
            strings_of(target, out);
            start.iter().for_each(|e| strings_of(e, out));
            end.iter().for_each(|e| strings_of(e, out));
        }
    }
}
