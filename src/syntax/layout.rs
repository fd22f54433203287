//! The layout pass: decides where items end, before pest sees anything.
//!
//! Newlines are significant at the top level but free inside brackets and at
//! pipeline continuations, and comments run to the end of a line. Both are far
//! simpler to settle here, with a byte scanner that knows about strings,
//! f-strings and Python blocks, than in the grammar. The pass copies the source,
//! replaces every comment and every newline that does not end an item by spaces
//! of the same length (so byte offsets stay valid for spans), and cuts the copy
//! into items. The copy is made item by item, and only for an item that has something
//! blanked: the pass keeps the blanked ranges, not a second copy of the file. Mistakes that would otherwise surface as puzzling pest errors
//! (unclosed brackets and strings, single quotes) are reported here, each with
//! its own message; an item with such an error is not handed to pest.

use super::build::MAX_DEPTH;
use super::error::SyntaxError;
use super::span::Span;

/// The source's items, with the comments and non-significant newlines to blank out.
/// Offsets are `u32`: a large file has tens of thousands of items, and gearc reads no
/// file over 10 MiB (a source over 4 GiB is one item with an error).
pub(crate) struct Layout<'s> {
    src: &'s str,
    /// The byte ranges blanked out (replaced by spaces), in order, disjoint.
    blanks: Vec<(u32, u32)>,
    pub items: Vec<Chunk>,
    /// The lexical errors of the items that have any, by item position, in order: few
    /// items have one, so they are not a field of every [`Chunk`].
    errors: Vec<(u32, Vec<SyntaxError>)>,
}

/// One item: a byte range of the source.
pub(crate) struct Chunk {
    start: u32,
    end: u32,
    /// The blanked ranges inside the item: `Layout::blanks[first..last]`.
    blanks: (u32, u32),
}

impl Chunk {
    /// The item at `start..end` of a source of at most 4 GiB, with nothing blanked.
    pub fn new(start: usize, end: usize) -> Chunk {
        Chunk {
            start: offset(start),
            end: offset(end),
            blanks: (0, 0),
        }
    }

    /// Where the item starts in the source.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Where the item ends in the source.
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

impl<'s> Layout<'s> {
    /// The item as written, comments and newlines included.
    pub fn item_source(&self, chunk: &Chunk) -> &'s str {
        self.src.get(chunk.start()..chunk.end()).unwrap_or_default()
    }

    /// The lexical errors of item `i` (none for most items).
    pub fn errors_of(&self, i: usize) -> &[SyntaxError] {
        match self.errors.binary_search_by_key(&i, |(at, _)| *at as usize) {
            Ok(at) => &self.errors[at].1,
            Err(_) => &[],
        }
    }

    /// The item's text as the grammar sees it: comments and non-significant newlines
    /// are spaces, so that byte offsets stay those of the source. Borrowed from the
    /// source when nothing in the item is blanked.
    pub fn item_text(&self, chunk: &Chunk) -> std::borrow::Cow<'s, str> {
        let text = self.item_source(chunk);
        let blanks = &self.blanks[chunk.blanks.0 as usize..chunk.blanks.1 as usize];
        if blanks.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut bytes = text.as_bytes().to_vec();
        for &(from, to) in blanks {
            let from = (from.max(chunk.start) - chunk.start) as usize;
            let to = (to.min(chunk.end) - chunk.start) as usize;
            for b in bytes.iter_mut().take(to).skip(from) {
                *b = b' ';
            }
        }
        // Only ASCII bytes, or whole comments (which start and end at ASCII bytes),
        // are replaced by spaces, so the copy is still UTF-8.
        std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned()))
    }
}

pub(crate) fn layout(source: &str) -> Layout<'_> {
    if u32::try_from(source.len()).is_err() {
        return too_large(source);
    }
    let mut scanner = Scanner {
        src: source.as_bytes(),
        blanks: Vec::new(),
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut pos = scanner.skip_bom();
    loop {
        pos = scanner.skip_trivia(pos, true);
        if pos >= scanner.src.len() {
            break;
        }
        let chunk = scanner.item_with_recovery(pos);
        pos = chunk.next;
        if !chunk.errors.is_empty() {
            errors.push((offset(items.len()), chunk.errors));
        }
        items.push(Chunk {
            start: offset(chunk.start),
            end: offset(chunk.end),
            blanks: (0, 0),
        });
    }
    let mut blanks = scanner.blanks;
    blanks.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(blanks.len());
    for (from, to) in blanks {
        let (from, to) = (offset(from), offset(to));
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    // Kept for the whole compile: no room for more.
    items.shrink_to_fit();
    for chunk in &mut items {
        let first = merged.partition_point(|r| r.1 <= chunk.start);
        let last = merged.partition_point(|r| r.0 < chunk.end);
        chunk.blanks = (offset(first), offset(last.max(first)));
    }
    Layout {
        src: source,
        blanks: merged,
        items,
        errors,
    }
}

/// A byte offset of a source of at most 4 GiB (what [`layout`] takes: a larger one is
/// refused before any offset is made).
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// A source too large for `u32` offsets: one empty item at its start, with the error.
/// The CLI reads no file over 10 MiB; this is for the library's callers.
fn too_large(source: &str) -> Layout<'_> {
    let error = SyntaxError::Unexpected {
        expected: "a source of at most 4 GiB".to_string(),
        found: format!("{} bytes", source.len()),
        span: Span::new(0, 0),
        label: "the source starts here".to_string(),
        help: "gearc compiles files of up to 10 MiB: split the file".to_string(),
    };
    Layout {
        src: source,
        blanks: Vec::new(),
        items: vec![Chunk::new(0, 0)],
        errors: vec![(0, vec![error])],
    }
}

struct Scanned {
    start: usize,
    end: usize,
    /// Where scanning for the next item resumes.
    next: usize,
    errors: Vec<SyntaxError>,
    /// The outermost bracket still open when the item ran out of input.
    unclosed: Option<usize>,
}

/// Where the scanner is, innermost last.
#[derive(Clone, Copy)]
enum Ctx {
    /// Inside `(`, `[` or `{` opened at `pos`.
    Bracket { open: u8, pos: usize },
    /// Inside the text of a string that starts (with its `"` or `f"`) at `start`.
    Str { start: usize, quote: usize, f: bool },
    /// Inside `{…}` of an f-string, opened at `pos`.
    FExpr { pos: usize },
}

struct Scanner<'s> {
    src: &'s [u8],
    /// The ranges blanked so far, in about source order (sorted at the end).
    blanks: Vec<(usize, usize)>,
}

impl Scanner<'_> {
    fn skip_bom(&mut self) -> usize {
        if self.src.starts_with("\u{feff}".as_bytes()) {
            self.blank(0, 3);
            3
        } else {
            0
        }
    }

    fn blank(&mut self, from: usize, to: usize) {
        let to = to.min(self.src.len());
        if from >= to {
            return;
        }
        match self.blanks.last_mut() {
            Some(last) if from <= last.1 && to >= last.0 => {
                last.0 = last.0.min(from);
                last.1 = last.1.max(to);
            }
            _ => self.blanks.push((from, to)),
        }
    }

    /// Whether the byte at `pos` of the item that starts at `start` is blanked.
    fn blanked(&self, pos: usize, start: usize) -> bool {
        self.blanks
            .iter()
            .rev()
            .take_while(|r| r.1 > start)
            .any(|r| r.0 <= pos && pos < r.1)
    }

    /// Undoes the blanking from `start` on (an item scanned again).
    fn unblank_from(&mut self, start: usize) {
        self.blanks.retain_mut(|r| {
            r.1 = r.1.min(start);
            r.0 < r.1
        });
    }

    fn byte(&self, pos: usize) -> Option<u8> {
        self.src.get(pos).copied()
    }

    fn line_end(&self, pos: usize) -> usize {
        self.src[pos.min(self.src.len())..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.src.len(), |i| pos + i)
    }

    /// Skips spaces, comments and (if `newlines`) line breaks; blanks comments.
    fn skip_trivia(&mut self, mut pos: usize, newlines: bool) -> usize {
        while let Some(b) = self.byte(pos) {
            match b {
                b' ' | b'\t' | b'\r' => pos += 1,
                b'\n' if newlines => pos += 1,
                b'#' => {
                    let end = self.line_end(pos);
                    self.blank(pos, end);
                    pos = end;
                }
                _ => break,
            }
        }
        pos
    }

    /// Scans one item; when a bracket never closes, the item would swallow the
    /// rest of the file, so it is cut before the first later line that starts
    /// in column 0 like a new item, and scanned again up to there.
    fn item_with_recovery(&mut self, start: usize) -> Scanned {
        let first = self.item(start, self.src.len());
        let Some(open) = first.unclosed else {
            return first;
        };
        let Some(cut) = self.next_item_line(open, first.next) else {
            return first;
        };
        self.unblank_from(start);
        self.item(start, cut)
    }

    fn next_item_line(&self, after: usize, limit: usize) -> Option<usize> {
        let mut pos = self.line_end(after);
        while pos < limit {
            let line = pos + 1;
            match self.byte(line) {
                Some(b' ' | b'\t' | b'\r' | b'\n' | b'|' | b')' | b']' | b'}' | b'#') | None => {}
                Some(_) => return Some(line),
            }
            pos = self.line_end(line);
        }
        None
    }

    fn item(&mut self, start: usize, limit: usize) -> Scanned {
        let mut errors = Vec::new();
        let mut stack: Vec<Ctx> = Vec::new();
        // The last significant byte outside strings, to see if a line ends with `|`.
        let mut last = 0u8;
        let mut pos = start;
        let mut end = limit;
        let mut next = limit;
        while pos < limit {
            if stack.len() > MAX_DEPTH
                && !errors
                    .iter()
                    .any(|e| matches!(e, SyntaxError::TooDeep { .. }))
            {
                // Deeper than any expression may be: pest would recurse as deep.
                errors.push(SyntaxError::TooDeep {
                    span: Span::new(pos - 1, pos),
                });
            }
            let b = self.src[pos];
            if let Some(&Ctx::Str { quote, f, .. }) = stack.last() {
                pos = self.string_byte(pos, b, quote, f, &mut stack, &mut errors);
                continue;
            }
            match b {
                b' ' | b'\t' => pos += 1,
                // A lone carriage return is spacing; before `\n` it belongs to the newline.
                b'\r' => {
                    self.blank(pos, pos + 1);
                    pos += 1;
                }
                // Inside `{…}` of an f-string, `#` is text as in the rest of the
                // string (and an error for the grammar), not a comment that
                // would swallow the closing quote.
                b'#' if !in_fexpr(&stack) => pos = self.skip_trivia(pos, false),
                b'\n' => {
                    if stack.iter().any(|c| matches!(c, Ctx::Str { .. })) {
                        // A line break inside `{…}` of an f-string.
                        pos = self.string_error(pos, &mut stack, &mut errors);
                    } else if !stack.is_empty() {
                        self.blank_newline(pos);
                        pos += 1;
                    } else if let Some(resume) = self.continuation(pos, last, limit) {
                        pos = resume;
                    } else {
                        end = pos;
                        next = pos;
                        break;
                    }
                }
                b'"' if self.src[pos..].starts_with(b"\"\"\"") && !in_fexpr(&stack) => {
                    last = b'"';
                    pos = self.python_block(pos, limit, &mut errors);
                }
                b'"' => {
                    last = b'"';
                    stack.push(Ctx::Str {
                        start: pos,
                        quote: pos,
                        f: false,
                    });
                    pos += 1;
                }
                b'\'' => {
                    last = b'\'';
                    pos = self.single_quoted(pos, &mut errors);
                }
                b'(' | b'[' | b'{' => {
                    last = b;
                    stack.push(Ctx::Bracket { open: b, pos });
                    pos += 1;
                }
                b')' | b']' | b'}' => {
                    last = b;
                    close(b, pos, &mut stack, &mut errors);
                    pos += 1;
                }
                b if b.is_ascii_alphanumeric() || b == b'_' => {
                    let word_end = self.word_end(pos);
                    last = b'a';
                    if &self.src[pos..word_end] == b"f" && self.byte(word_end) == Some(b'"') {
                        stack.push(Ctx::Str {
                            start: pos,
                            quote: word_end,
                            f: true,
                        });
                        pos = word_end + 1;
                    } else {
                        pos = word_end;
                    }
                }
                _ => {
                    last = b;
                    pos += 1;
                }
            }
        }
        let mut unclosed = None;
        if pos >= limit {
            if stack.iter().any(|c| matches!(c, Ctx::Str { .. })) {
                self.string_error(limit, &mut stack, &mut errors);
            }
            // A string that ran to the end of its line may have taken the
            // closing bracket with it: then the bracket is no news.
            let string_broke = errors.iter().any(|e| {
                matches!(
                    e,
                    SyntaxError::UnterminatedString { .. }
                        | SyntaxError::NewlineInString { .. }
                        | SyntaxError::UnclosedFStringBrace { .. }
                )
            });
            let mut open_brackets = stack.iter().filter_map(|c| match *c {
                Ctx::Bracket { open, pos } => Some((open, pos)),
                _ => None,
            });
            unclosed = open_brackets.clone().next().map(|(_, pos)| pos);
            // The innermost one is where a closing bracket is missing first; the
            // others are reported once it is fixed.
            if let (false, Some((open, pos))) = (string_broke, open_brackets.next_back()) {
                errors.push(SyntaxError::UnclosedBracket {
                    open: open as char,
                    close: closer_of(open) as char,
                    span: Span::new(pos, pos + 1),
                });
            }
            end = limit;
            next = limit;
        }
        while end > start
            && (matches!(self.src[end - 1], b' ' | b'\t' | b'\r') || self.blanked(end - 1, start))
        {
            end -= 1;
        }
        Scanned {
            start,
            end,
            next,
            errors,
            unclosed,
        }
    }

    fn word_end(&self, pos: usize) -> usize {
        self.src[pos..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .map_or(self.src.len(), |i| pos + i)
    }

    fn blank_newline(&mut self, pos: usize) {
        self.blank(pos, pos + 1);
        if pos > 0 && self.src[pos - 1] == b'\r' {
            self.blank(pos - 1, pos);
        }
    }

    /// At a top-level newline: if the pipeline goes on after it, blanks the line
    /// breaks and comments up to the next significant byte and returns its offset.
    fn continuation(&mut self, newline: usize, last: u8, limit: usize) -> Option<usize> {
        let next = self.skip_trivia_readonly(newline);
        if next >= limit {
            return None;
        }
        let goes_on = self.src[next] == b'|' || (last == b'|' && !self.starts_item(next));
        if !goes_on {
            return None;
        }
        let mut pos = newline;
        while pos < next {
            match self.src[pos] {
                b'\n' => self.blank_newline(pos),
                b'#' => {
                    let end = self.line_end(pos);
                    self.blank(pos, end);
                    pos = end;
                    continue;
                }
                _ => {}
            }
            pos += 1;
        }
        Some(next)
    }

    fn skip_trivia_readonly(&self, mut pos: usize) -> usize {
        while let Some(b) = self.byte(pos) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'#' => pos = self.line_end(pos),
                _ => break,
            }
        }
        pos
    }

    /// Whether an item keyword starts at `pos`: a line after a trailing `|` that
    /// starts like this is a new item, and the `|` dangles.
    fn starts_item(&self, pos: usize) -> bool {
        let word = &self.src[pos..self.word_end(pos)];
        match word {
            b"let" | b"fn" | b"requirements" => true,
            b"python" => {
                let mut after = pos + word.len();
                while matches!(self.byte(after), Some(b' ' | b'\t')) {
                    after += 1;
                }
                self.src[after..].starts_with(b"\"\"\"")
            }
            _ => false,
        }
    }

    /// Skips a `"""…"""` block; its text, newlines and `#` included, is left alone.
    fn python_block(&mut self, open: usize, limit: usize, errors: &mut Vec<SyntaxError>) -> usize {
        let body = open + 3;
        let text = self.src.get(body..limit).unwrap_or_default();
        match find(text, b"\"\"\"") {
            Some(i) => body + i + 3,
            None => {
                errors.push(SyntaxError::UnterminatedPython {
                    span: Span::new(open, body),
                });
                limit
            }
        }
    }

    fn single_quoted(&mut self, open: usize, errors: &mut Vec<SyntaxError>) -> usize {
        let line_end = self.line_end(open);
        let mut pos = open + 1;
        while pos < line_end {
            match self.src[pos] {
                b'\\' => pos += 2,
                b'\'' => break,
                _ => pos += 1,
            }
        }
        let end = if pos < line_end { pos + 1 } else { open + 1 };
        errors.push(SyntaxError::SingleQuotes {
            span: Span::new(open, end),
        });
        end
    }

    /// One step inside the text of a string; returns the next position.
    fn string_byte(
        &mut self,
        pos: usize,
        b: u8,
        quote: usize,
        f: bool,
        stack: &mut Vec<Ctx>,
        errors: &mut Vec<SyntaxError>,
    ) -> usize {
        match b {
            b'"' => {
                stack.pop();
                pos + 1
            }
            b'\n' => self.string_error(pos, stack, errors),
            b'\\' => match self.byte(pos + 1) {
                None | Some(b'\n') => pos + 1,
                Some(b'u') if self.byte(pos + 2) == Some(b'{') => {
                    let mut p = pos + 3;
                    while self.byte(p).is_some_and(|c| c.is_ascii_alphanumeric()) {
                        p += 1;
                    }
                    if self.byte(p) == Some(b'}') {
                        p + 1
                    } else {
                        pos + 2
                    }
                }
                Some(_) => pos + 2,
            },
            b'{' | b'}' if f && self.byte(pos + 1) == Some(b) => pos + 2,
            b'{' if f => {
                stack.push(Ctx::FExpr { pos });
                pos + 1
            }
            b'}' if f => {
                errors.push(SyntaxError::LoneClosingBrace {
                    span: Span::new(pos, pos + 1),
                    fstring: Span::new(quote - 1, quote + 1),
                });
                pos + 1
            }
            _ => pos + 1,
        }
    }

    /// A string (or an f-string expression) reached a line break or the end of
    /// the input at `pos`. Reports it, drops the string from the stack, and
    /// returns where scanning resumes.
    fn string_error(
        &mut self,
        pos: usize,
        stack: &mut Vec<Ctx>,
        errors: &mut Vec<SyntaxError>,
    ) -> usize {
        let Some(outer) = stack.iter().position(|c| matches!(c, Ctx::Str { .. })) else {
            return pos;
        };
        let Some(Ctx::Str { start, .. }) = stack.get(outer).copied() else {
            return pos;
        };
        let brace = stack[outer..].iter().rev().find_map(|c| match c {
            Ctx::FExpr { pos } => Some(*pos),
            _ => None,
        });
        stack.truncate(outer);
        if let Some(brace) = brace {
            errors.push(SyntaxError::UnclosedFStringBrace {
                span: Span::new(brace, brace + 1),
            });
            return pos;
        }
        let line = Span::new(start, pos);
        if pos < self.src.len() {
            if let Some(close) = self.closes_on_next_line(pos) {
                errors.push(SyntaxError::NewlineInString { span: line });
                return close + 1;
            }
        }
        errors.push(SyntaxError::UnterminatedString { span: line });
        pos
    }

    /// Whether the line after `newline` looks like the rest of a string that
    /// was broken across lines: its first `"` leaves an even number of quotes
    /// after it. Returns that quote's offset.
    fn closes_on_next_line(&self, newline: usize) -> Option<usize> {
        let start = newline + 1;
        let end = self.line_end(start);
        let line = &self.src[start..end];
        let quotes: Vec<usize> = line
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'"' && (i == 0 || line[i - 1] != b'\\'))
            .map(|(i, _)| i)
            .collect();
        match quotes.first() {
            Some(&first) if (quotes.len() - 1).is_multiple_of(2) => Some(start + first),
            _ => None,
        }
    }
}

fn in_fexpr(stack: &[Ctx]) -> bool {
    stack.iter().any(|c| matches!(c, Ctx::FExpr { .. }))
}

fn closer_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

fn opener_of(close: u8) -> u8 {
    match close {
        b')' => b'(',
        b']' => b'[',
        _ => b'{',
    }
}

/// A closing bracket in code: pops what it closes, or reports why it cannot.
fn close(b: u8, pos: usize, stack: &mut Vec<Ctx>, errors: &mut Vec<SyntaxError>) {
    match stack.last().copied() {
        Some(Ctx::Bracket { open, .. }) if closer_of(open) == b => {
            stack.pop();
        }
        Some(Ctx::FExpr { .. }) if b == b'}' => {
            stack.pop();
        }
        Some(Ctx::Bracket {
            open,
            pos: open_pos,
        }) => {
            errors.push(SyntaxError::MismatchedBracket {
                open: open as char,
                close: b as char,
                expected: closer_of(open) as char,
                span: Span::new(pos, pos + 1),
                open_span: Span::new(open_pos, open_pos + 1),
            });
            // One error is enough: in `f(a, [b)` the `)` closes the `(` and the
            // `[` is dropped; in `(1]` the `]` was meant to close the `(`.
            let matching = stack
                .iter()
                .rposition(|c| matches!(c, Ctx::Bracket { open, .. } if closer_of(*open) == b));
            let barrier = stack
                .iter()
                .rposition(|c| !matches!(c, Ctx::Bracket { .. }));
            match matching {
                Some(i) if barrier.is_none_or(|j| j < i) => stack.truncate(i),
                _ => {
                    stack.pop();
                }
            }
        }
        _ => errors.push(SyntaxError::UnmatchedClosingBracket {
            close: b as char,
            open: opener_of(b) as char,
            span: Span::new(pos, pos + 1),
        }),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::layout;

    /// The items of `src` as the grammar sees them, one per line.
    fn chunks(src: &str) -> Vec<String> {
        let l = layout(src);
        l.items
            .iter()
            .map(|c| {
                let text = l.item_text(c);
                assert_eq!(text.len(), c.end() - c.start(), "offsets must survive");
                text.into_owned()
            })
            .collect()
    }

    #[test]
    fn newlines_inside_brackets_become_spaces() {
        assert_eq!(chunks("f(a,\n  b)\ng"), ["f(a,   b)", "g"]);
        assert_eq!(chunks("x = {\r\n}\n"), ["x = {  }"]);
    }

    #[test]
    fn comments_are_blanked_but_not_in_strings_or_python() {
        assert_eq!(chunks("a # c\n\"#\" # d"), ["a", "\"#\""]);
        let py = "python \"\"\"\n# kept\n(\n\"\"\"";
        assert_eq!(chunks(py), [py]);
    }

    #[test]
    fn continuation_joins_lines() {
        assert_eq!(
            chunks("a\n| b\n\n  # c\n  | d\ne"),
            ["a | b          | d", "e"]
        );
        assert_eq!(chunks("a |\n\n b\nc"), ["a |   b", "c"]);
    }

    #[test]
    fn a_trailing_pipe_before_an_item_keyword_does_not_join() {
        assert_eq!(chunks("a |\nlet b = 1"), ["a |", "let b = 1"]);
        assert_eq!(
            chunks("a |\npython \"\"\"x\"\"\""),
            ["a |", "python \"\"\"x\"\"\""]
        );
        assert_eq!(chunks("a |\npython(g)"), ["a | python(g)"]);
    }

    #[test]
    fn brackets_inside_strings_and_f_strings_do_not_count() {
        assert_eq!(chunks("f(\")\")\ng"), ["f(\")\")", "g"]);
        assert_eq!(chunks("f\"{g(\"}\")}\"\nh"), ["f\"{g(\"}\")}\"", "h"]);
        assert_eq!(chunks("x = \"\\\"(\"\ny"), ["x = \"\\\"(\"", "y"]);
    }

    #[test]
    fn an_unclosed_bracket_stops_at_the_next_item_line() {
        let l = layout("f(a\n  | b\nlet c = 1\n");
        assert_eq!(l.items.len(), 2);
        assert_eq!(l.errors_of(0).len(), 1);
        assert!(l.errors_of(1).is_empty());
    }
}
