//! Every string of the source becomes a Python literal equal to it: evaluated by
//! the real python3, the generated constant is the very string the test wrote.

mod support;

use std::path::Path;

/// `value` as a Gear string literal, using Gear's escapes.
fn gear_literal(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const TRICKY: &[&str] = &[
    "plain",
    "double \" quote and single ' quote",
    "back\\slash and \\n not a newline",
    "line\nbreak\r\nand\ttab",
    "braces {} {0} {{}} {x!r}",
    "triple \"\"\" quotes ''' too",
    "unicode é ß 漢字 😀 \u{2028} \u{feff}",
    "nul \0 and bell \u{7} and del \u{7f} and nel \u{85}",
    "\"); import os; os.system(\"echo pwned\") #",
    "# not a comment",
    "",
];

#[test]
fn string_literals_survive_into_python() {
    let mut source = String::new();
    for (i, s) in TRICKY.iter().enumerate() {
        source.push_str(&format!("let S{i} = {}\n", gear_literal(s)));
        source.push_str(&format!("let F{i} = f\"<{{S{i}}}>{{{{{}}}}}\"\n", i));
    }
    let compiled = gearc::compile(&source, "strings.gear").expect("compiles");
    support::check_python37_syntax(&compiled.python).expect("valid Python 3.7");
    let mut program = compiled.python.clone();
    program.push_str("import json as _json\nprint(_json.dumps([");
    for i in 0..TRICKY.len() {
        program.push_str(&format!("S{i}, F{i}, "));
    }
    program.push_str("]))\n");
    let (ok, out) = support::run_python(Path::new("python3"), &["-"], &program);
    assert!(ok, "python3 failed:\n{out}\n{program}");
    let values: Vec<String> = serde_json::from_str(out.trim()).expect("json from python");
    for (i, s) in TRICKY.iter().enumerate() {
        assert_eq!(values[2 * i], *s, "string {i}");
        assert_eq!(values[2 * i + 1], format!("<{s}>{{{i}}}"), "f-string {i}");
    }
}
