//! The edge where diagnostics meet the source text: one type for every stage's
//! mistakes, rendered with miette (with the file name, the snippet and labels).

use miette::{
    Diagnostic as _, GraphicalReportHandler, GraphicalTheme, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use thiserror::Error;

use crate::check::error::CheckError;
use crate::snippet::LongLines;
use crate::syntax::span::LineIndex;
use crate::syntax::{Span, SyntaxError};

#[derive(Clone, Debug, Error, miette::Diagnostic)]
pub enum Diagnostic {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
}

impl Diagnostic {
    pub fn is_warning(&self) -> bool {
        matches!(self, Diagnostic::Check(c) if c.is_warning())
    }

    pub fn span(&self) -> Span {
        match self {
            Diagnostic::Syntax(s) => s.span(),
            Diagnostic::Check(c) => c.span(),
        }
    }

    /// The stable code, e.g. `gearc::check::unknown_field`.
    pub fn code_text(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }
}

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unicode, no colour: stable text for snapshots and pipes.
    Plain,
    /// Colours for a terminal.
    Color,
}

/// The one width every diagnostic is drawn at (compile errors, run errors, server
/// errors; terminal, pipe or snapshot), so a message wraps the same wherever it is read.
pub const WIDTH: usize = 80;

/// Draws one diagnostic: code, message, the snippet of `source` (file name, text) under
/// its labels when it has one, and the help. This is the only miette set-up in gearc.
pub fn render_one(
    d: &dyn miette::Diagnostic,
    source: Option<(&str, &str)>,
    style: Style,
) -> String {
    let indexed = source.map(|(file, text)| IndexedSource::new(file, text));
    let long_lines = source.map(|(_, text)| LongLines::new(text));
    render_indexed(d, indexed.as_ref().zip(long_lines.as_ref()), style)
}

/// [`render_one`] against a source that is already indexed (and asked for its long
/// lines: a diagnostic on one is drawn without its snippet, `crate::snippet`).
fn render_indexed(
    d: &dyn miette::Diagnostic,
    source: Option<(&IndexedSource<'_>, &LongLines<'_>)>,
    style: Style,
) -> String {
    let theme = match style {
        Style::Plain => GraphicalTheme::unicode_nocolor(),
        Style::Color => GraphicalTheme::unicode(),
    };
    // Lines wrap at spaces only: a package name, URL, path or key in a message stays
    // whole, so it can be copied and searched for.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    if let Some((source, long_lines)) = source {
        if let Some(at) = long_lines.find(d) {
            let mut text = String::new();
            let bare = crate::snippet::Located { inner: d };
            if handler.render_report(&mut text, &bare).is_err() {
                text = format!("error: {d}\n");
            }
            text.push_str(&crate::snippet::location(source.name, at));
            return text;
        }
    }
    let mut text = String::new();
    let drawn = match source.map(|(source, _)| source) {
        Some(source) => {
            let with_source = WithSource { inner: d, source };
            handler.render_report(&mut text, &with_source)
        }
        None => handler.render_report(&mut text, d),
    };
    if drawn.is_err() {
        // Writing to a String fails only if a label lies outside the source; the
        // message and help still say what went wrong.
        text = match d.help() {
            Some(help) => format!("error: {d}\n  help: {help}\n"),
            None => format!("error: {d}\n"),
        };
    }
    text
}

/// The most diagnostics [`render`] draws for one file; it counts the rest in one line.
/// A 10 MiB file can hold millions of mistakes (a line `x` each): drawing them all would
/// print gigabytes that nobody reads. `gearc check --message-format json` lists them all.
pub const MAX_RENDERED: usize = 1_000;

/// Renders each diagnostic against `source`, in order: the first [`MAX_RENDERED`],
/// then how many more there are.
///
/// Linear in the number of diagnostics: they all read one borrowed source through one
/// line index, and each reads only the lines around its labels (miette alone would
/// copy the source for every diagnostic and scan it from the start).
pub fn render(diagnostics: &[Diagnostic], file: &str, source: &str, style: Style) -> String {
    let indexed = IndexedSource::new(file, source);
    let long_lines = LongLines::new(source);
    let mut out: String = diagnostics
        .iter()
        .take(MAX_RENDERED)
        .map(|d| render_indexed(d, Some((&indexed, &long_lines)), style))
        .collect();
    if let Some(rest) = diagnostics
        .get(MAX_RENDERED..)
        .filter(|rest| !rest.is_empty())
    {
        out.push_str(&format!(
            "… {} not shown in {file} ({MAX_RENDERED} shown; `gearc check --message-format json` lists every one)\n",
            summary(rest),
        ));
    }
    out
}

/// A source text with the offsets of its line starts.
struct IndexedSource<'a> {
    name: &'a str,
    text: &'a str,
    /// Offsets just after each `\n`; empty when the text has a `\r` (miette counts a
    /// lone `\r` as a line break too: such texts are read from their start).
    starts: Vec<usize>,
}

impl<'a> IndexedSource<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        let starts = if text.contains('\r') {
            Vec::new()
        } else {
            text.match_indices('\n').map(|(i, _)| i + 1).collect()
        };
        IndexedSource { name, text, starts }
    }
}

impl SourceCode for IndexedSource<'_> {
    /// What miette's own `read_span` gives on the whole text, computed from the start of
    /// the line that is `context_lines_before + 1` lines above the span (the lines before
    /// it cannot change the result), then shifted back to whole-text offsets and lines.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let line = self.starts.partition_point(|&s| s <= span.offset());
        let base_line = line.saturating_sub(context_lines_before + 1);
        let base = match base_line {
            0 => 0,
            n => self.starts[n - 1],
        };
        let rest = self.text.get(base..).ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - base).into(), span.len());
        let contents = rest.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + base).into(),
                contents.span().len(),
            ),
            contents.line() + base_line,
            contents.column(),
            contents.line_count() + base_line,
        )))
    }
}

/// A diagnostic lent together with the source its labels point into (miette finds
/// the source through the diagnostic itself).
struct WithSource<'a> {
    inner: &'a dyn miette::Diagnostic,
    source: &'a IndexedSource<'a>,
}

impl std::fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, f)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// "2 errors, 1 warning" for a summary line.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let warnings = diagnostics.iter().filter(|d| d.is_warning()).count();
    let errors = diagnostics.len() - warnings;
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// One diagnostic as a JSON object, the shape editors and CI scripts read (close to
/// rustc's `--error-format json`): code, severity, message, the file, the 1-based line
/// and column of its primary span, byte offsets, every label and the help.
pub fn to_json(d: &dyn miette::Diagnostic, file: &str, index: &LineIndex) -> serde_json::Value {
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "advice",
        _ => "error",
    };
    let place = |offset: usize, len: usize| {
        let (line, column) = index.line_col(offset);
        let (end_line, end_column) = index.line_col(offset + len);
        serde_json::json!({
            "start": offset, "end": offset + len,
            "line": line, "column": column, "end_line": end_line, "end_column": end_column,
        })
    };
    let labels: Vec<(bool, serde_json::Value)> = d
        .labels()
        .map(|ls| {
            ls.map(|l| {
                let mut v = place(l.offset(), l.len());
                v["message"] = l.label().map_or(serde_json::Value::Null, |m| m.into());
                (l.primary(), v)
            })
            .collect()
        })
        .unwrap_or_default();
    let primary = labels
        .iter()
        .find(|(p, _)| *p)
        .or(labels.first())
        .map(|(_, v)| v.clone());
    serde_json::json!({
        "code": d.code().map(|c| c.to_string()),
        "severity": severity,
        "message": d.to_string(),
        "file": file,
        "line": primary.as_ref().map(|p| p["line"].clone()),
        "column": primary.as_ref().map(|p| p["column"].clone()),
        "span": primary.map(|p| serde_json::json!({"start": p["start"], "end": p["end"]})),
        "labels": labels.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "help": d.help().map(|h| h.to_string()),
    })
}
