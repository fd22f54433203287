//! The edge where diagnostics meet the source text: one type for every stage's
//! mistakes, rendered with miette (with the file name, the snippet and labels).

use miette::{Diagnostic as _, GraphicalReportHandler, GraphicalTheme, NamedSource};
use thiserror::Error;

use crate::check::error::CheckError;
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
    /// Unicode, no colour, 80 columns: stable text for snapshots and pipes.
    Plain,
    /// Colours for a terminal.
    Color,
}

/// Renders each diagnostic against `source`, in order, separated by blank lines.
pub fn render(diagnostics: &[Diagnostic], file: &str, source: &str, style: Style) -> String {
    let theme = match style {
        Style::Plain => GraphicalTheme::unicode_nocolor(),
        Style::Color => GraphicalTheme::unicode(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(if style == Style::Plain {
        80
    } else {
        100
    });
    let mut out = String::new();
    for d in diagnostics {
        let report = miette::Report::new(d.clone())
            .with_source_code(NamedSource::new(file, source.to_string()));
        let mut text = String::new();
        if handler.render_report(&mut text, report.as_ref()).is_err() {
            text = format!("{d}\n");
        }
        out.push_str(&text);
    }
    out
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
