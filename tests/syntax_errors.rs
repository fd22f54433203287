//! Every kind of syntax error, rendered as the CLI shows it, so that the wording
//! is reviewed; and the properties all of them share.

mod ast_print;

use ast_print::{codes, errors};
use insta::assert_snapshot;

#[test]
fn unterminated_string() {
    assert_snapshot!(errors("keys(\"user:*) | count | run\nlet a = 1"), @r#"
    gearc::syntax::unterminated_string

      × this string is never closed
       ╭─[t.gear:1:6]
     1 │ keys("user:*) | count | run
       ·      ───────────┬──────────
       ·                 ╰── the string starts here and runs to the end of the line
     2 │ let a = 1
       ╰────
      help: add the closing `"` before the end of the line
    "#);
}

#[test]
fn unterminated_string_at_end_of_file() {
    assert_snapshot!(errors("let a = \"abc"), @r#"
    gearc::syntax::unterminated_string

      × this string is never closed
       ╭─[t.gear:1:9]
     1 │ let a = "abc
       ·         ──┬─
       ·           ╰── the string starts here and runs to the end of the line
       ╰────
      help: add the closing `"` before the end of the line
    "#);
}

#[test]
fn newline_in_string() {
    assert_snapshot!(errors("let a = \"two\nlines\"\nlet b = 1"), @r#"
    gearc::syntax::newline_in_string

      × a string cannot span several lines
       ╭─[t.gear:1:9]
     1 │ let a = "two
       ·         ──┬─
       ·           ╰── the line ends inside this string
     2 │ lines"
       ╰────
      help: close the string on this line; write `\n` for a line break inside it
    "#);
}

#[test]
fn invalid_escape() {
    assert_snapshot!(errors(r#"keys("a\q") | count | run"#), @r#"
    gearc::syntax::invalid_escape

      × unknown escape `\q`
       ╭─[t.gear:1:8]
     1 │ keys("a\q") | count | run
       ·        ─┬
       ·         ╰── not an escape
       ╰────
      help: the escapes are `\\` `\"` `\n` `\r` `\t` `\0` and `\u{…}`; write `\\`
            for a backslash
    "#);
}

#[test]
fn invalid_unicode_escape() {
    assert_snapshot!(errors(r#"let a = "\u12 \u{} \u{12345678} \u{xyz}""#), @r#"
    gearc::syntax::invalid_unicode_escape

      × malformed unicode escape
       ╭─[t.gear:1:10]
     1 │ let a = "\u12 \u{} \u{12345678} \u{xyz}"
       ·          ─┬
       ·           ╰── expected `\u{` hex digits `}`
       ╰────
      help: write 1 to 6 hexadecimal digits in braces, like `\u{1F600}`
    gearc::syntax::invalid_unicode_escape

      × malformed unicode escape
       ╭─[t.gear:1:15]
     1 │ let a = "\u12 \u{} \u{12345678} \u{xyz}"
       ·               ──┬─
       ·                 ╰── expected `\u{` hex digits `}`
       ╰────
      help: write 1 to 6 hexadecimal digits in braces, like `\u{1F600}`
    gearc::syntax::invalid_unicode_escape

      × malformed unicode escape
       ╭─[t.gear:1:20]
     1 │ let a = "\u12 \u{} \u{12345678} \u{xyz}"
       ·                    ──────┬─────
       ·                          ╰── expected `\u{` hex digits `}`
       ╰────
      help: write 1 to 6 hexadecimal digits in braces, like `\u{1F600}`
    gearc::syntax::invalid_unicode_escape

      × malformed unicode escape
       ╭─[t.gear:1:33]
     1 │ let a = "\u12 \u{} \u{12345678} \u{xyz}"
       ·                                 ───┬───
       ·                                    ╰── expected `\u{` hex digits `}`
       ╰────
      help: write 1 to 6 hexadecimal digits in braces, like `\u{1F600}`
    "#);
}

#[test]
fn unicode_escape_out_of_range() {
    assert_snapshot!(errors(r#"let a = "\u{110000}" + "\u{D800}""#), @r#"
    gearc::syntax::unicode_escape_out_of_range

      × `\u{110000}` is not a unicode character
       ╭─[t.gear:1:10]
     1 │ let a = "\u{110000}" + "\u{D800}"
       ·          ─────┬────
       ·               ╰── no such character
       ╰────
      help: a unicode escape must be at most 10FFFF and not a surrogate (D800 to
            DFFF)
    gearc::syntax::unicode_escape_out_of_range

      × `\u{D800}` is not a unicode character
       ╭─[t.gear:1:25]
     1 │ let a = "\u{110000}" + "\u{D800}"
       ·                         ────┬───
       ·                             ╰── no such character
       ╰────
      help: a unicode escape must be at most 10FFFF and not a surrogate (D800 to
            DFFF)
    "#);
}

#[test]
fn unterminated_python_block() {
    assert_snapshot!(errors("python \"\"\"\ndef f(x):\n    return x\n\nkeys | count | run\n"), @r#"
    gearc::syntax::unterminated_python

      × this Python block is never closed
       ╭─[t.gear:1:8]
     1 │ python """
       ·        ─┬─
       ·         ╰── the block opens here
     2 │ def f(x):
       ╰────
      help: end the block with `"""`; everything up to it is Python
    "#);
}

#[test]
fn integer_too_large() {
    assert_snapshot!(errors("let a = 9223372036854775808"), @"
    gearc::syntax::integer_too_large

      × integer literal is too large
       ╭─[t.gear:1:9]
     1 │ let a = 9223372036854775808
       ·         ─────────┬─────────
       ·                  ╰── does not fit in 64 bits
       ╰────
      help: integers are 64-bit: at most 9223372036854775807; write a float
            (`1e20`) for larger numbers
    ");
}

#[test]
fn integer_too_large_even_under_a_minus() {
    // Only i64::MIN itself fits under a minus; the minus must apply to the literal.
    for source in [
        "let a = -9223372036854775809",
        "let a = -9223372036854775808 ** 2",
        "let a = 9223372036854775808 - 1",
    ] {
        let rendered = errors(source);
        assert!(
            rendered.contains("gearc::syntax::integer_too_large"),
            "{source}:\n{rendered}"
        );
    }
}

#[test]
fn float_too_large() {
    assert_snapshot!(errors("let a = 1e999"), @"
    gearc::syntax::float_too_large

      × float literal is too large
       ╭─[t.gear:1:9]
     1 │ let a = 1e999
       ·         ──┬──
       ·           ╰── this is infinite as a 64-bit float
       ╰────
      help: floats must be finite: at most about 1.8e308
    ");
}

#[test]
fn unclosed_bracket() {
    // The next line that starts like an item ends the broken one, so its own
    // mistakes are still found.
    assert_snapshot!(errors("keys(event_types = [\"expired\"]\n  | count\n  | run\nlet b = 'x'"), @r#"
    gearc::syntax::unclosed_bracket

      × this `(` is never closed
       ╭─[t.gear:1:5]
     1 │ keys(event_types = ["expired"]
       ·     ┬
       ·     ╰── opened here
     2 │   | count
       ╰────
      help: add the matching `)`
    gearc::syntax::single_quotes

      × Gear strings use double quotes
       ╭─[t.gear:4:9]
     3 │   | run
     4 │ let b = 'x'
       ·         ─┬─
       ·          ╰── single quotes
       ╰────
      help: write "text" instead of 'text'
    "#);
}

#[test]
fn unmatched_closing_bracket() {
    assert_snapshot!(errors("keys | map(x)) | run"), @"
    gearc::syntax::unmatched_bracket

      × `)` closes nothing
       ╭─[t.gear:1:14]
     1 │ keys | map(x)) | run
       ·              ┬
       ·              ╰── no `(` is open here
       ╰────
      help: remove it, or add the matching `(` before it
    ");
}

#[test]
fn mismatched_bracket() {
    assert_snapshot!(errors("keys | map([1, 2) | run"), @"
    gearc::syntax::mismatched_bracket

      × `)` does not match `[`
       ╭─[t.gear:1:17]
     1 │ keys | map([1, 2) | run
       ·            ┬    ┬
       ·            │    ╰── expected `]`
       ·            ╰── `[` opened here
       ╰────
      help: close the `[` with `]` first
    ");
}

#[test]
fn dangling_pipe() {
    assert_snapshot!(errors("keys | count |"), @"
    gearc::syntax::dangling_pipe

      × `|` with no stage after it
       ╭─[t.gear:1:14]
     1 │ keys | count |
       ·              ┬
       ·              ╰── nothing follows this `|`
       ╰────
      help: add the next stage (or `run` / `register`) after the `|`, or remove
            the `|`
    ");
}

#[test]
fn dangling_pipe_before_the_next_item() {
    assert_snapshot!(errors("keys | count |\n\nlet a = 1"), @"
    gearc::syntax::dangling_pipe

      × `|` with no stage after it
       ╭─[t.gear:1:14]
     1 │ keys | count |
       ·              ┬
       ·              ╰── nothing follows this `|`
     2 │ 
       ╰────
      help: add the next stage (or `run` / `register`) after the `|`, or remove
            the `|`
    ");
}

#[test]
fn terminal_not_last() {
    assert_snapshot!(errors("keys | run | count"), @"
    gearc::syntax::terminal_not_last

      × `run` must be the last stage of the pipeline
       ╭─[t.gear:1:8]
     1 │ keys | run | count
       ·        ─┬─ ───┬───
       ·         │     ╰── but goes on here
       ·         ╰── the pipeline ends here
       ╰────
      help: move `run` to the end of the pipeline; a pipeline has one terminal
    ");
}

#[test]
fn missing_reader() {
    assert_snapshot!(errors("register(mode = \"sync\")"), @r#"
    gearc::syntax::missing_reader

      × a pipeline must start with a reader
       ╭─[t.gear:1:1]
     1 │ register(mode = "sync")
       · ────┬───
       ·     ╰── `register` ends a pipeline, it cannot start one
       ╰────
      help: start with a reader such as `keys`, `stream("name")` or
            `command("trigger")`
    "#);
}

#[test]
fn single_quotes() {
    assert_snapshot!(errors("keys('user:*') | count | run"), @r#"
    gearc::syntax::single_quotes

      × Gear strings use double quotes
       ╭─[t.gear:1:6]
     1 │ keys('user:*') | count | run
       ·      ────┬───
       ·          ╰── single quotes
       ╰────
      help: write "text" instead of 'text'
    "#);
}

#[test]
fn assignment_where_comparison_was_meant() {
    assert_snapshot!(errors("keys | filter(value.size = 3) | run"), @"
    gearc::syntax::assign_in_expression

      × `=` cannot compare
       ╭─[t.gear:1:26]
     1 │ keys | filter(value.size = 3) | run
       ·                          ┬
       ·                          ╰── did you mean `==`?
       ╰────
      help: write `==` to compare; `=` only names an argument or defines a
            `let`/`fn`
    ");
    assert_snapshot!(errors("let a = if b = 1 then 2 else 3"), @"
    gearc::syntax::assign_in_expression

      × `=` cannot compare
       ╭─[t.gear:1:14]
     1 │ let a = if b = 1 then 2 else 3
       ·              ┬
       ·              ╰── did you mean `==`?
       ╰────
      help: write `==` to compare; `=` only names an argument or defines a
            `let`/`fn`
    ");
}

#[test]
fn unclosed_f_string_brace() {
    assert_snapshot!(errors("let a = f\"total: {x\""), @r#"
    gearc::syntax::unclosed_fstring_brace

      × `{` in an f-string is never closed
       ╭─[t.gear:1:18]
     1 │ let a = f"total: {x"
       ·                  ┬
       ·                  ╰── this `{` opens an expression
       ╰────
      help: close the expression with `}`, or write `{{` for a literal `{`
    "#);
}

#[test]
fn lone_f_string_brace() {
    assert_snapshot!(errors("let a = f\"a}b\""), @r#"
    gearc::syntax::lone_fstring_brace

      × single `}` in an f-string
       ╭─[t.gear:1:12]
     1 │ let a = f"a}b"
       ·         ─┬ ┬
       ·          │ ╰── no `{` opened before it
       ·          ╰── in this f-string
       ╰────
      help: write `}}` for a literal `}`
    "#);
}

#[test]
fn too_deep() {
    let src = format!("let a = {}1{}", "(".repeat(150), ")".repeat(150));
    assert_eq!(codes(&src), ["gearc::syntax::too_deep"]);
    assert_snapshot!(errors(&format!("let a = {}1{}", "[\n".repeat(101), "]".repeat(101))), @"
    gearc::syntax::too_deep

      × this expression is nested too deeply
         ╭─[t.gear:101:1]
     100 │ [
     101 │ [
         · ┬
         · ╰── more than 100 levels deep
     102 │ 1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
         ╰────
      help: split it into smaller parts with `let` or `fn`
    ");
}

// ------------------------------------------------------ unexpected tokens

#[test]
fn missing_comma_between_arguments() {
    assert_snapshot!(errors("keys | map(f(a b)) | run"), @"
    gearc::syntax::unexpected

      × expected `)`, `,` or an operator, found `b`
       ╭─[t.gear:1:16]
     1 │ keys | map(f(a b)) | run
       ·                ┬
       ·                ╰── expected `)`, `,` or an operator
       ╰────
      help: is a `,` missing before it?
    ");
}

#[test]
fn missing_argument() {
    assert_snapshot!(errors("keys | map(, ) | run"), @"
    gearc::syntax::unexpected

      × expected `)` or an argument, found `,`
       ╭─[t.gear:1:12]
     1 │ keys | map(, ) | run
       ·            ┬
       ·            ╰── expected `)` or an argument
       ╰────
      help: remove this `,`, or write a value before it
    ");
}

#[test]
fn expression_cut_short() {
    assert_snapshot!(errors("let a = 1 +"), @"
    gearc::syntax::unexpected

      × expected an expression, found the end of the file
       ╭─[t.gear:1:11]
     1 │ let a = 1 +
       ·           ┬
       ·           ╰── expected an expression after this
       ╰────
      help: the line ends in the middle of an expression: complete it
    ");
}

#[test]
fn two_items_on_one_line() {
    assert_snapshot!(errors("let a = 1 let b = 2"), @"
    gearc::syntax::unexpected

      × expected an operator or the end of the line, found the keyword `let`
       ╭─[t.gear:1:11]
     1 │ let a = 1 let b = 2
       ·           ─┬─
       ·            ╰── expected an operator or the end of the line
       ╰────
      help: put each item on its own line, or join the two with an operator
    ");
}

#[test]
fn keyword_as_a_name() {
    assert_snapshot!(errors("let in = 1"), @"
    gearc::syntax::unexpected

      × expected a name, found the keyword `in`
       ╭─[t.gear:1:5]
     1 │ let in = 1
       ·     ─┬
       ·      ╰── expected a name
       ╰────
      help: `in` is a reserved word; choose another name
    ");
    assert_snapshot!(errors("keys | let | run"), @"
    gearc::syntax::unexpected

      × expected a stage, found the keyword `let`
       ╭─[t.gear:1:8]
     1 │ keys | let | run
       ·        ─┬─
       ·         ╰── expected a stage
       ╰────
      help: `let` is a reserved word; choose another name
    ");
}

#[test]
fn missing_else() {
    assert_snapshot!(errors("keys | map(if a then b) | run"), @"
    gearc::syntax::unexpected

      × expected `else` or an operator, found `)`
       ╭─[t.gear:1:23]
     1 │ keys | map(if a then b) | run
       ·                       ┬
       ·                       ╰── expected `else` or an operator
       ╰────
      help: an `if` has both branches: `if condition then a else b`
    ");
}

#[test]
fn missing_pipe_between_stages() {
    assert_snapshot!(errors("keys count | run"), @"
    gearc::syntax::unexpected

      × expected `(`, `|` or the end of the line, found `count`
       ╭─[t.gear:1:6]
     1 │ keys count | run
       ·      ──┬──
       ·        ╰── expected `(`, `|` or the end of the line
       ╰────
      help: is a `|` missing before it?
    ");
}

#[test]
fn not_an_item() {
    assert_snapshot!(errors("= 5"), @r#"
    gearc::syntax::unexpected

      × expected a pipeline or an item (`let`, `fn`, `python`, `requirements`),
      │ found `=`
       ╭─[t.gear:1:1]
     1 │ = 5
       · ┬
       · ╰── expected a pipeline or an item (`let`, `fn`, `python`, `requirements`)
       ╰────
      help: a line starts an item: `let NAME = …`, `fn NAME(…) = …`, `python
            """…"""`, `requirements "…"`, or a pipeline like `keys | count | run`
    "#);
}

#[test]
fn bad_lambda_parameters() {
    assert_snapshot!(errors("keys | aggregate(0, |a b| a) | run"), @"
    gearc::syntax::unexpected

      × expected `,` or `|`, found `b`
       ╭─[t.gear:1:24]
     1 │ keys | aggregate(0, |a b| a) | run
       ·                        ┬
       ·                        ╰── expected `,` or `|`
       ╰────
      help: is a `,` missing before it?
    ");
}

#[test]
fn empty_f_string_expression() {
    assert_snapshot!(errors("let a = f\"{}\""), @r#"
    gearc::syntax::unexpected

      × expected an expression, found `}`
       ╭─[t.gear:1:12]
     1 │ let a = f"{}"
       ·            ┬
       ·            ╰── expected an expression
       ╰────
      help: a value is missing before `}`
    "#);
}

#[test]
fn stray_character() {
    assert_snapshot!(errors("keys | $ | run"), @"
    gearc::syntax::unexpected

      × expected a stage, found `$`
       ╭─[t.gear:1:8]
     1 │ keys | $ | run
       ·        ┬
       ·        ╰── expected a stage
       ╰────
      help: a stage is a name with optional arguments, like `count` or `map(it)`
    ");
}

// ------------------------------------------------------------- properties

#[test]
fn errors_in_several_items_are_all_reported_in_order() {
    let src = "let a = 1 +\nlet b = )\nkeys | map(, ) | run\nlet c = 'x'\nlet d = \"\\q\"";
    assert_eq!(
        codes(src),
        [
            "gearc::syntax::unexpected",
            "gearc::syntax::unmatched_bracket",
            "gearc::syntax::unexpected",
            "gearc::syntax::single_quotes",
            "gearc::syntax::invalid_escape",
        ]
    );
}

#[test]
fn several_errors_in_one_item() {
    let src = r#"let a = ["\q", 99999999999999999999, 1e400, "\u{FFFFFF}"]"#;
    assert_eq!(
        codes(src),
        [
            "gearc::syntax::invalid_escape",
            "gearc::syntax::integer_too_large",
            "gearc::syntax::float_too_large",
            "gearc::syntax::unicode_escape_out_of_range",
        ]
    );
}

/// One source per error kind; each must report exactly that code.
const EVERY_KIND: &[(&str, &str)] = &[
    ("unexpected", "let a = 1 2"),
    ("unterminated_string", "let a = \"x"),
    ("newline_in_string", "let a = \"x\ny\""),
    ("invalid_escape", r#"let a = "\q""#),
    ("invalid_unicode_escape", r#"let a = "\u{}""#),
    ("unicode_escape_out_of_range", r#"let a = "\u{110000}""#),
    ("unterminated_python", "python \"\"\"x"),
    ("integer_too_large", "let a = 99999999999999999999"),
    ("float_too_large", "let a = 1e999"),
    ("unclosed_bracket", "let a = (1"),
    ("unmatched_bracket", "let a = 1)"),
    ("mismatched_bracket", "let a = (1]"),
    ("dangling_pipe", "keys |"),
    ("terminal_not_last", "keys | run | count"),
    ("missing_reader", "run"),
    ("single_quotes", "let a = 'x'"),
    ("assign_in_expression", "let a = b = c"),
    ("unclosed_fstring_brace", "let a = f\"{x\""),
    ("lone_fstring_brace", "let a = f\"}\""),
];

#[test]
fn each_kind_has_its_own_stable_code() {
    let mut seen = std::collections::HashSet::new();
    for (kind, src) in EVERY_KIND {
        let expected = format!("gearc::syntax::{kind}");
        assert_eq!(codes(src), std::slice::from_ref(&expected), "{src:?}");
        assert!(seen.insert(expected), "{kind} twice");
    }
    let deep = format!("let a = {}1", "-".repeat(500));
    assert_eq!(codes(&deep), ["gearc::syntax::too_deep"]);
}

#[test]
fn every_error_has_help_and_no_rule_names() {
    use miette::Diagnostic;
    let rule_names = [
        "pratt_expr",
        "call_args",
        "op_",
        "kw_",
        "stage_name",
        "EOI",
        "fstr_",
        "str_body",
    ];
    for (_, src) in EVERY_KIND {
        let rendered = errors(src);
        for name in rule_names {
            assert!(
                !rendered.contains(name),
                "{src:?} shows {name}:\n{rendered}"
            );
        }
        for e in gearc::syntax::parse(src).expect_err("error") {
            assert!(e.help().is_some(), "{src:?}: {e:?} has no help");
        }
    }
}

#[test]
fn operators_from_other_languages() {
    assert_snapshot!(errors("keys | filter(a && b) | run"), @"
    gearc::syntax::unexpected

      × expected `)`, `,` or an operator, found `&&`
       ╭─[t.gear:1:17]
     1 │ keys | filter(a && b) | run
       ·                 ─┬
       ·                  ╰── expected `)`, `,` or an operator
       ╰────
      help: Gear spells this operator `and`
    ");
    assert_snapshot!(errors("let a = !b"), @"
    gearc::syntax::unexpected

      × expected an expression, found `!`
       ╭─[t.gear:1:9]
     1 │ let a = !b
       ·         ┬
       ·         ╰── expected an expression
       ╰────
      help: Gear spells this operator `not`
    ");
}

#[test]
fn a_comment_sign_inside_f_string_braces_is_not_a_comment() {
    assert_snapshot!(errors("let a = f\"{b # c}\""), @r#"
    gearc::syntax::unexpected

      × expected `}` or an operator, found `#`
       ╭─[t.gear:1:14]
     1 │ let a = f"{b # c}"
       ·              ┬
       ·              ╰── expected `}` or an operator
       ╰────
      help: write `}` or an operator here
    "#);
}

#[test]
fn python_habits_get_the_gear_spelling_wherever_they_stand() {
    let cases = [
        (
            "keys | map(lambda r: r) | run",
            "Gear writes a lambda `|x| …`",
        ),
        ("let f = lambda: 1", "Gear writes a lambda `|x| …`"),
        ("keys | map(1 if true else 2) | run", "`if c then a else b`"),
        (
            "let xs = [x * 2 for x in [1, 2]]",
            "Gear has no comprehensions",
        ),
        (
            "let d = {k: 1 for k in [\"a\"]}",
            "Gear has no comprehensions",
        ),
        (
            "keys | filter(value is not none) | run",
            "Gear compares with `==` and `!=`",
        ),
        ("keys | count | run // every key", "comments start with `#`"),
        ("// a note\nkeys | count | run", "comments start with `#`"),
        (
            "keys | map(f\"{key:>10}\") | run",
            "Gear f-strings take no format spec",
        ),
    ];
    for (src, help) in cases {
        let rendered = errors(src);
        assert!(rendered.contains(help), "{src}:\n{rendered}");
        assert_eq!(codes(src), ["gearc::syntax::unexpected"], "{src}");
    }
}

#[test]
fn what_looks_like_a_python_habit_but_is_gear_still_parses() {
    // Floor division, dict literals, f-strings, `if … then … else` and a name that
    // only starts like `lambda` are all Gear.
    for src in [
        "keys | map(len(key) // 2) | run",
        "let d = {\"a\": 1, \"b\": 2}",
        "keys | map(f\"{key}: {len(key)}\") | run",
        "keys | map(if len(key) > 3 then 1 else 0) | run",
        "let lambdas = 1\nlet y = lambdas + 1",
    ] {
        assert!(gearc::syntax::parse(src).is_ok(), "{src} should parse");
    }
}
