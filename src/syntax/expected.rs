//! Turns a pest failure into a [`SyntaxError`] in the user's words.
//!
//! pest reports what it tried at the furthest position: rules (`positives`) and,
//! with error detail on, the literal tokens (`expected_tokens`). Both are
//! grammar-speak ("op_floordiv", "f\""); this module folds them into a few
//! phrases ("an operator", "an expression", "`)`") and describes what was found
//! instead. Two common mistakes get their own errors: a `|` with nothing after
//! it, and `=` where `==` was meant.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::error::SyntaxError;
use super::layout::Chunk;
use super::parser::Rule;
use super::span::Span;

/// What may come next, in the order the message lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Token(&'static str),
    Item,
    Stage,
    Argument,
    Expression,
    Name,
    Str,
    Operator,
    End,
}

/// `item` is the item's text as pest saw it; `at_end_of_file`, whether only spaces and
/// comments come after it.
pub(crate) fn syntax_error(
    error: &Error<Rule>,
    item: &str,
    chunk: &Chunk,
    at_end_of_file: bool,
) -> SyntaxError {
    let error_pos = match error.location {
        InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
    };
    let positives: &[Rule] = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        // pest's only custom errors: its recursion limits ran out.
        ErrorVariant::CustomError { .. } => return too_deep(item, chunk, error_pos),
    };
    // pest's attempt types are not exported: take what is needed right away.
    let attempts = error.parse_attempts().map(|a| {
        let tokens: Vec<String> = a
            .expected_tokens()
            .into_iter()
            .filter_map(|t| literal(t.to_string()))
            .collect();
        let stacks: Vec<Rule> = a
            .call_stacks()
            .iter()
            .filter_map(|s| s.deepest.get_rule().copied())
            .collect();
        (a.max_position, tokens, stacks)
    });
    // The detailed attempts may lie further on than pest's own position. Inside
    // a word that is lookahead noise (`let` tried as a name checks the byte after
    // it); past punctuation it is real progress (`|a b|` fails at `b`).
    let (pos, rules, tokens) = match attempts {
        Some((max, tokens, stacks)) if max > error_pos && !is_word(item.get(error_pos..max)) => {
            (max, stacks, tokens)
        }
        Some((max, tokens, _)) if max == error_pos => (error_pos, positives.to_vec(), tokens),
        _ => (error_pos, positives.to_vec(), Vec::new()),
    };
    let expected = expected_set(&rules, &tokens);
    let found = Found::at(item, pos);
    let span = Span::new(chunk.start() + pos, chunk.start() + pos + found.len);

    if found.kind == FoundKind::End && item.trim_end().ends_with('|') && is_pipeline(item) {
        let bar = chunk.start() + item.trim_end().len() - 1;
        return SyntaxError::DanglingPipe {
            span: Span::new(bar, bar + 1),
        };
    }
    if found.text == "=" && expected.contains(&Expected::Operator) {
        return SyntaxError::AssignInExpression { span };
    }
    let expected_text = describe(&expected);
    // An empty span at the very end of the input shows no marker: point at
    // the last character instead.
    let before = item.get(..pos).unwrap_or(item).trim_end();
    let (span, label) = match before.chars().last() {
        Some(last) if found.kind == FoundKind::End => {
            let end = chunk.start() + before.len();
            (
                Span::new(end - last.len_utf8(), end),
                format!("expected {expected_text} after this"),
            )
        }
        _ => (span, format!("expected {expected_text}")),
    };
    SyntaxError::Unexpected {
        help: python_habit(&expected, item.get(..pos).unwrap_or(item), &found)
            .unwrap_or_else(|| help(&expected, &expected_text, &found)),
        expected: expected_text,
        found: found.describe(at_end_of_file),
        span,
        label,
    }
}

/// pest ran out of its recursion limits at `error_pos` of the item: the input nests
/// too deeply for it.
pub(crate) fn too_deep(item: &str, chunk: &Chunk, error_pos: usize) -> SyntaxError {
    let at = chunk.start() + error_pos;
    let len = item
        .get(error_pos..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    SyntaxError::TooDeep {
        span: Span::new(at, at + len),
    }
}

fn is_word(s: Option<&str>) -> bool {
    s.is_some_and(|s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
}

fn is_pipeline(item: &str) -> bool {
    let first = item
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next();
    !matches!(first, Some("let" | "fn" | "requirements"))
}

/// The literal of a token pest tried, or `None` for a character range. pest
/// does not export its token type, only its `Display`, which writes a range
/// as `a..z`.
fn literal(shown: String) -> Option<String> {
    let chars: Vec<char> = shown.chars().collect();
    match chars.as_slice() {
        [_, '.', '.', _] => None,
        _ => Some(shown),
    }
}

/// The rules name what may start at the position ("an expression", "a name");
/// the literal tokens add the punctuation that rules do not cover (`,`, `)`).
/// Tokens that start an operand or an operator are left out: the rules
/// already say "an expression" or "an operator" for them, and character ranges
/// are mostly noise from keyword lookaheads.
fn expected_set(rules: &[Rule], tokens: &[String]) -> BTreeSet<Expected> {
    let mut set: BTreeSet<Expected> = rules.iter().filter_map(|r| rule_phrase(*r)).collect();
    set.extend(tokens.iter().filter_map(|t| punctuation(t)));
    if set.contains(&Expected::Operator) {
        // A call's `(` after an operand is one of the operators; `=` after a
        // name would make it a named argument, which is never the hint wanted.
        set.remove(&Expected::Token("`(`"));
        set.remove(&Expected::Token("`=`"));
    }
    if set.contains(&Expected::Expression) || set.contains(&Expected::Argument) {
        // `|` opens a lambda, `"` a string: both are expressions here.
        set.remove(&Expected::Token("`|`"));
        set.remove(&Expected::Str);
        set.remove(&Expected::Name);
    }
    if set.contains(&Expected::Argument) {
        set.remove(&Expected::Expression);
    }
    if set.contains(&Expected::Item) {
        set.retain(|e| *e == Expected::Item);
    }
    set
}

fn rule_phrase(rule: Rule) -> Option<Expected> {
    Some(match rule {
        Rule::item => Expected::Item,
        Rule::stage_name | Rule::stage | Rule::terminal | Rule::kw_run | Rule::kw_register => {
            Expected::Stage
        }
        Rule::spread | Rule::named_arg => Expected::Argument,
        Rule::expr
        | Rule::pratt_expr
        | Rule::lambda
        | Rule::if_expr
        | Rule::kw_if
        | Rule::paren => Expected::Expression,
        Rule::ident => Expected::Name,
        Rule::string => Expected::Str,
        Rule::EOI => Expected::End,
        Rule::call_args => Expected::Token("`(`"),
        Rule::member
        | Rule::subscript
        | Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_floordiv
        | Rule::op_mod
        | Rule::op_pow => Expected::Operator,
        Rule::slice_colon => Expected::Token("`:`"),
        Rule::pipe => Expected::Token("`|`"),
        Rule::params => Expected::Token("`(`"),
        Rule::kw_then => Expected::Token("`then`"),
        Rule::kw_else => Expected::Token("`else`"),
        _ => return None,
    })
}

fn punctuation(t: &str) -> Option<Expected> {
    Some(Expected::Token(match t {
        "," => "`,`",
        ")" => "`)`",
        "]" => "`]`",
        "}" => "`}`",
        ":" => "`:`",
        "=" => "`=`",
        "|" => "`|`",
        "then" => "`then`",
        "else" => "`else`",
        "\"" => return Some(Expected::Str),
        _ => return None,
    }))
}

fn describe(expected: &BTreeSet<Expected>) -> String {
    let phrases: Vec<&str> = expected
        .iter()
        .map(|e| match e {
            Expected::Token(t) => t,
            Expected::Item => "a pipeline or an item (`let`, `fn`, `python`, `requirements`)",
            Expected::Stage => "a stage",
            Expected::Argument => "an argument",
            Expected::Expression => "an expression",
            Expected::Name => "a name",
            Expected::Str => "a string",
            Expected::Operator => "an operator",
            Expected::End => "the end of the line",
        })
        .collect();
    match phrases.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A mistake a Python user makes, recognised where it makes the parse fail: the Gear
/// way to write it, instead of the generic guess of [`help`].
fn python_habit(expected: &BTreeSet<Expected>, before: &str, found: &Found) -> Option<String> {
    let wants_operator = expected.contains(&Expected::Operator);
    let before = before.trim_end();
    let last_word_is = |word: &str| {
        before
            .strip_suffix(word)
            .is_some_and(|rest| !rest.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    };
    Some(match found.text {
        // `lambda x: …` fails at the parameter, `lambda: …` at its colon.
        _ if wants_operator
            && (found.kind == FoundKind::Word || found.text == ":")
            && last_word_is("lambda") =>
        {
            "Gear writes a lambda `|x| …`; inside an operation the expression over `it` is enough: `map(it.upper())`".to_owned()
        }
        "if" if wants_operator => {
            "Gear writes a conditional expression `if c then a else b`".to_owned()
        }
        "for" if wants_operator => {
            "Gear has no comprehensions: use `flatmap`, `filter` and `map` on the records, or write a function in a `python \"\"\"…\"\"\"` block".to_owned()
        }
        "is" if wants_operator => {
            "Gear compares with `==` and `!=`: `x == none` for `x is None`, `x != none` for `x is not None`".to_owned()
        }
        "//" if !wants_operator => "comments start with `#` in Gear".to_owned(),
        ":" if expected.contains(&Expected::Token("`}`")) && before.contains("f\"") => {
            "Gear f-strings take no format spec: format with `str.format`, e.g. `\"{:.1f}\".format(x)`, or round first: `f\"{round(x, 1)}\"`".to_owned()
        }
        _ => return None,
    })
}

fn help(expected: &BTreeSet<Expected>, expected_text: &str, found: &Found) -> String {
    let wants_name = expected.contains(&Expected::Name) || expected.contains(&Expected::Stage);
    if found.kind == FoundKind::Keyword && wants_name {
        return format!("`{}` is a reserved word; choose another name", found.text);
    }
    let operand_found = matches!(
        found.kind,
        FoundKind::Word | FoundKind::Keyword | FoundKind::Number | FoundKind::Str | FoundKind::FStr
    );
    if operand_found {
        let missing = ["`,`", "`:`", "`|`", "`then`", "`else`", "`=`"]
            .into_iter()
            .find(|t| expected.contains(&Expected::Token(t)));
        if let Some(t) = missing {
            return format!("is a {t} missing before it?");
        }
        if expected.contains(&Expected::Operator) && expected.contains(&Expected::End) {
            return "put each item on its own line, or join the two with an operator".to_owned();
        }
        if expected.contains(&Expected::Operator) {
            return "two values in a row need an operator between them".to_owned();
        }
    }
    let spelled = match found.text {
        "&&" | "&" => Some("and"),
        "||" => Some("or"),
        "!" => Some("not"),
        _ => None,
    };
    if let Some(word) = spelled {
        return format!("Gear spells this operator `{word}`");
    }
    if expected.contains(&Expected::Token("`then`"))
        || expected.contains(&Expected::Token("`else`"))
    {
        return "an `if` has both branches: `if condition then a else b`".to_owned();
    }
    let wants_value =
        expected.contains(&Expected::Expression) || expected.contains(&Expected::Argument);
    if found.kind == FoundKind::End && wants_value {
        return "the line ends in the middle of an expression: complete it".to_owned();
    }
    if found.text == "," && wants_value {
        return "remove this `,`, or write a value before it".to_owned();
    }
    if matches!(found.text, ")" | "]" | "}") && wants_value {
        return format!("a value is missing before `{}`", found.text);
    }
    if expected.contains(&Expected::Stage) {
        return "a stage is a name with optional arguments, like `count` or `map(it)`".to_owned();
    }
    if expected.contains(&Expected::Item) {
        return "a line starts an item: `let NAME = …`, `fn NAME(…) = …`, `python \"\"\"…\"\"\"`, \
             `requirements \"…\"`, or a pipeline like `keys | count | run`"
            .to_owned();
    }
    format!("write {expected_text} here")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FoundKind {
    End,
    Keyword,
    Word,
    Number,
    Str,
    FStr,
    Other,
}

/// The length of the string literal that `s` starts with (the layout pass
/// made sure it is closed on this line).
fn string_len(s: &str) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    s.len()
}

struct Found<'a> {
    kind: FoundKind,
    text: &'a str,
    /// Length in bytes of the token, for the label.
    len: usize,
}

/// The keywords of `grammar/gear.pest`, which are never names.
pub(super) const KEYWORDS: &[&str] = &[
    "let",
    "fn",
    "python",
    "requirements",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "none",
    "it",
    "run",
    "register",
];

const OPERATORS: &[&str] = &["...", "**", "//", "==", "!=", "<=", ">=", "&&", "||"];

impl<'a> Found<'a> {
    /// The token at `pos` of the item text.
    fn at(item: &'a str, pos: usize) -> Found<'a> {
        let rest = item.get(pos..).unwrap_or_default();
        let Some(first) = rest.chars().next() else {
            return Found {
                kind: FoundKind::End,
                text: "",
                len: 0,
            };
        };
        let word_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (kind, len) = if first == '"' {
            (FoundKind::Str, string_len(rest))
        } else if first.is_ascii_digit() {
            (FoundKind::Number, word_len)
        } else if first.is_ascii_alphabetic() || first == '_' {
            let word = &rest[..word_len];
            if word == "f" && rest[word_len..].starts_with('"') {
                (FoundKind::FStr, 1 + string_len(&rest[1..]))
            } else if KEYWORDS.contains(&word) {
                (FoundKind::Keyword, word_len)
            } else {
                (FoundKind::Word, word_len)
            }
        } else {
            let op = OPERATORS.iter().find(|op| rest.starts_with(*op));
            (FoundKind::Other, op.map_or(first.len_utf8(), |op| op.len()))
        };
        Found {
            kind,
            text: rest.get(..len).unwrap_or_default(),
            len,
        }
    }

    fn describe(&self, at_end_of_file: bool) -> String {
        match self.kind {
            FoundKind::End if at_end_of_file => "the end of the file".to_owned(),
            FoundKind::End => "the end of the line".to_owned(),
            FoundKind::Keyword => format!("the keyword `{}`", self.text),
            FoundKind::Number => format!("the number `{}`", self.text),
            FoundKind::FStr => "an f-string".to_owned(),
            FoundKind::Str => "a string".to_owned(),
            FoundKind::Word | FoundKind::Other => format!("`{}`", self.text),
        }
    }
}
