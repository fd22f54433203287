//! What a `python """…"""` block makes visible to the language: its top-level
//! `def NAME(…)` (callable, with an arity range) and `NAME = …` (a constant of
//! type `any`). Nothing else in the block is checked (language.md section 2).

#[derive(Clone, Debug, PartialEq)]
pub enum PythonName {
    Function {
        name: String,
        min_arity: usize,
        /// `None` with `*args`.
        max_arity: Option<usize>,
    },
    Constant {
        name: String,
    },
}

impl PythonName {
    pub fn name(&self) -> &str {
        match self {
            PythonName::Function { name, .. } | PythonName::Constant { name } => name,
        }
    }
}

/// Where the bytes of `dedent(raw)` were in `raw`: on the same line (blank lines at the
/// start were dropped) and column (the common indentation was removed). The lines are
/// found once per block: a block may bind tens of thousands of names, each reported
/// where it is.
pub struct RawOffsets<'r> {
    raw: &'r str,
    /// Where each line of `dedent(raw)` starts, and how long it is in all.
    code_lines: Vec<usize>,
    code_len: usize,
    /// Where each line of `raw` starts.
    raw_lines: Vec<usize>,
    /// The first non-blank line of `raw`, and the indentation common to its lines.
    first: usize,
    indent: usize,
}

impl<'r> RawOffsets<'r> {
    pub fn new(raw: &'r str) -> Self {
        let code = dedent(raw);
        let line_starts = |text: &str| {
            let ends = text.match_indices('\n').map(|(i, _)| i + 1);
            std::iter::once(0).chain(ends).collect::<Vec<_>>()
        };
        let lines: Vec<&str> = raw.lines().collect();
        let (first, indent) = layout(&lines);
        RawOffsets {
            raw,
            code_lines: line_starts(&code),
            code_len: code.len(),
            raw_lines: line_starts(raw),
            first,
            indent,
        }
    }

    /// Where byte `dedented_offset` of `dedent(raw)` was in `raw`.
    pub fn of(&self, dedented_offset: usize) -> usize {
        let offset = dedented_offset.min(self.code_len);
        let line = self.code_lines.partition_point(|&s| s <= offset) - 1;
        let column = offset - self.code_lines[line];
        let raw_line = self.first + line;
        let start = self.raw_lines.get(raw_line).map_or(self.raw.len(), |&s| s);
        let text = self.raw[start.min(self.raw.len())..]
            .split('\n')
            .next()
            .unwrap_or("");
        let text = text.strip_suffix('\r').unwrap_or(text);
        let lead = if text.len() >= self.indent && text.is_char_boundary(self.indent) {
            self.indent
        } else {
            text.len() - text.trim_start().len()
        };
        (start + lead + column).min(self.raw.len())
    }
}

/// The index of the first non-blank line, and the indentation common to the non-blank lines.
fn layout(lines: &[&str]) -> (usize, usize) {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    (start, indent)
}

/// Removes the indentation common to all non-blank lines, and blank lines at both ends.
pub fn dedent(code: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let (start, indent) = layout(&lines);
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |i| i + 1);
    lines[start..end]
        .iter()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Scans dedented code for top-level definitions. A light scan, not a Python parser:
/// it sees `def f(a, b=1, *rest):` and `NAME = …` at column 0.
pub fn top_level_names(code: &str) -> Vec<PythonName> {
    let mut names = Vec::new();
    let lines: Vec<&str> = code.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with([' ', '\t', '#']) {
            continue;
        }
        let rest = line
            .strip_prefix("async def ")
            .or_else(|| line.strip_prefix("def "));
        if let Some(rest) = rest {
            let Some(open) = rest.find('(') else { continue };
            let name = rest[..open].trim();
            if !is_identifier(name) {
                continue;
            }
            // Parameters may run over several lines: join until the closing parenthesis.
            let mut signature = rest[open + 1..].to_string();
            let mut j = i + 1;
            while depth(&signature) >= 0 && j < lines.len() {
                signature.push(' ');
                signature.push_str(lines[j]);
                j += 1;
            }
            let params = params_text(&signature);
            let (min_arity, max_arity) = arity(&params);
            names.push(PythonName::Function {
                name: name.to_string(),
                min_arity,
                max_arity,
            });
        } else if let Some(eq) = line.find('=') {
            let name = line[..eq].trim();
            let is_comparison = line[eq + 1..].starts_with('=');
            if is_identifier(name) && !is_comparison {
                names.push(PythonName::Constant {
                    name: name.to_string(),
                });
            }
        }
    }
    names
}

/// Nesting depth after `text`, starting inside the parameter list (depth 0);
/// negative once the list is closed.
fn depth(text: &str) -> i32 {
    text.chars().fold(0, |d, c| match c {
        '(' | '[' | '{' => d + 1,
        ')' | ']' | '}' => d - 1,
        _ => d,
    })
}

fn params_text(signature: &str) -> String {
    let mut d = 0;
    for (i, c) in signature.char_indices() {
        match c {
            '(' | '[' | '{' => d += 1,
            ')' | ']' | '}' if d == 0 => return signature[..i].to_string(),
            ')' | ']' | '}' => d -= 1,
            _ => {}
        }
    }
    signature.to_string()
}

fn arity(params: &str) -> (usize, Option<usize>) {
    let mut min = 0;
    let mut max = Some(0);
    let mut d = 0;
    let mut current = String::new();
    let mut parts = Vec::new();
    for c in params.chars() {
        match c {
            '(' | '[' | '{' => d += 1,
            ')' | ']' | '}' => d -= 1,
            ',' if d == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    let mut keyword_only = false;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if part == "*" {
            keyword_only = true;
        } else if part.starts_with("**") {
        } else if part.starts_with('*') {
            max = None;
            keyword_only = true;
        } else if !keyword_only {
            max = max.map(|m| m + 1);
            if !part.contains('=') {
                min += 1;
            }
        }
    }
    (min, max)
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedents_and_trims_blank_edges() {
        let code = "\n    def f(x):\n        return x\n\n    y = 1\n";
        assert_eq!(dedent(code), "def f(x):\n    return x\n\ny = 1");
    }

    #[test]
    fn dedented_offsets_map_back_to_the_raw_text() {
        let raw = "\n\n    def f(x):\r\n        return x +\n\n    y = 1\n";
        let code = dedent(raw);
        for needle in ["def", "return", "x +", "y = 1"] {
            let at = code.find(needle).unwrap();
            let back = RawOffsets::new(raw).of(at);
            assert_eq!(&raw[back..back + needle.len()], needle);
        }
        let end = RawOffsets::new(raw).of(code.len());
        assert_eq!(end, raw.rfind('1').unwrap() + 1);
    }

    #[test]
    fn every_character_of_the_dedented_code_maps_back_to_itself() {
        let raws = [
            "\n\n    def f(x):\r\n        return x +\n\n    y = 1\n",
            "x = 1\ny = 2",
            "\t\tá = 'é'\n\t\tb = 2\n\n",
            "  a = 1\n b = 2\n",
        ];
        for raw in raws {
            let code = dedent(raw);
            let offsets = RawOffsets::new(raw);
            for (at, c) in code.char_indices().filter(|(_, c)| !c.is_whitespace()) {
                let back = offsets.of(at);
                assert!(raw[back..].starts_with(c), "{raw:?}: {at} -> {back}");
            }
        }
    }

    #[test]
    fn finds_functions_with_arity_and_constants() {
        let code = "def process(x):\n    log(x)\ndef two(a, b=1, *rest, k=2):\n    pass\nN = 10\nif N == 3:\n    M = 1\nasync def later(a):\n    pass\ndef split(a,\n          b):\n    pass\n";
        assert_eq!(
            top_level_names(code),
            vec![
                PythonName::Function {
                    name: "process".into(),
                    min_arity: 1,
                    max_arity: Some(1)
                },
                PythonName::Function {
                    name: "two".into(),
                    min_arity: 1,
                    max_arity: None
                },
                PythonName::Constant { name: "N".into() },
                PythonName::Function {
                    name: "later".into(),
                    min_arity: 1,
                    max_arity: Some(1)
                },
                PythonName::Function {
                    name: "split".into(),
                    min_arity: 2,
                    max_arity: Some(2)
                },
            ]
        );
    }
}
