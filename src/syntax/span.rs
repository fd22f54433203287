//! Byte-offset spans into the `.gear` source; every AST node carries one.

/// A half-open byte range `start..end` of the source text.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// `12..20`: one short token, so that `gearc compile --emit ast|ir` stays readable.
impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new(span.start.into(), span.len())
    }
}

/// Line starts of a source text, for turning byte offsets into lines and columns quickly.
/// It owns a copy of the text; [`Lines`] is the same index over borrowed text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    source: String,
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        LineIndex {
            source: source.to_string(),
            starts: line_starts(source),
        }
    }

    /// The same index, borrowed.
    pub fn lines(&self) -> Lines<'_> {
        Lines {
            source: &self.source,
            starts: std::borrow::Cow::Borrowed(&self.starts),
        }
    }

    /// 1-based line and column (in characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(offset)
    }

    /// The span of 1-based line `line`, without its line break.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        self.lines().line_span(line)
    }

    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }
}

fn line_starts(source: &str) -> Vec<usize> {
    // Counted first, so that the index of a large file has no spare room.
    let mut starts = Vec::with_capacity(1 + source.bytes().filter(|&b| b == b'\n').count());
    starts.push(0);
    starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// A [`LineIndex`] over text it borrows: the compiler locates spans in the source it
/// was given without a second copy of it.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    source: &'a str,
    starts: std::borrow::Cow<'a, [usize]>,
}

impl<'a> Lines<'a> {
    pub fn new(source: &'a str) -> Self {
        Lines {
            source,
            starts: std::borrow::Cow::Owned(line_starts(source)),
        }
    }

    /// 1-based line and column (in characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self
            .source
            .get(start..offset)
            .map_or(1, |t| t.chars().count() + 1);
        (line, col)
    }

    /// The span of 1-based line `line`, without its line break.
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(self.source.len(), |&e| e - 1);
        Some(Span::new(start, end.max(start)))
    }

    pub fn text(&self, span: Span) -> &'a str {
        self.source.get(span.start..span.end).unwrap_or("")
    }
}
