//! The data every generated program runs on, and the strings that try to break out.
//!
//! The readers of `pipeline.rs` know these keys: `n:*` hold integers, `f:*` floats
//! that add up exactly in any order (halves and quarters), `w:*` words, `h:*` hashes,
//! `l:*` lists, `x:*` hostile names and values, `st:*` streams. Nothing matches
//! `nothing:*`, and `st:empty` is a stream with no entry left.

/// The commands that seed a fresh keyspace (on a cluster each goes to its key's shard).
pub fn seed_commands() -> Vec<Vec<String>> {
    let mut out: Vec<Vec<&str>> = vec![
        vec!["SET", "n:1", "10"],
        vec!["SET", "n:2", "-3"],
        vec!["SET", "n:3", "0"],
        vec!["SET", "n:4", "7"],
        vec!["SET", "n:5", "42"],
        vec!["SET", "n:6", "10"],
        vec!["SET", "f:1", "2.5"],
        vec!["SET", "f:2", "-0.25"],
        vec!["SET", "f:3", "1.5"],
        vec!["SET", "f:4", "0"],
        vec!["SET", "w:1", "the quick brown fox"],
        vec!["SET", "w:2", "jumps over the lazy dog"],
        vec!["SET", "w:3", ""],
        vec!["SET", "w:4", "fox  fox\tdog"],
        vec!["HSET", "h:1", "name", "Alice", "age", "30", "country", "FR"],
        vec!["HSET", "h:2", "name", "Bob", "age", "25", "country", "US"],
        vec![
            "HSET",
            "h:3",
            "name",
            "Zoë \"Z\" {x}",
            "age",
            "41",
            "country",
            "FR",
        ],
        vec!["HSET", "h:4", "name", "Dan"],
        vec!["RPUSH", "l:1", "a", "b", "c"],
        vec!["RPUSH", "l:2", "x"],
        vec!["RPUSH", "l:3", "10", "20", "-5"],
        vec!["SADD", "set:1", "a", "b"],
        vec!["ZADD", "z:1", "1", "a"],
        vec!["XADD", "st:1", "1-1", "k", "v1", "n", "1"],
        vec!["XADD", "st:1", "1-2", "k", "v2", "n", "2"],
        vec!["XADD", "st:1", "2-0", "k", "say \"hi\"\n{}", "n", "3"],
        vec!["XADD", "st:empty", "1-1", "k", "gone"],
        vec!["XDEL", "st:empty", "1-1"],
    ];
    for (name, value) in HOSTILE_KEYS {
        out.push(vec!["SET", name, value]);
    }
    out.into_iter()
        .map(|c| c.into_iter().map(str::to_string).collect())
        .collect()
}

/// `x:*` keys: names and values with quotes, backslashes, braces, control
/// characters and non-ASCII text.
pub const HOSTILE_KEYS: &[(&str, &str)] = &[
    ("x:\"q\"", "he said \"hi\""),
    ("x:back\\slash", "\\"),
    ("x:{brace}", "{}{{}}"),
    ("x:é😀", "line1\nline2"),
    ("x:nul", "a\0b"),
    ("x:tab\t", "'single' \"double\""),
];

/// Strings for literals, f-string text, field names and descriptions.
pub const HOSTILE: &[&str] = &[
    "",
    "plain",
    " ",
    "quote \" in",
    "back\\slash",
    "{x} {{y}}",
    "tab\there",
    "new\nline",
    "cr\rhere",
    "nul\0byte",
    "é ß 😀 中文",
    "\u{2028}sep",
    "''' \"\"\" triple",
    "\\n not a newline",
    "# not a comment",
    "\"); import os; (\"",
    "%s %d %%",
    "\\u0041 \\x41",
    "a}b{c",
    "\u{7f}del",
    "\\",
    "\"",
];

/// `s` as a Gear string literal.
pub fn gear_str(s: &str) -> String {
    format!("\"{}\"", escape(s, false))
}

/// `s` as the text of an f-string (braces doubled).
pub fn fstring_text(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, braces: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '{' if braces => out.push_str("{{"),
            '}' if braces => out.push_str("}}"),
            c if c.is_control() || c == '\u{2028}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
