//! Stage 3: typed [`ir::Program`] → one Python module for RedisGears 1.x
//! (language.md section 8), with a map from each Python line to its `.gear` span.

mod batched_delete;
mod expr;
mod fused;
pub mod literal;
mod names;
mod pipeline;
mod reads;

use std::collections::HashSet;

use expr::ExprCtx;
use literal::comment_safe;
use names::Names;

use crate::ir::{Definition, Program};
use crate::syntax::span::LineIndex;
use crate::syntax::Span;

/// The Python module and where each of its lines comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    pub python: String,
    pub line_map: LineMap,
    /// The 1-based Python line range `(first, last)` of each pipeline, in order.
    pub pipeline_lines: Vec<(usize, usize)>,
}

/// Python line (1-based) → the `.gear` span it was generated from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineMap {
    spans: Vec<Option<Span>>,
}

impl LineMap {
    pub fn span(&self, python_line: usize) -> Option<Span> {
        self.spans
            .get(python_line.checked_sub(1)?)
            .copied()
            .flatten()
    }
}

/// Which imports and helpers the module needs.
#[derive(Default)]
struct Uses {
    json: bool,
    json_default: bool,
    copy: bool,
    time: bool,
    pairs: bool,
    id_before: bool,
    gather: bool,
}

/// The module's body, written straight into one buffer, with the `.gear` span of
/// each of its lines.
struct Out<'a> {
    text: String,
    spans: Vec<Option<Span>>,
    file: String,
    index: &'a LineIndex,
}

impl Out<'_> {
    /// Appends `text` ending with `# FILE:LINE:COL` when it comes from `span`.
    fn line(&mut self, text: &str, span: Option<Span>) {
        self.line_parts(&[text], span);
    }

    /// Appends one line made of `parts`, as [`Out::line`] does.
    fn line_parts(&mut self, parts: &[&str], span: Option<Span>) {
        for part in parts {
            self.text.push_str(part);
        }
        if let Some(s) = span {
            use std::fmt::Write;
            let (line, col) = self.index.line_col(s.start);
            let _ = write!(self.text, "  # {}:{line}:{col}", self.file);
        }
        self.text.push('\n');
        self.spans.push(span);
    }

    /// How many lines are written.
    fn len(&self) -> usize {
        self.spans.len()
    }
}

pub(crate) struct Lowerer<'a> {
    names: Names,
    /// Names of Gear `fn`s (their keyword arguments are renamed like their parameters).
    gear_fns: HashSet<&'a str>,
    uses: Uses,
    out: Out<'a>,
    /// The operation being lowered sees key names standing for `keys(…)` records.
    key_names: bool,
    options: Options,
}

/// How a module is lowered beyond what the program says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Register pipelines end with the run's JSON envelope too, so that their records
    /// reach the client typed. Only for `gearc run --local --watch`, which prints the
    /// records of each execution; a deployed registration keeps its records as they
    /// are (`gearc trigger` and applications read them plain).
    pub typed_registrations: bool,
}

/// Lowers a checked program. `file` names the source in comments; `index` locates spans in it.
pub fn lower(program: &Program, file: &str, index: &LineIndex) -> Lowered {
    lower_with(program, file, index, Options::default())
}

/// [`lower`] with [`Options`].
pub fn lower_with(program: &Program, file: &str, index: &LineIndex, options: Options) -> Lowered {
    let mut l = Lowerer {
        names: Names::new(program),
        gear_fns: program
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Fn { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect(),
        uses: Uses::default(),
        key_names: false,
        options,
        out: Out {
            text: String::new(),
            spans: Vec::new(),
            file: comment_safe(file),
            index,
        },
    };
    for def in &program.definitions {
        l.definition(def);
    }
    let mut pipeline_ranges = Vec::new();
    for p in &program.pipelines {
        l.out.line("", None);
        let first = l.out.len();
        l.pipeline(p);
        pipeline_ranges.push((first, l.out.len()));
    }
    // The header depends on what the body used: it is written last, then put first.
    let head = l.header(program);
    let offset = head.len();
    let mut python = String::with_capacity(
        head.iter().map(|(t, _)| t.len() + 1).sum::<usize>() + l.out.text.len(),
    );
    let mut spans = Vec::with_capacity(offset + l.out.len());
    for (text, span) in head {
        python.push_str(&text);
        python.push('\n');
        spans.push(span);
    }
    python.push_str(&l.out.text);
    spans.append(&mut l.out.spans);
    Lowered {
        python,
        line_map: LineMap { spans },
        pipeline_lines: pipeline_ranges
            .into_iter()
            .map(|(a, b)| (a + offset + 1, b + offset))
            .collect(),
    }
}

impl Lowerer<'_> {
    fn header(&self, program: &Program) -> Vec<(String, Option<Span>)> {
        let mut head = vec![(
            format!(
                "# Generated by gearc {} from {}. Do not edit: change the .gear file and recompile.",
                env!("CARGO_PKG_VERSION"),
                self.out.file
            ),
            None,
        )];
        let requirements = if program.requirements.is_empty() {
            "none".to_string()
        } else {
            comment_safe(&program.requirements.join(", "))
        };
        head.push((format!("# Requirements: {requirements}"), None));
        let imports: Vec<&str> = [
            (self.uses.copy, "import copy"),
            (self.uses.json, "import json"),
            (self.uses.time, "import time"),
        ]
        .into_iter()
        .filter_map(|(used, line)| used.then_some(line))
        .collect();
        if !imports.is_empty() {
            head.push((String::new(), None));
            head.extend(imports.into_iter().map(|i| (i.to_string(), None)));
        }
        if self.uses.pairs {
            head.push((String::new(), None));
            head.push(("def gearc_pairs(d):".to_string(), None));
            head.push((
                "    # A dict flattened to [k1, v1, k2, v2, ...], the argument shape of HSET and XADD.".to_string(),
                None,
            ));
            head.push((
                "    return [x for kv in d.items() for x in kv]".to_string(),
                None,
            ));
        }
        if self.uses.json_default {
            head.push((String::new(), None));
            for line in [
                "def gearc_json_default(value):",
                "    # What JSON has no word for: a set travels as a list in sorted order (set order",
                "    # changes from process to process), anything else as its str().",
                "    if isinstance(value, (set, frozenset)):",
                "        try:",
                "            return sorted(value)",
                "        except TypeError:",
                "            return sorted(value, key=repr)",
                "    return str(value)",
            ] {
                head.push((line.to_string(), None));
            }
        }
        if self.uses.gather {
            head.push((String::new(), None));
            for line in [
                "def gearc_gather(acc, records):",
                "    # Records gathered into one list, for a sort with a key (extended in place).",
                "    if acc is None:",
                "        acc = []",
                "    acc.extend(records)",
                "    return acc",
            ] {
                head.push((line.to_string(), None));
            }
        }
        if self.uses.id_before {
            head.push((String::new(), None));
            for line in [
                "def gearc_id_before(first_id):",
                "    # The stream id just before first_id: RedisGears reads the entries after fromId.",
                "    ms, _, seq = str(first_id).partition(\"-\")",
                "    ms, seq = int(ms), int(seq or 0)",
                "    if seq > 0:",
                "        return \"{}-{}\".format(ms, seq - 1)",
                "    if ms > 0:",
                "        return \"{}-{}\".format(ms - 1, 2 ** 64 - 1)",
                "    return \"0-0\"",
            ] {
                head.push((line.to_string(), None));
            }
        }
        head
    }

    fn definition(&mut self, def: &Definition) {
        match def {
            Definition::Const { name, value, span } => {
                let value = self.expr(value, &ExprCtx::default());
                let text = format!("{} = {value}", self.names.global(name));
                self.out.line("", None);
                self.out.line(&text, Some(*span));
            }
            Definition::Fn {
                name,
                params,
                body,
                span,
            } => {
                let params: Vec<String> = params.iter().map(|p| self.names.local(p)).collect();
                let body = self.expr(body, &ExprCtx::default());
                let text = format!(
                    "def {}({}): return {body}",
                    self.names.global(name),
                    params.join(", ")
                );
                self.out.line("", None);
                self.out.line(&text, Some(*span));
            }
            Definition::Python {
                code,
                span,
                code_span,
                ..
            } => {
                self.out.line("", None);
                let (line, col) = self.out.index.line_col(span.start);
                let file = self.out.file.clone();
                self.out
                    .line(&format!("# python block from {file}:{line}:{col}"), None);
                // Verbatim lines cannot carry a comment (one may end inside a string), but
                // the line map still points each of them at its line in the `.gear` file.
                let raw = self.out.index.text(*code_span);
                let skipped = raw.lines().take_while(|l| l.trim().is_empty()).count();
                let first_line = self.out.index.line_col(code_span.start).0 + skipped;
                for (i, text) in code.lines().enumerate() {
                    let span = self.out.index.line_span(first_line + i);
                    self.out.text.push_str(text);
                    self.out.text.push('\n');
                    self.out.spans.push(span);
                }
            }
        }
    }
}
