//! Reading what RedisGears (or the local engine, which answers the same way)
//! returns for a run: typed results, and errors mapped back to `.gear` spans.

use serde_json::Value;

use crate::ir::EmptyResult;
use crate::lower::LineMap;
use crate::syntax::Span;

/// One result record: gearc's run pipelines send each record as a JSON list
/// (`[1337]`), so that no reply string starts with `-` or `+`. Anything else
/// (a module not made by gearc) is kept as the text it is.
pub fn decode_record(record: &Value) -> Value {
    if let Value::String(text) = record {
        if let Some(Value::Array(mut items)) = super::python_json::parse(text) {
            if items.len() == 1 {
                return items.remove(0);
            }
        }
    }
    record.clone()
}

/// The decoded results, with the empty result filled in where RedisGears gives none.
/// A run with errors is not filled in: its records may have been lost (RedisGears
/// stops reading once an error reaches the reply), so a `0` would be a false total.
pub fn decode_results(
    records: &[Value],
    empty: Option<&EmptyResult>,
    had_errors: bool,
) -> Vec<Value> {
    let decoded: Vec<Value> = records.iter().map(decode_record).collect();
    if had_errors {
        return decoded;
    }
    match (decoded.is_empty(), empty) {
        (true, Some(EmptyResult::Count)) => vec![Value::from(0)],
        (true, Some(EmptyResult::Zero(zero))) => vec![zero.clone()],
        _ => decoded,
    }
}

/// An error of a run, as RedisGears reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    /// The exception line, e.g. `ZeroDivisionError: division by zero`.
    pub message: String,
    /// The whole traceback as text (or the message when there is none).
    pub traceback: String,
    /// The innermost line of the submitted module in the traceback.
    pub python_line: Option<usize>,
    /// That line's `.gear` span, when the module came from gearc.
    pub span: Option<Span>,
}

/// Parses an error string: usually the repr of Python's list of traceback lines.
pub fn parse_error(text: &str, line_map: &LineMap) -> RunError {
    let traceback = parse_str_list(text).map_or_else(|| text.to_string(), |lines| lines.concat());
    let message = traceback
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_string();
    let python_line = traceback
        .lines()
        .rev()
        .filter_map(|l| l.trim().strip_prefix("File \"<string>\", line "))
        .filter_map(|rest| {
            let (line, function) = rest.split_once(", in ")?;
            Some((line.parse::<usize>().ok()?, function.trim()))
        })
        .find(|frame| !GEARSBUILDER_METHOD_FRAMES.contains(frame))
        .map(|(line, _)| line);
    RunError {
        message,
        traceback,
        python_line,
        span: python_line.and_then(|l| line_map.span(l)),
    }
}

/// Frames of the server's GearsBuilder.py methods that call its C code (RedisGears
/// 1.2.13, measured). GearsBuilder.py runs as `"<string>"` like the module, so these
/// frames follow the module's own in a traceback and must not be read as module lines.
/// (Its sugar lambdas also have frames, but those sit above the user's callback.)
const GEARSBUILDER_METHOD_FRAMES: &[(usize, &str)] = &[
    (84, "__init__"),
    (155, "avg"),
    (171, "run"),
    (172, "run"),
    (183, "register"),
    (187, "deco"),
];

/// A Python `repr` of a list of strings, e.g. `['a\n', "b's"]`, back into the strings.
fn parse_str_list(text: &str) -> Option<Vec<String>> {
    let mut chars = text.trim().chars().peekable();
    if chars.next()? != '[' {
        return None;
    }
    let mut out = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.next()? {
            ']' => return chars.next().is_none().then_some(out),
            quote @ ('\'' | '"') => {
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        c if c == quote => break,
                        '\\' => match chars.next()? {
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            'r' => s.push('\r'),
                            '0' => s.push('\0'),
                            'x' => s.push(hex_char(&mut chars, 2)?),
                            'u' => s.push(hex_char(&mut chars, 4)?),
                            'U' => s.push(hex_char(&mut chars, 8)?),
                            c => s.push(c),
                        },
                        c => s.push(c),
                    }
                }
                out.push(s);
            }
            _ => return None,
        }
    }
}

fn hex_char(chars: &mut impl Iterator<Item = char>, n: usize) -> Option<char> {
    let digits: String = chars.take(n).collect();
    char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_json_records_and_keeps_other_text() {
        assert_eq!(decode_record(&Value::from("[-5]")), Value::from(-5));
        assert_eq!(decode_record(&Value::from("[\"a\"]")), Value::from("a"));
        assert_eq!(decode_record(&Value::from("hello")), Value::from("hello"));
    }

    #[test]
    fn fills_empty_count_and_zero_only_without_errors() {
        let count = Some(&EmptyResult::Count);
        assert_eq!(decode_results(&[], count, false), vec![Value::from(0)]);
        let zero = EmptyResult::Zero(Value::from(1));
        assert_eq!(
            decode_results(&[], Some(&zero), false),
            vec![Value::from(1)]
        );
        assert_eq!(decode_results(&[], None, false), Vec::<Value>::new());
        assert_eq!(decode_results(&[], count, true), Vec::<Value>::new());
    }

    #[test]
    fn finds_the_innermost_module_line() {
        let text = r#"['Traceback (most recent call last):\n', '  File "<string>", line 7, in <lambda>\n', "ZeroDivisionError: division by zero\n"]"#;
        let e = parse_error(text, &LineMap::default());
        assert_eq!(e.python_line, Some(7));
        assert_eq!(e.message, "ZeroDivisionError: division by zero");
        assert!(e.traceback.starts_with("Traceback"));
    }

    #[test]
    fn skips_the_frames_of_gearsbuilder_methods() {
        // a builder method's error: the module's line is the one before GearsBuilder.py's
        let text = r#"['Traceback (most recent call last):\n', '  File "<string>", line 3, in <module>\n', '  File "<string>", line 155, in avg\n', '  File "<string>", line 187, in deco\n', 'gears.error: map argument must be a function\n']"#;
        assert_eq!(parse_error(text, &LineMap::default()).python_line, Some(3));
        // a sugar operation's lambda calls the user's callback: the innermost frame is the user's
        let text = r#"['Traceback (most recent call last):\n', '  File "<string>", line 88, in <lambda>\n', '  File "<string>", line 8, in <lambda>\n', 'ZeroDivisionError: integer division or modulo by zero\n']"#;
        assert_eq!(parse_error(text, &LineMap::default()).python_line, Some(8));
    }

    #[test]
    fn keeps_plain_messages() {
        let e = parse_error("gears.error: ERR unknown command", &LineMap::default());
        assert_eq!(e.message, "gears.error: ERR unknown command");
        assert_eq!(e.python_line, None);
    }
}
