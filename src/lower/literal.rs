//! Python literals that are equal to the Gear values, whatever they contain.

/// A double-quoted Python string literal whose value is exactly `s`.
///
/// Printable characters stay as they are (the module is UTF-8); quotes,
/// backslashes and every control or line-separator character are escaped, so no
/// text of a `.gear` file can end the literal or the line.
pub fn py_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python float literal for a finite `f64` (Rust's shortest round-trip form).
pub fn py_float(f: f64) -> String {
    let text = format!("{f:?}");
    if text.contains(['.', 'e', 'E']) || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

/// Text safe to put in a `#` comment: no line breaks or other control characters.
pub fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_break_out() {
        assert_eq!(py_str("a\"b\\c\nd\0"), r#""a\"b\\c\nd\x00""#);
        assert_eq!(py_str("{x} é 😀"), "\"{x} é 😀\"");
        assert_eq!(py_str("\u{2028}"), "\"\\u2028\"");
    }

    #[test]
    fn floats_keep_a_point_or_exponent() {
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(py_float(0.001), "0.001");
        assert_eq!(py_float(1e-10), "1e-10");
    }
}
