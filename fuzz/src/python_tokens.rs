//! Just enough of Python's tokenizer to check gearc's output without running CPython:
//! string literals (decoded to their values), comments and brackets.
//!
//! The fuzz targets cannot start a Python process per input (thousands run each
//! second), so they check here what makes the module's structure: every string literal
//! ends on its line, every bracket closes the one it should, there is no NUL byte.
//! `tests/generated.rs` and `tests/security.rs` check samples with real CPython 3.7.

/// The string literals of a module, decoded, or the first thing wrong with its tokens.
pub fn string_literals(source: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let mut brackets: Vec<(char, usize)> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\0' => return Err(format!("line {line}: a NUL byte")),
            '\n' => line += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '(' | '[' | '{' => brackets.push((c, line)),
            ')' | ']' | '}' => {
                let want = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match brackets.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, at)) => {
                        return Err(format!(
                            "line {line}: `{c}` closes the `{open}` of line {at}"
                        ))
                    }
                    None => return Err(format!("line {line}: `{c}` closes nothing")),
                }
            }
            '"' | '\'' => {
                let prefix = prefix_before(&chars, i);
                let (value, end, lines) =
                    string_at(&chars, i, &prefix).map_err(|e| format!("line {line}: {e}"))?;
                line += lines;
                literals.push(value);
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    match brackets.pop() {
        Some((open, at)) => Err(format!("the `{open}` of line {at} never closes")),
        None => Ok(literals),
    }
}

/// The letters right before a quote when they form a string prefix (`r`, `b`, `rb`, …).
fn prefix_before(chars: &[char], quote: usize) -> String {
    let mut start = quote;
    while start > 0 && (chars[start - 1].is_alphanumeric() || chars[start - 1] == '_') {
        start -= 1;
    }
    let word: String = chars[start..quote]
        .iter()
        .collect::<String>()
        .to_lowercase();
    match word.as_str() {
        "r" | "b" | "u" | "f" | "rb" | "br" | "fr" | "rf" => word,
        _ => String::new(),
    }
}

/// The literal starting at the quote `start`: its value, the index after it, and how
/// many newlines it holds.
fn string_at(chars: &[char], start: usize, prefix: &str) -> Result<(String, usize, usize), String> {
    let quote = chars[start];
    let triple = chars.get(start + 1) == Some(&quote) && chars.get(start + 2) == Some(&quote);
    let raw = prefix.contains('r');
    let mut i = start + if triple { 3 } else { 1 };
    let mut value = String::new();
    let mut lines = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("a string literal never ends".into());
        };
        if c == quote
            && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote)))
        {
            return Ok((value, i + if triple { 3 } else { 1 }, lines));
        }
        match c {
            '\0' => return Err("a NUL byte in a string literal".into()),
            '\n' if !triple => return Err("a string literal runs into the end of its line".into()),
            '\n' => {
                lines += 1;
                value.push(c);
                i += 1;
            }
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err("a string literal ends in a backslash".into());
                };
                if next == '\n' {
                    lines += 1;
                }
                if raw {
                    value.push('\\');
                    value.push(next);
                    i += 2;
                } else {
                    i = escape(chars, i + 1, &mut value)?;
                }
            }
            _ => {
                value.push(c);
                i += 1;
            }
        }
    }
}

/// Decodes the escape whose letter is at `i` (after the backslash); the index after it.
fn escape(chars: &[char], i: usize, value: &mut String) -> Result<usize, String> {
    let simple = match chars[i] {
        '\n' => Some(None),
        '\\' => Some(Some('\\')),
        '\'' => Some(Some('\'')),
        '"' => Some(Some('"')),
        'a' => Some(Some('\x07')),
        'b' => Some(Some('\x08')),
        'f' => Some(Some('\x0c')),
        'n' => Some(Some('\n')),
        'r' => Some(Some('\r')),
        't' => Some(Some('\t')),
        'v' => Some(Some('\x0b')),
        _ => None,
    };
    if let Some(decoded) = simple {
        value.extend(decoded);
        return Ok(i + 1);
    }
    let hex = |len: usize| -> Result<char, String> {
        let digits: String = chars
            .get(i + 1..i + 1 + len)
            .unwrap_or_default()
            .iter()
            .collect();
        u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| digits.len() == len)
            .and_then(char::from_u32)
            .ok_or_else(|| format!("a bad `\\{}` escape: {digits:?}", chars[i]))
    };
    match chars[i] {
        'x' => {
            value.push(hex(2)?);
            Ok(i + 3)
        }
        'u' => {
            value.push(hex(4)?);
            Ok(i + 5)
        }
        'U' => {
            value.push(hex(8)?);
            Ok(i + 9)
        }
        '0'..='7' => {
            let mut end = i;
            while end < i + 3 && chars.get(end).is_some_and(|c| ('0'..='7').contains(c)) {
                end += 1;
            }
            let digits: String = chars[i..end].iter().collect();
            let code = u32::from_str_radix(&digits, 8).unwrap_or(0);
            value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            Ok(end)
        }
        'N' => Err("a `\\N{…}` escape (gearc never writes one)".into()),
        // Python keeps an unknown escape as it is, backslash included.
        other => {
            value.push('\\');
            value.push(other);
            Ok(i + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::string_literals;

    #[test]
    fn decodes_what_gearc_writes() {
        let module = "x = (\"a\\\"b\\\\c\\n\\x00\\u2028\", 'q')  # \"not a string\n";
        assert_eq!(
            string_literals(module).unwrap(),
            ["a\"b\\c\n\0\u{2028}", "q"]
        );
        assert_eq!(
            string_literals("r'\\n' + \"\"\"a\nb\"\"\"").unwrap(),
            ["\\n", "a\nb"]
        );
    }

    #[test]
    fn finds_what_breaks_a_module() {
        assert!(string_literals("x = \"a\nb\"").is_err());
        assert!(string_literals("f(a, [b)]").is_err());
        assert!(string_literals("f(a").is_err());
        assert!(string_literals("x = 1 \0").is_err());
    }
}
