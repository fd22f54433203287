//! Reading what RedisGears (or the local engine, which answers the same way)
//! returns for a run: typed results, and errors mapped back to `.gear` spans.

use serde_json::Value;

use crate::compile::{Compiled, PipelineInfo};
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
        (true, Some(EmptyResult::NoAverage)) => vec![Value::Null],
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
    /// Whose code raised it ([`locate`] tells the stages apart).
    pub raised: Raised,
}

/// Whose code raised an error of a run: each is shown with its own code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Raised {
    /// The module's code for a step: a callback, or a Python block it calls.
    Callback,
    /// RedisGears' own Python for an operation (GearsBuilder.py's `sort`, `distinct`, …),
    /// named here; the span is that operation's.
    Operation(&'static str),
    /// The reader (RedisGears' C code), e.g. a stream run on a key that is not a stream;
    /// the span is the reader's.
    Reader,
    /// The module while it loaded (an import, a Python block's top level).
    Load,
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
        raised: Raised::Callback,
    }
}

/// Tells whose code raised an error of `pipeline` (a pipeline of `compiled`): the error
/// is moved to the `.gear` operation or reader it belongs to when RedisGears' own code
/// raised it.
pub fn locate(error: &mut RunError, compiled: &Compiled, pipeline: &PipelineInfo) {
    let (first, last) = pipeline.python_lines;
    // The pipeline's lines, numbered as in the module (1-based).
    let lines = || {
        compiled
            .python
            .lines()
            .enumerate()
            .map(|(i, text)| (i + 1, text))
            .filter(move |(n, _)| (first..=last).contains(n))
    };
    let line_map = &compiled.line_map;
    if let Some((operation, span)) = builder_operation(error, &compiled.python, line_map, lines()) {
        error.raised = Raised::Operation(operation);
        error.span = span;
        return;
    }
    if error.python_line.is_none() && is_redis_error(&error.message) {
        // No Python ran: the reader's C code failed on a read (a stream run on a key that
        // is not a stream: `WRONGTYPE …`). The reader is the pipeline's first step line.
        error.raised = Raised::Reader;
        error.span = lines()
            .find(|(_, text)| text.trim_start().starts_with("GB("))
            .and_then(|(n, _)| line_map.span(n));
        if pipeline.reader == "StreamReader" && error.message.starts_with("WRONGTYPE") {
            error.message = format!(
                "the stream reader read a key that is not a stream ({})",
                error.message
            );
        }
    }
}

/// A Redis error reply's text: an upper-case code first (`WRONGTYPE …`, `ERR …`).
fn is_redis_error(message: &str) -> bool {
    let code = message.split(' ').next().unwrap_or("");
    code.len() >= 2 && code.chars().all(|c| c.is_ascii_uppercase())
}

/// When the innermost frame is one of GearsBuilder.py's own lambdas (its code for
/// `sort`, `distinct`, …, run as `"<string>"` like the module), the operation and the
/// span of the module's step that called it. A frame whose line is also a lambda of the
/// module is taken as the module's (both files are `"<string>"`).
fn builder_operation<'a>(
    error: &RunError,
    module: &str,
    line_map: &LineMap,
    pipeline_lines: impl Iterator<Item = (usize, &'a str)>,
) -> Option<(&'static str, Option<Span>)> {
    let line = error.python_line?;
    let innermost = error
        .traceback
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("File \"<string>\", line "))?;
    if innermost != format!("{line}, in <lambda>") {
        return None;
    }
    let (_, operations) = GEARSBUILDER_LAMBDA_LINES
        .iter()
        .find(|(at, _)| *at == line)?;
    let module_line = module.lines().nth(line - 1);
    if line_map.span(line).is_some() && module_line.is_some_and(|t| t.contains("lambda")) {
        return None;
    }
    // The module's steps that call one of these operations: `.sort(reverse=True)  # …`
    let steps: Vec<(&'static str, Option<Span>)> = pipeline_lines
        .filter_map(|(n, text)| {
            let call = text.trim_start().strip_prefix('.')?;
            let op = operations
                .iter()
                .find(|op| call.strip_prefix(**op).is_some_and(|r| r.starts_with('(')))?;
            Some((*op, line_map.span(n)))
        })
        .collect();
    match steps.as_slice() {
        [one] => Some(*one),
        // Several steps could have raised it: name the operation, point at none.
        _ => Some((operations[0], None)),
    }
}

/// The lines of GearsBuilder.py's lambdas (RedisGears 1.2.13, measured; the engine's
/// `gearsbuilder_py.py` holds the same numbers) and the operations gearc lowers to
/// GearsBuilder.py's code that run them, most likely first. `aggregate` (98, 100) is
/// GearsBuilder's own helper of `count`, `sort`, `distinct` and `avg`.
const GEARSBUILDER_LAMBDA_LINES: &[(usize, &[&str])] = &[
    (88, &["countby"]),
    (98, &["count", "sort", "distinct", "avg"]),
    (100, &["count", "sort", "distinct", "avg"]),
    (112, &["countby"]),
    (119, &["count"]),
    (121, &["count"]),
    (124, &["countby"]),
    (129, &["countby"]),
    (136, &["sort"]),
    (137, &["sort"]),
    (138, &["sort"]),
    (145, &["distinct"]),
    (147, &["avg"]),
    (156, &["avg"]),
    (157, &["avg"]),
];

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
        assert_eq!(
            decode_results(&[], Some(&EmptyResult::NoAverage), false),
            vec![Value::Null]
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
    fn the_lambda_lines_are_those_of_the_engines_gearsbuilder_py() {
        // The engine reproduces GearsBuilder.py's frames; its table names every lambda line.
        let engine = include_str!("local/runtime/gearc_engine/gearsbuilder_py.py");
        let engine_lines: Vec<usize> = engine
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .filter(|l| !l.contains('(') && l.contains(" = "))
            .filter_map(|l| {
                l.split(" = ")
                    .nth(1)?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .filter(|n| ![164, 176].contains(n)) // run/register's str(): gearc sends JSON text
            .collect();
        let ours: Vec<usize> = GEARSBUILDER_LAMBDA_LINES.iter().map(|(n, _)| *n).collect();
        assert_eq!(ours, engine_lines);
    }

    fn compiled(source: &str) -> Compiled {
        crate::compile::compile(source, "x.gear").expect("compiles")
    }

    fn error_at(text: &str, c: &Compiled) -> RunError {
        let mut e = parse_error(text, &c.line_map);
        locate(&mut e, c, c.run_pipeline().expect("a run"));
        e
    }

    #[test]
    fn an_error_in_gearsbuilders_own_lambda_is_moved_to_its_operation() {
        let source = "python([1, \"a\"]) | map(it) | sort | run\n";
        let c = compiled(source);
        let text = r#"['Traceback (most recent call last):\n', '  File "<string>", line 137, in <lambda>\n', "TypeError: '<' not supported\n"]"#;
        let e = error_at(text, &c);
        assert_eq!(e.raised, Raised::Operation("sort"));
        let span = e.span.expect("the sort's span");
        assert_eq!(&source[span.start..span.end], "sort");
        // the user's callback called from GearsBuilder's lambda stays the user's
        let map_line = c.python.lines().position(|l| l.contains(".map(")).unwrap() + 1;
        let text = format!(
            r#"['Traceback (most recent call last):\n', '  File "<string>", line 88, in <lambda>\n', '  File "<string>", line {map_line}, in <lambda>\n', 'ValueError: x\n']"#
        );
        let e = error_at(&text, &c);
        assert_eq!(e.raised, Raised::Callback);
        assert_eq!(e.python_line, Some(map_line));
    }

    #[test]
    fn a_redis_error_without_traceback_is_the_readers() {
        let source = "stream(\"s\") | run\n";
        let c = compiled(source);
        let e = error_at(
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            &c,
        );
        assert_eq!(e.raised, Raised::Reader);
        assert!(e
            .message
            .starts_with("the stream reader read a key that is not a stream"));
        let span = e.span.expect("the reader's span");
        assert_eq!(&source[span.start..span.end], "stream(\"s\")");
        // a message of the server that is not a Redis error stays as it is
        let e = error_at("Execution max idle reached", &c);
        assert_eq!((e.raised, e.span), (Raised::Callback, None));
    }

    #[test]
    fn keeps_plain_messages() {
        let e = parse_error("gears.error: ERR unknown command", &LineMap::default());
        assert_eq!(e.message, "gears.error: ERR unknown command");
        assert_eq!(e.python_line, None);
    }
}
