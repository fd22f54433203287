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

use crate::ir::{Definition, Pipeline, Program};
use crate::syntax::span::{LineIndex, Lines};
use crate::syntax::Span;

/// The Python module and where each of its lines comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    pub python: String,
    pub line_map: LineMap,
    /// The 1-based Python line range `(first, last)` of each pipeline, in order (none
    /// when the module is written without its line map).
    pub pipeline_lines: Vec<(usize, usize)>,
}

/// Python line (1-based) → the `.gear` span it was generated from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineMap {
    spans: Vec<LineSpan>,
}

impl LineMap {
    pub fn span(&self, python_line: usize) -> Option<Span> {
        self.spans.get(python_line.checked_sub(1)?)?.span()
    }
}

/// One line's span in eight bytes (an `Option<Span>` takes 24, and a module has a
/// line per 20 bytes of source): offsets as `u32`, `u32::MAX` for a line of no span.
/// gearc reads no file over 10 MiB; a span past 4 GiB is not mapped.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LineSpan {
    start: u32,
    end: u32,
}

impl LineSpan {
    const NONE: LineSpan = LineSpan {
        start: u32::MAX,
        end: u32::MAX,
    };

    fn new(span: Option<Span>) -> Self {
        match span.map(|s| (u32::try_from(s.start), u32::try_from(s.end))) {
            Some((Ok(start), Ok(end))) if start != u32::MAX => LineSpan { start, end },
            _ => LineSpan::NONE,
        }
    }

    fn span(self) -> Option<Span> {
        (self != LineSpan::NONE).then(|| Span::new(self.start as usize, self.end as usize))
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
    /// How many lines `text` has.
    lines: usize,
    /// The names of the functions this text defines so far (also in text already
    /// spilled), recorded as each `def` is written: generated functions get names
    /// not in it.
    defined: HashSet<String>,
    /// Where the text goes once it is long, when the module is written to a file
    /// (`gearc compile`): the module's body is then never whole in memory.
    spill: Option<Spill>,
    /// The span of each line, unless the module is written without its line map.
    spans: Option<Vec<LineSpan>>,
    file: String,
    index: &'a Lines<'a>,
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
        self.end_line(span);
    }

    /// Ends the line being written, which comes from `span`.
    fn end_line(&mut self, span: Option<Span>) {
        self.text.push('\n');
        self.lines += 1;
        if let Some(spans) = &mut self.spans {
            spans.push(LineSpan::new(span));
        }
    }

    /// How many lines are written.
    fn len(&self) -> usize {
        self.lines
    }

    /// Records that the text now defines a function `name`.
    fn define(&mut self, name: &str) {
        self.defined.insert(name.to_string());
    }

    /// Whether the text so far defines a function `name`.
    fn defines(&self, name: &str) -> bool {
        self.defined.contains(name)
    }

    /// Moves the text to the spill file, if there is one and the text is long. Called
    /// between pipelines.
    fn maybe_spill(&mut self) {
        // Small enough that the buffer is a small part of a large file's memory, large
        // enough that the writes stay few.
        const SPILL_AT: usize = 16 << 10;
        if self.text.len() < SPILL_AT || self.spill.is_none() {
            return;
        }
        if let Some(spill) = &mut self.spill {
            spill.write(self.text.as_bytes());
        }
        self.text.clear();
    }

    /// Writes all of the text to `dest`: what went to the temporary file, then the rest.
    fn drain_to(&mut self, dest: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Seek;
        if let Some(mut spill) = self.spill.take() {
            if let Some(e) = spill.error.take() {
                return Err(e);
            }
            spill.file.rewind()?;
            std::io::copy(&mut spill.file, dest)?;
        }
        dest.write_all(std::mem::take(&mut self.text).as_bytes())
    }
}

/// A temporary file that holds the start of the module's definitions or pipelines.
struct Spill {
    file: std::fs::File,
    error: Option<std::io::Error>,
}

impl Spill {
    fn write(&mut self, bytes: &[u8]) {
        use std::io::Write;
        if self.error.is_none() {
            if let Err(e) = self.file.write_all(bytes) {
                self.error = Some(e);
            }
        }
    }
}

pub(crate) struct Lowerer<'a> {
    names: Names,
    uses: Uses,
    /// The pipelines, and (while a definition is lowered) the definitions: the module
    /// has every definition before the first pipeline, so each has its own buffer.
    out: Out<'a>,
    /// The definitions while a pipeline is lowered, the pipelines while a definition is.
    other: Out<'a>,
    /// The operation being lowered sees key names standing for `keys(…)` records.
    key_names: bool,
    options: Options,
    /// Each pipeline's lines in `out` (0-based first, exclusive last).
    pipeline_ranges: Vec<(usize, usize)>,
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
    let lines = index.lines();
    let mut writer = ModuleWriter::new(Globals::of(program), file, &lines, options);
    for def in &program.definitions {
        writer.definition(def);
    }
    for p in &program.pipelines {
        writer.pipeline(p);
    }
    writer.finish(&program.requirements)
}

/// The module's global names, known before any item is lowered: the names of the
/// `let`s and `fn`s in source order, and every Python-block name.
#[derive(Default)]
pub struct Globals {
    pub user: Vec<String>,
    pub python: HashSet<String>,
}

impl Globals {
    pub fn of(program: &Program) -> Self {
        let mut globals = Globals::default();
        for def in &program.definitions {
            match def {
                Definition::Const { name, .. } => globals.user.push(name.clone()),
                Definition::Fn { name, .. } => globals.user.push(name.clone()),
                Definition::Python { names, .. } => globals.python.extend(names.iter().cloned()),
            }
        }
        globals
    }
}

/// Writes a module one checked item at a time (definitions and pipelines in any
/// order; the module has the definitions first), then its header in [`ModuleWriter::finish`]:
/// the header says what the body used.
pub struct ModuleWriter<'a> {
    l: Lowerer<'a>,
}

impl<'a> ModuleWriter<'a> {
    /// Takes the globals: the lowering keeps them as the module's Python names.
    pub fn new(globals: Globals, file: &str, lines: &'a Lines<'a>, options: Options) -> Self {
        let out = || Out {
            text: String::new(),
            lines: 0,
            defined: HashSet::new(),
            spill: None,
            spans: Some(Vec::new()),
            file: comment_safe(file),
            index: lines,
        };
        ModuleWriter {
            l: Lowerer {
                names: Names::new(globals.user, globals.python),
                uses: Uses::default(),
                key_names: false,
                options,
                out: out(),
                other: out(),
                pipeline_ranges: Vec::new(),
            },
        }
    }

    /// Writes no [`LineMap`] (an empty one) and no pipeline lines: `gearc compile` needs
    /// neither, and the map takes about 0.4 bytes per byte of source.
    pub fn without_line_map(mut self) -> Self {
        self.l.out.spans = None;
        self.l.other.spans = None;
        self
    }

    /// Writes the definitions and the pipelines to two temporary files as they are
    /// lowered, so that the module is never whole in memory: `gearc compile` writes a
    /// module twice the size of its source. Finish with [`ModuleWriter::finish_to`].
    /// Without a temporary file (none can be made), the module is kept in memory as
    /// [`ModuleWriter::finish`] does.
    pub fn spilling(mut self) -> Self {
        let spill = || {
            tempfile::tempfile()
                .ok()
                .map(|file| Spill { file, error: None })
        };
        self.l.out.spill = spill();
        self.l.other.spill = spill();
        self
    }

    pub fn definition(&mut self, def: &Definition) {
        // Definitions go to their own buffer, which is `out` while they are written.
        std::mem::swap(&mut self.l.out, &mut self.l.other);
        self.l.definition(def);
        std::mem::swap(&mut self.l.out, &mut self.l.other);
        self.l.other.maybe_spill();
    }

    pub fn pipeline(&mut self, p: &Pipeline) {
        let l = &mut self.l;
        l.out.line("", None);
        let first = l.out.len();
        l.pipeline(p);
        // Without a line map (`gearc compile`) nobody asks for them.
        if l.out.spans.is_some() {
            l.pipeline_ranges.push((first, l.out.len()));
        }
        l.out.maybe_spill();
    }

    /// Writes the whole module to `dest`, as [`ModuleWriter::finish`] makes it: the
    /// header, the definitions and the pipelines, each of the last two from its
    /// temporary file and then what is left of it in memory.
    pub fn finish_to(
        mut self,
        requirements: &[String],
        dest: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        for (text, _) in self.l.header(requirements) {
            dest.write_all(text.as_bytes())?;
            dest.write_all(b"\n")?;
        }
        self.l.other.drain_to(dest)?;
        self.l.out.drain_to(dest)
    }

    /// The whole module: the header (which depends on what the body used), the
    /// definitions, the pipelines. The pipelines, most of the module, are not copied
    /// to a new buffer: the rest is inserted before them.
    pub fn finish(self, requirements: &[String]) -> Lowered {
        let mut l = self.l;
        let head = l.header(requirements);
        let defs = std::mem::take(&mut l.other.text);
        let prefix_lines = head.len() + l.other.len();
        let mut prefix = String::with_capacity(
            head.iter().map(|(t, _)| t.len() + 1).sum::<usize>() + defs.len(),
        );
        let mut spans = Vec::with_capacity(prefix_lines);
        for (text, span) in head {
            prefix.push_str(&text);
            prefix.push('\n');
            spans.push(LineSpan::new(span));
        }
        prefix.push_str(&defs);
        drop(defs);
        let mut python = std::mem::take(&mut l.out.text);
        python.reserve_exact(prefix.len());
        python.insert_str(0, &prefix);
        let all_spans = match (l.other.spans.take(), l.out.spans.take()) {
            (Some(mut defs), Some(pipelines)) => {
                spans.append(&mut defs);
                spans.reserve_exact(pipelines.len());
                spans.extend(pipelines);
                spans
            }
            _ => Vec::new(),
        };
        Lowered {
            python,
            line_map: LineMap { spans: all_spans },
            pipeline_lines: l
                .pipeline_ranges
                .iter()
                .map(|&(a, b)| (a + prefix_lines + 1, b + prefix_lines))
                .collect(),
        }
    }
}

impl Lowerer<'_> {
    /// A name for a function gearc writes at module level (called while a pipeline is
    /// lowered): `base` with `_` appended while a global of the file has it, as for a
    /// parameter, then `_2`, `_3`, … while a global or a function written before has
    /// it. Every name tried is checked against the globals, not only `base`: a `let`, a
    /// `fn` or a Python-block name further down the file is not among the functions
    /// written yet, and the module would bind it twice (the later binding wins).
    fn function_name(&self, base: &str) -> String {
        let base = self.names.local(base);
        let mut name = base.clone();
        let mut n = 1;
        // `other` holds the definitions, `out` the pipelines before this one.
        while !self.names.is_free(&name) || self.other.defines(&name) || self.out.defines(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        name
    }

    fn header(&self, requirements: &[String]) -> Vec<(String, Option<Span>)> {
        let mut head = vec![(
            format!(
                "# Generated by gearc {} from {}. Do not edit: change the .gear file and recompile.",
                env!("CARGO_PKG_VERSION"),
                self.out.file
            ),
            None,
        )];
        let requirements = if requirements.is_empty() {
            "none".to_string()
        } else {
            comment_safe(&requirements.join(", "))
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
                let py_name = self.names.global(name).to_string();
                let text = format!("def {py_name}({}): return {body}", params.join(", "));
                self.out.line("", None);
                // Not recorded with `define`: a `fn`'s name is a global, which
                // `function_name` already avoids (`Names::is_free`).
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
                    self.out.end_line(span);
                    for name in python_defs(text) {
                        self.out.define(name);
                    }
                }
            }
        }
    }
}

/// The `NAME` of each `def NAME(` in a line of a Python block, wherever it is (nested,
/// or in a string or a comment too), for [`Out::define`]: the lowering does not parse
/// Python. The checker's `top_level_names` would see fewer (only definitions at column
/// 0), and generated functions would then get other names than they have.
fn python_defs(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("def ").filter_map(|(at, _)| {
        let rest = &line[at + 4..];
        let len = rest
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(rest.len());
        rest[len..].starts_with('(').then(|| &rest[..len])
    })
}

#[cfg(test)]
mod tests {
    /// The module-level names the module binds more than once: `def NAME(` and
    /// `NAME =` at column 0 (definitions, generated functions, Python-block lines).
    pub(super) fn bound_twice(py: &str) -> Vec<&str> {
        let is_name =
            |n: &&str| !n.is_empty() && n.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric());
        let mut seen = std::collections::HashSet::new();
        py.lines()
            .filter_map(|line| match line.strip_prefix("def ") {
                Some(rest) => rest.split('(').next(),
                None => line.split_once(" = ").map(|(name, _)| name),
            })
            .filter(is_name)
            .filter(|n| !seen.insert(*n))
            .collect()
    }
}
