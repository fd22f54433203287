//! A `python """…"""` block is copied into the module as it is, so a syntax error in it
//! makes RedisGears reject the whole module, and syntax newer than Python 3.7 (the
//! interpreter RedisGears 1.2 embeds) fails there too. The block is parsed here with
//! Ruff's Python parser, told to target 3.7: it reports both kinds, and `gearc check`
//! needs no python3 for it.

use std::collections::HashSet;

use ruff_python_ast::statement_visitor::{self, StatementVisitor};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{
    self as ast, ExceptHandler, Expr, InterpolatedStringElement, PythonVersion, Stmt,
};
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

/// What the parser finds in a block.
#[derive(Debug, Default)]
pub struct Scan {
    /// Its syntax errors, and what it uses that Python 3.7 lacks, in source order.
    pub problems: Vec<PythonProblem>,
    /// Every name it binds at module level, in the order they first appear: its
    /// `def`s and classes, its imports, the targets of its assignments, `for` loops,
    /// `with … as` and `except … as` (inside `if`, `try`, loops and `with` as well),
    /// and the names its functions declare `global`. The module is one namespace: a
    /// `let` or `fn` of the same name would rebind any of them. Each with the byte range
    /// of its first binding.
    pub module_names: Vec<(String, (usize, usize))>,
}

/// Parses `code` once for its [`Scan`].
pub fn scan(code: &str) -> Scan {
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY37);
    let parsed = ruff_python_parser::parse_unchecked(code, options);
    let mut names = ModuleNames::default();
    if let Some(module) = parsed.syntax().as_module() {
        names.visit_body(&module.body);
    }
    Scan {
        problems: problems_of(&parsed),
        module_names: names.found,
    }
}

fn problems_of(parsed: &ruff_python_parser::Parsed<ruff_python_ast::Mod>) -> Vec<PythonProblem> {
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

/// Collects the names a module binds (see [`Scan::module_names`]).
#[derive(Default)]
struct ModuleNames {
    found: Vec<(String, (usize, usize))>,
    /// The names in `found` (a block may bind tens of thousands).
    seen: HashSet<String>,
    /// How many `def`s and classes the statement is inside: their own bindings are
    /// theirs, but for the names they declare `global`.
    depth: usize,
}

impl ModuleNames {
    fn add(&mut self, name: &str, at: TextRange) {
        if !self.seen.contains(name) {
            self.seen.insert(name.to_string());
            self.found.push((name.to_string(), range(at)));
        }
    }

    fn add_identifier(&mut self, name: &ast::Identifier) {
        self.add(name.as_str(), name.range);
    }

    /// The names an assignment to `target` binds: `a`, `a, (b, *c)`, `[a, b]`; not
    /// `a.b` or `a[0]`, which bind nothing.
    fn target(&mut self, target: &Expr) {
        match target {
            Expr::Name(n) => self.add(n.id.as_str(), n.range),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.target(e)),
            Expr::Starred(s) => self.target(&s.value),
            _ => {}
        }
    }
}

impl<'a> StatementVisitor<'a> for ModuleNames {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Global(g) => g.names.iter().for_each(|n| self.add_identifier(n)),
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
            | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                if self.depth == 0 {
                    self.add_identifier(name);
                }
                self.depth += 1;
                statement_visitor::walk_stmt(self, stmt);
                self.depth -= 1;
                return;
            }
            _ if self.depth > 0 => {}
            // `import a.b` binds `a`.
            Stmt::Import(i) => i.names.iter().for_each(|a| match &a.asname {
                Some(asname) => self.add_identifier(asname),
                None => {
                    let first = a.name.as_str().split('.').next().unwrap_or_default();
                    self.add(first, a.name.range);
                }
            }),
            Stmt::ImportFrom(i) => i.names.iter().for_each(|a| match &a.asname {
                Some(asname) => self.add_identifier(asname),
                None if a.name.as_str() != "*" => self.add_identifier(&a.name),
                None => {}
            }),
            Stmt::Assign(a) => a.targets.iter().for_each(|t| self.target(t)),
            Stmt::AugAssign(a) => self.target(&a.target),
            Stmt::AnnAssign(a) => self.target(&a.target),
            Stmt::For(f) => self.target(&f.target),
            Stmt::With(w) => w
                .items
                .iter()
                .filter_map(|item| item.optional_vars.as_deref())
                .for_each(|v| self.target(v)),
            _ => {}
        }
        statement_visitor::walk_stmt(self, stmt);
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(h) = handler;
        if let (0, Some(name)) = (self.depth, &h.name) {
            self.add_identifier(name);
        }
        statement_visitor::walk_except_handler(self, handler);
    }
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
        scan(code)
            .problems
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
            let found = scan(code).problems;
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

    #[test]
    fn every_name_the_module_binds_is_found_once_where_it_is_first_bound() {
        let code = concat!(
            "import os.path, json as j\n",
            "from collections import OrderedDict, defaultdict as dd\n",
            "from typing import *\n",
            "class Point:\n",
            "    inner = 1\n",
            "@decorated\n",
            "def f(a):\n",
            "    local = a\n",
            "    global COUNTER\n",
            "    def nested(): pass\n",
            "    return local\n",
            "a, (b, *c) = [1], [d] = 2, 3\n",
            "x.attr = y[0] = 1\n",
            "e: int = 1\n",
            "e += 1\n",
            "for i, k in []:\n",
            "    in_loop = 1\n",
            "if True:\n",
            "    import time\n",
            "try:\n",
            "    pass\n",
            "except Exception as err:\n",
            "    pass\n",
            "with open(p) as fh, open(q):\n",
            "    pass\n",
            "squares = [n * n for n in range(3)]\n",
        );
        let found = scan(code).module_names;
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "os",
                "j",
                "OrderedDict",
                "dd",
                "Point",
                "f",
                "COUNTER",
                "a",
                "b",
                "c",
                "d",
                "e",
                "i",
                "k",
                "in_loop",
                "time",
                "err",
                "fh",
                "squares",
            ]
        );
        for (name, (start, end)) in &found {
            let at = &code[*start..*end];
            assert!(at.starts_with(name.as_str()), "{name} at {at:?}");
        }
    }
}
