//! Printing run results as typed values, and run errors against the `.gear` source.

use serde_json::Value;
use thiserror::Error;

use gearc::diagnostics::{render_one, Style};
use gearc::ir::Type;
use gearc::submit::reply::RunError;
use gearc::syntax::Span;

use super::input::Source;

/// Prints decoded results: one per line, a key/value table for group records (sorted by
/// key unless `sorted`, when the pipeline's own `sort` gave their order), or JSON lines.
pub fn print_results(values: &[Value], result: &Type, sorted: bool, json: bool) {
    if json {
        for v in values {
            println!("{v}");
        }
        return;
    }
    let is_group = matches!(result, Type::Record(fields)
        if fields.len() == 2 && result.field("key").is_some() && result.field("value").is_some());
    if is_group {
        let mut rows: Vec<(String, String)> = values
            .iter()
            .map(|v| (plain(&v["key"]), plain(&v["value"])))
            .collect();
        if !sorted {
            rows.sort();
        }
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0)
            .max(3);
        println!("{:<width$}  value", "key");
        for (k, v) in rows {
            println!("{k:<width$}  {v}");
        }
        return;
    }
    for v in values {
        println!("{}", plain(v));
    }
}

/// A value as a user reads it: strings without quotes, `none`/`true`/`false` as in Gear.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

#[derive(Debug, Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(gearc::run::callback_failed))]
struct CallbackFailed {
    message: String,
    #[label("raised here")]
    span: Option<Span>,
    #[help]
    help: Option<String>,
}

#[derive(Debug, Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(gearc::run::load_failed))]
struct LoadFailed {
    message: String,
    #[label("raised while the module loads")]
    span: Option<Span>,
    #[help]
    help: Option<String>,
}

/// Where an error of a run was raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// While the module loaded (a Python block, a constant, an import).
    Load,
    /// In a step's callback, for one record.
    Callback,
}

/// Prints a run's errors on stderr, each pointing at the `.gear` step that raised it.
pub fn print_errors(errors: &[RunError], source: &Source, style: Style) {
    print_errors_of(Stage::Callback, errors, source, style)
}

/// [`print_errors`] for errors raised at `stage`.
pub fn print_errors_of(stage: Stage, errors: &[RunError], source: &Source, style: Style) {
    for e in errors {
        let traceback_help = (e.traceback.trim() != e.message)
            .then(|| format!("Python traceback:\n{}", e.traceback.trim_end()));
        let source = Some((source.name.as_str(), source.text.as_str()));
        let text = match stage {
            Stage::Callback => render_one(
                &CallbackFailed {
                    message: e.message.clone(),
                    span: e.span,
                    help: traceback_help,
                },
                source,
                style,
            ),
            Stage::Load => render_one(
                &LoadFailed {
                    message: e.message.clone(),
                    span: e.span,
                    help: traceback_help,
                },
                source,
                style,
            ),
        };
        eprint!("{text}");
    }
}

/// A diagnostic without source text (a connection or server failure), drawn like the
/// compiler's: code, message, help.
pub fn render_diagnostic(d: &dyn miette::Diagnostic) -> String {
    render_one(d, None, super::input::style())
}

/// A run error as one JSON object (`gearc run --json`): the same fields as
/// `gearc check --message-format json`, plus the Python traceback.
pub fn run_error_json(
    e: &RunError,
    source: &Source,
    index: &gearc::syntax::span::LineIndex,
) -> serde_json::Value {
    let place = e.span.map(|span| {
        let (line, column) = index.line_col(span.start);
        (line, column, span)
    });
    serde_json::json!({
        "error": {
            "code": "gearc::run::callback_failed",
            "severity": "error",
            "message": e.message,
            "file": source.name,
            "line": place.map(|p| p.0),
            "column": place.map(|p| p.1),
            "span": place.map(|p| serde_json::json!({"start": p.2.start, "end": p.2.end})),
            "traceback": e.traceback,
        }
    })
}
