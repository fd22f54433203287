//! Diagnostics on source lines too long to draw.
//!
//! miette draws a label's whole source line, and pads the underline with a format
//! width that must fit in 16 bits: a label past column 65,535 makes it panic, and a
//! label on a 60 KB line prints 60 KB per diagnostic (10,000 of them, 1.2 GB). A
//! diagnostic whose label sits on a line longer than [`MAX_DRAWN_LINE`] bytes is
//! therefore shown without its snippet: message, code, help and `FILE:LINE:COL`.

use std::cell::{Cell, OnceCell};

use miette::{Diagnostic, LabeledSpan, Severity};

use crate::syntax::span::LineIndex;

/// The longest line (in bytes) that a diagnostic draws. Tabs count four columns in
/// miette, so the widest drawn label ends near column 4,000, far below 65,535.
pub const MAX_DRAWN_LINE: usize = 1_000;

/// A source text, asked whether a diagnostic's labels can be drawn.
pub struct LongLines<'a> {
    source: &'a str,
    /// Built on the first long line only: most sources never need it.
    index: OnceCell<LineIndex>,
    /// The last long line found and a place on it: many diagnostics on one long line
    /// (a 10 MB line of bad escapes has a million) are found and counted from there,
    /// not from the line's start each time.
    last: Cell<Option<Place>>,
}

#[derive(Clone, Copy)]
struct Place {
    start: usize,
    end: usize,
    line: usize,
    offset: usize,
    col: usize,
}

/// Where a label that cannot be drawn sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongLine {
    pub line: usize,
    pub col: usize,
    /// The line's length in bytes.
    pub len: usize,
}

impl<'a> LongLines<'a> {
    pub fn new(source: &'a str) -> Self {
        LongLines {
            source,
            index: OnceCell::new(),
            last: Cell::new(None),
        }
    }

    /// The first label of `d` that starts or ends on a line too long to draw.
    pub fn find(&self, d: &dyn Diagnostic) -> Option<LongLine> {
        let labels: Vec<LabeledSpan> = d.labels().map(Iterator::collect).unwrap_or_default();
        labels.iter().find_map(|l| {
            [l.offset(), l.offset() + l.len()]
                .into_iter()
                .find_map(|at| self.at(at))
        })
    }

    /// The line holding byte `offset`, when it is too long to draw.
    fn at(&self, offset: usize) -> Option<LongLine> {
        let offset = offset.min(self.source.len());
        if let Some(p) = self
            .last
            .get()
            .filter(|p| p.offset <= offset && offset <= p.end)
        {
            let col = p.col
                + self
                    .source
                    .get(p.offset..offset)
                    .map_or(0, |t| t.chars().count());
            self.last.set(Some(Place { offset, col, ..p }));
            return Some(LongLine {
                line: p.line,
                col,
                len: p.end - p.start,
            });
        }
        let bytes = self.source.as_bytes();
        let start = bytes[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| offset + i);
        if end - start <= MAX_DRAWN_LINE {
            return None;
        }
        let index = self.index.get_or_init(|| LineIndex::new(self.source));
        let (line, col) = index.line_col(offset);
        self.last.set(Some(Place {
            start,
            end,
            line,
            offset,
            col,
        }));
        Some(LongLine {
            line,
            col,
            len: end - start,
        })
    }
}

/// The line that says where a diagnostic drawn without its snippet is (printed after
/// it, on a line of its own, so that no wrapping cuts the path).
pub fn location(file: &str, at: LongLine) -> String {
    let LongLine { line, col, len } = at;
    format!("  at {file}:{line}:{col} (line {line} is {len} bytes long, too long to show)\n")
}

/// `d` without labels or source: miette draws its code, message and help only.
pub struct Located<'a> {
    pub inner: &'a dyn Diagnostic,
}

impl std::fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, f)
    }
}

impl std::fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Located<'_> {}

impl Diagnostic for Located<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        self.inner.help()
    }
}
