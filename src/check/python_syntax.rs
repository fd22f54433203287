//! A `python """…"""` block is copied into the module as it is, so a syntax error in it
//! makes RedisGears reject the whole module, and syntax newer than Python 3.7 (the
//! interpreter RedisGears 1.2 embeds) fails there too. The block is parsed here with
//! Ruff's Python parser, told to target 3.7: it reports both kinds, and `gearc check`
//! needs no python3 for it.

use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{InterpolatedStringElement, PythonVersion};
use ruff_python_parser::{Mode, ParseOptions, UnsupportedSyntaxErrorKind};
use ruff_text_size::TextRange;

/// One problem in a block, at a byte range of the dedented code.
#[derive(Clone, Debug, PartialEq)]
pub struct PythonProblem {
    pub message: String,
    pub range: (usize, usize),
    /// Syntax that Python 3.7 does not have, with how to write it for 3.7.
    pub too_new: Option<&'static str>,
}

/// The syntax errors of `code`, and what it uses that Python 3.7 lacks, in source order.
pub fn problems(code: &str) -> Vec<PythonProblem> {
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY37);
    let parsed = ruff_python_parser::parse_unchecked(code, options);
    let mut out: Vec<PythonProblem> = parsed
        .errors()
        .iter()
        .map(|e| PythonProblem {
            message: e.error.to_string(),
            range: range(e.location),
            too_new: None,
        })
        .collect();
    if out.is_empty() {
        out.extend(
            parsed
                .unsupported_syntax_errors()
                .iter()
                .map(|e| PythonProblem {
                    message: e.to_string(),
                    range: range(e.range),
                    too_new: Some(how_in_37(&e.kind)),
                }),
        );
        let mut debug = DebugSpecifiers::default();
        debug.visit_mod(parsed.syntax());
        out.extend(debug.found);
    }
    out.sort_by_key(|p| p.range);
    out
}

fn range(r: TextRange) -> (usize, usize) {
    (r.start().to_usize(), r.end().to_usize())
}

fn how_in_37(kind: &UnsupportedSyntaxErrorKind) -> &'static str {
    use UnsupportedSyntaxErrorKind as K;
    match kind {
        K::Walrus | K::UnparenthesizedNamedExpr(_) => {
            "assign the value on a line of its own, then use the name"
        }
        K::PositionalOnlyParameter => "drop the `/`: parameters are positional or keyword in 3.7",
        K::Match => "use `if`/`elif` chains",
        K::Pep701FString(_) => {
            "inside an f-string's braces, use the other kind of quote, no backslash, no comment and no line break"
        }
        K::ParenthesizedContextManager => {
            "write one `with` per context manager, or end the lines with `\\`"
        }
        K::RelaxedDecorator(_) => "assign the decorator to a name first, then `@name`",
        K::StarTuple(_) => "parenthesize the tuple: `return (*a, *b)`",
        _ => "RedisGears 1.2 runs CPython 3.7: write it as Python 3.7 does",
    }
}

/// `f"{x=}"` (Python 3.8), which the parser accepts at any target version.
#[derive(Default)]
struct DebugSpecifiers {
    found: Vec<PythonProblem>,
}

impl<'a> SourceOrderVisitor<'a> for DebugSpecifiers {
    fn visit_interpolated_string_element(&mut self, element: &'a InterpolatedStringElement) {
        if let InterpolatedStringElement::Interpolation(i) = element {
            if i.debug_text.is_some() {
                self.found.push(PythonProblem {
                    message: "Cannot use `=` in an f-string replacement field on Python 3.7 (syntax was added in Python 3.8)".to_string(),
                    range: range(i.range),
                    too_new: Some("write the name out: `f\"x={x!r}\"`"),
                });
            }
        }
        source_order::walk_interpolated_string_element(self, element);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(code: &str) -> Vec<(String, (usize, usize), bool)> {
        problems(code)
            .into_iter()
            .map(|p| (p.message, p.range, p.too_new.is_some()))
            .collect()
    }

    #[test]
    fn valid_python_37_has_no_problems() {
        let code = "import json\ndef f(a, b=1, *rest, k=2, **kw):\n    return f\"{a!r:>10}\" + json.dumps(rest)\nasync def g():\n    await h()\n";
        assert_eq!(messages(code), []);
    }

    #[test]
    fn a_syntax_error_is_found_at_its_offset() {
        let found = messages("def f(x):\n    return (x +\n");
        assert!(!found.is_empty());
        assert!(!found[0].2, "a syntax error, not a version problem");
    }

    #[test]
    fn syntax_newer_than_37_is_found_at_its_span() {
        let cases = [
            ("if (n := 1):\n    pass\n", "n := 1"),
            ("def f(a, /, b):\n    pass\n", "/"),
            ("match x:\n    case 1:\n        pass\n", "match"),
            ("print(f\"{x=}\")\n", "x="),
        ];
        for (code, at) in cases {
            let found = problems(code);
            assert_eq!(found.len(), 1, "{code}: {found:?}");
            let (start, end) = found[0].range;
            assert!(
                code[start..end].contains(at),
                "{code}: {:?}",
                &code[start..end]
            );
            assert!(found[0].too_new.is_some());
        }
    }
}
