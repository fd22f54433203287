//! Printing run results as typed values, and run errors against the `.gear` source.

use std::io::Write;

use serde_json::Value;
use thiserror::Error;

use gearc::diagnostics::{render_one, Style};
use gearc::ir::Type;
use gearc::submit::reply::{Raised, RunError};
use gearc::syntax::Span;

use super::exit;
use super::input::Source;

/// Writes `text` to standard output: the exit status. A closed pipe (`gearc explain |
/// head`) is not an error: the reader has what it wanted.
pub fn to_stdout(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) => stdout_failed(&e),
    }
}

/// The exit status of a failed write to standard output, once said: none for a closed
/// pipe.
pub fn stdout_failed(e: &std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return exit::OK;
    }
    eprintln!("error: cannot write to standard output: {e}");
    exit::TROUBLE
}

/// Writes `args` to standard output, as `print!` does, without its panic when the
/// reader has gone (`gearc check --message-format json FILE | head -1`): the rest of
/// the output is dropped, and the command goes on to its own exit status. Another
/// failure to write is said once.
pub fn print(args: std::fmt::Arguments<'_>) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
            stdout_failed(&e);
        }
    }
}

/// `println!` through [`print`]: no panic when standard output is a closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use outln;

/// Prints results: one per line, a key/value table for group records (sorted by key
/// unless `sorted`, when the pipeline's own `sort` gave their order), or JSON lines.
/// A run's results are printed as they arrive, chunk by chunk, so that a huge result is
/// never held whole: each record is written (and the chunk flushed) as it comes, except the rows
/// of a key/value table, which are kept until the end to be sorted and aligned (a grouped
/// result is made at the end of the run anyway). An error is stdout's (a closed pipe).
pub struct Results {
    json: bool,
    /// The rows of a key/value table (`Some` for group records printed as text).
    table: Option<Vec<(String, String)>>,
    sorted: bool,
    /// Records printed or held so far.
    pub count: usize,
}

impl Results {
    pub fn new(result: &Type, sorted: bool, json: bool) -> Results {
        let is_group = matches!(result, Type::Record(fields)
            if fields.len() == 2 && result.field("key").is_some() && result.field("value").is_some());
        Results {
            json,
            table: (is_group && !json).then(Vec::new),
            sorted,
            count: 0,
        }
    }

    /// Prints (or, for a table, keeps) these records, then flushes stdout.
    pub fn print(&mut self, values: impl IntoIterator<Item = Value>) -> std::io::Result<()> {
        if let Some(rows) = &mut self.table {
            for v in values {
                rows.push((plain(&v["key"]), plain(&v["value"])));
                self.count += 1;
            }
            return Ok(());
        }
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for v in values {
            if self.json {
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "{}", plain(&v))?;
            }
            self.count += 1;
        }
        out.flush()
    }

    /// Prints the key/value table, when there is one.
    pub fn finish(&mut self) -> std::io::Result<()> {
        let Some(mut rows) = self.table.take().filter(|rows| !rows.is_empty()) else {
            return Ok(());
        };
        if !self.sorted {
            rows.sort();
        }
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0)
            .max(3);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        writeln!(out, "{:<width$}  value", "key")?;
        for (k, v) in rows {
            writeln!(out, "{k:<width$}  {v}")?;
        }
        out.flush()
    }
}

/// A value as a user reads it: strings without quotes, `none`/`true`/`false` as in Gear.
/// A string with a line break is quoted with JSON's escapes (`"a\nb"`): unquoted, it
/// would read as two results (or break a table row).
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) if s.contains(['\n', '\r']) => Value::from(s.as_str()).to_string(),
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
#[diagnostic(code(gearc::run::operation_failed))]
struct OperationFailed {
    message: String,
    #[label("raised inside RedisGears' own `{operation}`")]
    span: Option<Span>,
    operation: &'static str,
    #[help]
    help: Option<String>,
}

#[derive(Debug, Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(gearc::run::reader_failed))]
struct ReaderFailed {
    message: String,
    #[label("this reader failed")]
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
    /// While the pipeline ran: in a callback, an operation's own code or the reader, as
    /// each error says ([`Raised`]).
    Run,
}

/// The stable code of an error of a run.
pub fn run_error_code(raised: Raised) -> &'static str {
    match raised {
        Raised::Callback => "gearc::run::callback_failed",
        Raised::Operation(_) => "gearc::run::operation_failed",
        Raised::Reader => "gearc::run::reader_failed",
        Raised::Load => "gearc::run::load_failed",
    }
}

/// What to do about an error that RedisGears' own code raised, by where it was raised.
fn advice(raised: Raised) -> Option<&'static str> {
    match raised {
        Raised::Operation("sort") => Some("`sort` compares whole records with Python's `<`: records of different types (an int and a str, a dict) cannot be ordered; map them to one comparable type first, or sort by a key with `sort(by = …)`"),
        Raised::Operation("distinct") => Some("`distinct` keeps the records in a Python set: each must be hashable (a str, a number, a tuple; not a list or dict); map them to such a value first"),
        Raised::Operation("avg") => Some("`avg` adds the values up: each must be a number; convert it first, e.g. `avg(float(value))`"),
        Raised::Operation(_) => Some("no callback of the file raised this: RedisGears' own code for the operation failed on these records"),
        Raised::Reader => Some("the reader failed before any callback ran: check that the keys it reads exist with the type it expects (`TYPE key` in redis-cli); a `stream` run reads one stream key"),
        Raised::Callback | Raised::Load => None,
    }
}

/// Prints a run's errors on stderr, each pointing at the `.gear` step that raised it.
pub fn print_errors(errors: &[RunError], source: &Source, style: Style) {
    print_errors_of(Stage::Run, errors, source, style)
}

/// [`print_errors`] for errors raised at `stage`.
pub fn print_errors_of(stage: Stage, errors: &[RunError], source: &Source, style: Style) {
    print_errors_with(stage, errors, source, style, None)
}

/// [`print_errors_of`] with a help of gearc's own for the errors that have none
/// (`extra_help`, e.g. how to install a missing requirement for `--local`).
pub fn print_errors_with(
    stage: Stage,
    errors: &[RunError],
    source: &Source,
    style: Style,
    extra_help: Option<&str>,
) {
    for e in errors {
        let raised = match stage {
            Stage::Load => Raised::Load,
            Stage::Run => e.raised,
        };
        let help = help_text(e, raised, extra_help);
        let source = Some((source.name.as_str(), source.text.as_str()));
        let (message, span) = (e.message.clone(), e.span);
        let text = match raised {
            Raised::Callback => render_one(
                &CallbackFailed {
                    message,
                    span,
                    help,
                },
                source,
                style,
            ),
            Raised::Operation(operation) => render_one(
                &OperationFailed {
                    message,
                    span,
                    operation,
                    help,
                },
                source,
                style,
            ),
            Raised::Reader => render_one(
                &ReaderFailed {
                    message,
                    span,
                    help,
                },
                source,
                style,
            ),
            Raised::Load => render_one(
                &LoadFailed {
                    message,
                    span,
                    help,
                },
                source,
                style,
            ),
        };
        eprint!("{text}");
    }
}

/// An error's help: what to do (when known), then the Python traceback (when there is
/// more to it than the message).
fn help_text(e: &RunError, raised: Raised, extra_help: Option<&str>) -> Option<String> {
    let traceback = e
        .traceback
        .contains("Traceback (most recent call last)")
        .then(|| format!("Python traceback:\n{}", e.traceback.trim_end()));
    let parts: Vec<String> = [advice(raised).or(extra_help).map(str::to_string), traceback]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
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
    stage: Stage,
    source: &Source,
    index: &gearc::syntax::span::LineIndex,
) -> serde_json::Value {
    let raised = match stage {
        Stage::Load => Raised::Load,
        Stage::Run => e.raised,
    };
    let place = e.span.map(|span| {
        let (line, column) = index.line_col(span.start);
        (line, column, span)
    });
    serde_json::json!({
        "error": {
            "code": run_error_code(raised),
            "severity": "error",
            "message": e.message,
            "file": source.name,
            "line": place.map(|p| p.0),
            "column": place.map(|p| p.1),
            "span": place.map(|p| serde_json::json!({"start": p.2.start, "end": p.2.end})),
            "traceback": e.traceback,
            "help": advice(raised),
        }
    })
}
