//! Values of literals: escapes, integers, floats. The grammar accepts any
//! backslash pair and any digit run so that each bad literal gets its own
//! message here, pointing at the exact bytes.

use super::error::SyntaxError;
use super::span::Span;

/// Resolves the escapes of string text that starts at byte `offset` of the
/// source. In f-string text (`fstring`), `{{` and `}}` stand for one brace.
/// A bad escape is reported and left out of the value.
pub(crate) fn unescape(
    raw: &str,
    offset: usize,
    fstring: bool,
    errors: &mut Vec<SyntaxError>,
) -> String {
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' | '}' if fstring => {
                // The grammar only lets braces through in pairs.
                chars.next();
                value.push(c);
            }
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    break;
                };
                let simple = match e {
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    '0' => Some('\0'),
                    _ => None,
                };
                if let Some(s) = simple {
                    value.push(s);
                    continue;
                }
                let start = offset + i;
                if e != 'u' {
                    let end = start + 1 + e.len_utf8();
                    errors.push(SyntaxError::InvalidEscape {
                        escape: format!("\\{e}"),
                        span: Span::new(start, end),
                    });
                    continue;
                }
                if chars.peek().map(|&(_, c)| c) != Some('{') {
                    errors.push(SyntaxError::InvalidUnicodeEscape {
                        span: Span::new(start, start + 2),
                    });
                    continue;
                }
                chars.next();
                let mut digits = String::new();
                let mut end = start + 3;
                let mut closed = false;
                while let Some(&(j, d)) = chars.peek() {
                    if d == '}' {
                        chars.next();
                        end = offset + j + 1;
                        closed = true;
                        break;
                    }
                    if !d.is_ascii_alphanumeric() {
                        break;
                    }
                    chars.next();
                    digits.push(d);
                    end = offset + j + 1;
                }
                let span = Span::new(start, end);
                let hex_ok = (1..=6).contains(&digits.len())
                    && digits.chars().all(|d| d.is_ascii_hexdigit());
                if !closed || !hex_ok {
                    errors.push(SyntaxError::InvalidUnicodeEscape { span });
                    continue;
                }
                match u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(ch) => value.push(ch),
                    None => errors.push(SyntaxError::UnicodeEscapeOutOfRange {
                        escape: format!("\\u{{{digits}}}"),
                        span,
                    }),
                }
            }
            _ => value.push(c),
        }
    }
    value
}

/// `42`, `1_000_000`; reported (and 0) when it does not fit an `i64`.
///
/// 9223372036854775808 is reported too, but comes back as `i64::MIN`: under a
/// unary minus it is the one literal that fits after all, and the parser then
/// folds the two and takes the report back (see `Builder::negate`).
pub(crate) fn int(raw: &str, span: Span, errors: &mut Vec<SyntaxError>) -> i64 {
    let digits: String = raw.chars().filter(|&c| c != '_').collect();
    match digits.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            errors.push(SyntaxError::IntegerTooLarge { span });
            if digits.parse::<u64>() == Ok(i64::MIN.unsigned_abs()) {
                i64::MIN
            } else {
                0
            }
        }
    }
}

/// `3.14`, `1e-3`; reported (and 0.0) when it is not finite.
pub(crate) fn float(raw: &str, span: Span, errors: &mut Vec<SyntaxError>) -> f64 {
    let digits: String = raw.chars().filter(|&c| c != '_').collect();
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            errors.push(SyntaxError::FloatTooLarge { span });
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str, fstring: bool) -> String {
        let mut errors = Vec::new();
        let value = unescape(raw, 0, fstring, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        value
    }

    #[test]
    fn every_escape() {
        assert_eq!(
            ok(r#"\\ \" \n \r \t \0 \u{1F600} \u{41} \u{00e9}"#, false),
            "\\ \" \n \r \t \0 😀 A é"
        );
    }

    #[test]
    fn braces_are_doubled_only_in_f_strings() {
        assert_eq!(ok("{{a}}", true), "{a}");
        assert_eq!(ok("{{a}}", false), "{{a}}");
    }

    #[test]
    fn errors_point_at_the_escape() {
        let mut errors = Vec::new();
        let value = unescape(r"ab\qc\u{D800}", 10, false, &mut errors);
        assert_eq!(value, "abc");
        assert_eq!(errors[0].span(), Span::new(12, 14));
        assert_eq!(errors[1].span(), Span::new(15, 23));
    }

    #[test]
    fn numbers() {
        let mut errors = Vec::new();
        let span = Span::new(0, 1);
        assert_eq!(int("1_000", span, &mut errors), 1000);
        assert_eq!(int("9223372036854775807", span, &mut errors), i64::MAX);
        assert_eq!(float("1e-3", span, &mut errors), 0.001);
        assert!(errors.is_empty());
        int("9223372036854775808", span, &mut errors);
        float("1e309", span, &mut errors);
        assert_eq!(errors.len(), 2);
    }
}
