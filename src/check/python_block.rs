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

/// Where a byte of `dedent(raw)` was in `raw`: the same line (blank lines at the start
/// were dropped) and column (the common indentation was removed).
pub fn raw_offset(raw: &str, dedented_offset: usize) -> usize {
    let code = dedent(raw);
    let before = &code[..dedented_offset.min(code.len())];
    let line = before.matches('\n').count();
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    let lines: Vec<&str> = raw.lines().collect();
    let (first, indent) = layout(&lines);
    let mut start = 0;
    for l in raw.split_inclusive('\n').take(first + line) {
        start += l.len();
    }
    let text = lines.get(first + line).copied().unwrap_or("");
    let lead = if text.len() >= indent && text.is_char_boundary(indent) {
        indent
    } else {
        text.len() - text.trim_start().len()
    };
    (start + lead + column).min(raw.len())
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
            let back = raw_offset(raw, at);
            assert_eq!(&raw[back..back + needle.len()], needle);
        }
        assert_eq!(raw_offset(raw, code.len()), raw.rfind('1').unwrap() + 1);
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
