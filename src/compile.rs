//! The library API: a `.gear` source in, the Python module and what the compiler
//! knows about each pipeline out, or every diagnostic.

use std::collections::VecDeque;

use crate::check::{self, CheckedItem, Checker, FnBody};
use crate::diagnostics::Diagnostic;
use crate::ir::Type;
use crate::ir::{self, EmptyResult};
use crate::lower::{self, LineMap, ModuleWriter};
use crate::syntax::span::{LineIndex, Lines};
use crate::syntax::{self, ast, first_word, fn_head, let_name, Items, Span, SyntaxError};

pub use crate::ir::TerminalKind;

/// A successful compilation.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The module, exactly as `gearc compile` prints it and `gearc run` submits it.
    pub python: String,
    /// pip specifiers for `RG.PYEXECUTE … REQUIREMENTS`.
    pub requirements: Vec<String>,
    pub pipelines: Vec<PipelineInfo>,
    /// Python line → `.gear` span, to map server tracebacks back to the source.
    pub line_map: LineMap,
    /// Warnings (compilation succeeded despite them).
    pub warnings: Vec<Diagnostic>,
}

/// What the compiler knows about one pipeline.
#[derive(Clone, Debug)]
pub struct PipelineInfo {
    pub terminal: TerminalKind,
    /// The RedisGears reader name, e.g. `KeysReader`.
    pub reader: &'static str,
    /// The type of each result record.
    pub result: Type,
    /// The results come in the order a `sort` gave them (print them as they come).
    pub sorted: bool,
    /// What to print when RedisGears returns no record (`count` → 0, `aggregate` → its zero).
    pub empty_result: Option<EmptyResult>,
    pub span: Span,
    /// First and last Python line of the pipeline's statement (1-based).
    pub python_lines: (usize, usize),
    /// The key a `stream` run reads, when the program spells it as a literal.
    pub stream_key: Option<String>,
}

impl Compiled {
    /// The `run` pipeline, if the file has one.
    pub fn run_pipeline(&self) -> Option<&PipelineInfo> {
        self.pipelines
            .iter()
            .find(|p| p.terminal == TerminalKind::Run)
    }
}

/// Stage 1: parse.
pub fn source_to_ast(source: &str) -> Result<ast::Module, Vec<Diagnostic>> {
    syntax::parse(source).map_err(|errs| errs.into_iter().map(Diagnostic::from).collect())
}

/// Stage 2: check. Returns the program and its warnings, or every diagnostic.
pub fn ast_to_ir(module: &ast::Module) -> Result<(ir::Program, Vec<Diagnostic>), Vec<Diagnostic>> {
    let checked = check::check(module);
    let diagnostics: Vec<Diagnostic> = checked
        .diagnostics
        .into_iter()
        .map(Diagnostic::from)
        .collect();
    match checked.program {
        Some(program) => Ok((program, diagnostics)),
        None => Err(diagnostics),
    }
}

/// Stage 3: lower. `file` names the source in the module's comments.
pub fn ir_to_python(program: &ir::Program, file: &str, source: &str) -> lower::Lowered {
    lower::lower(program, file, &LineIndex::new(source))
}

/// All three stages.
pub fn compile(source: &str, file: &str) -> Result<Compiled, Vec<Diagnostic>> {
    compile_with(source, file, lower::Options::default())
}

/// [`compile`] with lowering [`lower::Options`] (e.g. typed records of registrations for
/// `gearc run --local --watch`).
pub fn compile_with(
    source: &str,
    file: &str,
    options: lower::Options,
) -> Result<Compiled, Vec<Diagnostic>> {
    let lines = Lines::new(source);
    let mut pipelines = Vec::new();
    let (writer, finished) = lower_items(
        source,
        |globals| ModuleWriter::new(globals, file, &lines, options),
        |p| pipelines.push(pipeline_info(p)),
    )?;
    let lowered = writer.finish(&finished.requirements);
    for (info, lines) in pipelines.iter_mut().zip(&lowered.pipeline_lines) {
        info.python_lines = *lines;
    }
    Ok(Compiled {
        python: lowered.python,
        requirements: finished.requirements,
        pipelines,
        line_map: lowered.line_map,
        warnings: finished.warnings,
    })
}

/// The module alone, and the warnings: what `gearc compile` writes. [`compile`] also
/// records each pipeline and the `.gear` span of each Python line, which `gearc
/// compile` would hold for nothing (a large file has thousands of both).
pub fn compile_python(
    source: &str,
    file: &str,
) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let lines = Lines::new(source);
    let (writer, finished) = lower_items(
        source,
        |globals| {
            ModuleWriter::new(globals, file, &lines, lower::Options::default()).without_line_map()
        },
        |_| {},
    )?;
    let lowered = writer.finish(&finished.requirements);
    Ok((lowered.python, finished.warnings))
}

/// [`compile_python`] writing the module to what `open` gives, once the file has
/// compiled (nothing is opened when it has errors): the pipelines go to a temporary
/// file while they are lowered, so that the module is never whole in memory.
/// `Ok` with the warnings and whether writing worked, else every diagnostic.
pub fn compile_python_to(
    source: &str,
    file: &str,
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn std::io::Write>>,
) -> Result<(Vec<Diagnostic>, std::io::Result<()>), Vec<Diagnostic>> {
    let lines = Lines::new(source);
    let (writer, finished) = lower_items(
        source,
        |globals| {
            ModuleWriter::new(globals, file, &lines, lower::Options::default())
                .without_line_map()
                .spilling()
        },
        |_| {},
    )?;
    use std::io::Write as _;
    let written = open().and_then(|mut dest| {
        writer.finish_to(&finished.requirements, &mut *dest)?;
        dest.flush()
    });
    Ok((finished.warnings, written))
}

/// Stages 1 to 3 item by item: each item of `source` is parsed, checked and lowered into
/// the writer `make` builds from the file's globals before the next item is parsed, and
/// `seen` is shown each pipeline first. The writer is returned to be finished.
fn lower_items<'a>(
    source: &str,
    make: impl FnOnce(lower::Globals) -> ModuleWriter<'a>,
    mut seen: impl FnMut(&ir::Pipeline),
) -> Result<(ModuleWriter<'a>, Passed), Vec<Diagnostic>> {
    let items = Items::new(source);
    ItemPass::over(&items, |pass, parse| {
        let mut writer = make(std::mem::take(&mut pass.globals));
        let finished = pass.run(parse, &mut |checked| match checked {
            CheckedItem::Definition(d) => writer.definition(&d),
            CheckedItem::Pipeline(p) => {
                seen(&p);
                writer.pipeline(&p);
            }
        })?;
        Ok((writer, finished))
    })
}

/// Stages 1 and 2 only, what `gearc check` needs: `Ok` with the warnings when the file
/// compiles, else every diagnostic.
pub fn check(source: &str) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let items = Items::new(source);
    ItemPass::over(&items, |pass, parse| {
        Ok(pass.run(parse, &mut |_| {})?.warnings)
    })
}

/// What the compiler knows about a pipeline, but the Python lines it is written on.
fn pipeline_info(p: &ir::Pipeline) -> PipelineInfo {
    PipelineInfo {
        terminal: p.terminal.kind(),
        reader: p.reader.gears_name(),
        result: p.result.clone(),
        sorted: p.is_sorted(),
        empty_result: match &p.terminal.action {
            ir::Action::Run { empty_result } => empty_result.clone(),
            ir::Action::Register(_) => None,
        },
        span: p.span,
        python_lines: (0, 0),
        stream_key: stream_run_key(p),
    }
}

/// The literal key of a `stream` run (`stream("events") | … | run`).
fn stream_run_key(p: &ir::Pipeline) -> Option<String> {
    match (&p.reader, &p.terminal.action) {
        (
            ir::Reader::Stream {
                pattern: Some(key), ..
            },
            ir::Action::Run { .. },
        ) => match &key.kind {
            ir::TExprKind::Str(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A file compiled one item at a time: parsed, checked and handed on (to be lowered)
/// before the next item is parsed, so that only one item's syntax tree and IR are
/// alive at once and memory stays a small multiple of the source.
///
/// A pipeline or a `fn` may use a global defined further down, so a first pass
/// declares every global: a `let`'s name, and a `fn`'s name and parameters, are read
/// off their first words ([`syntax::fn_head`]); Python blocks, pipelines that start
/// with the `python` reader, and `fn`s of another form are parsed. A `fn` is declared
/// by its item's position (`FnBody::Item`): the checker reads its parameters and
/// parses its body again from the items when a call needs them (a tree is about ten
/// times its text), and the second pass parses it where it stands; the other items
/// parsed first are kept for the second pass. The diagnostics are those of the
/// whole-file stages: only syntax errors when there is one, else every check
/// diagnostic, in source order.
struct ItemPass<'p, 's> {
    items: &'p Items<'s>,
    checker: Checker<'p>,
    /// The items the first pass parsed (Python blocks, `python` pipelines, `fn`s of
    /// another form), in order, until the second pass takes them; boxed, as they are
    /// few and an item is large.
    parsed: VecDeque<(usize, Box<syntax::ParsedItem>)>,
    /// The names the lowering must know before the first item.
    globals: lower::Globals,
}

/// What a pass that succeeded found.
struct Passed {
    requirements: Vec<String>,
    warnings: Vec<Diagnostic>,
}

/// Parses item `i` for the second pass (the items the first pass did not parse, in
/// order; see [`syntax::parse_ahead`]).
type ParseItem<'f> = &'f mut dyn FnMut(usize) -> syntax::ParsedItem;

impl<'p, 's> ItemPass<'p, 's> {
    /// Runs `body` on the first pass over `items`, with a function that parses the items
    /// the second pass parses. Both passes parse their items through
    /// [`syntax::parse_ahead`], in the order they take them: the first pass's, then the
    /// second's.
    fn over<T>(items: &'p Items<'s>, body: impl FnOnce(&mut Self, ParseItem) -> T) -> T {
        // The first pass parses the `fn`s and Python items; the second parses every item
        // but the Python ones, which it takes from the first.
        let first: Vec<bool> = (0..items.len()).map(|i| parsed_first(items, i)).collect();
        let mut order = Vec::with_capacity(items.len());
        order.extend((0..items.len()).filter(|&i| first[i]));
        order.extend((0..items.len()).filter(|&i| !first[i]));
        drop(first);
        syntax::parse_ahead(items, &order, |parse| {
            let mut pass = ItemPass::new(items, parse);
            body(&mut pass, parse)
        })
    }

    fn new(items: &'p Items<'s>, parse: ParseItem) -> Self {
        let mut checker = Checker::over(items);
        let (mut lets, mut fns) = (0, 0);
        for i in 0..items.len() {
            match first_word(items.source_of(i)) {
                "let" => lets += 1,
                "fn" => fns += 1,
                _ => {}
            }
        }
        checker.reserve(lets + fns, fns);
        let mut parsed = VecDeque::new();
        let mut globals = lower::Globals::default();
        for i in 0..items.len() {
            let word = first_word(items.source_of(i));
            match word {
                "let" => {
                    if let Some((name, at)) = let_name(&items.text(i)) {
                        let start = items.start(i) + at;
                        checker.declare_let(i, name, Span::new(start, start + name.len()));
                        globals.user.push(name.to_string());
                    }
                }
                "fn" | "python" => {
                    // A `fn` whose head reads is parsed where it stands, in the second pass.
                    if word == "fn" {
                        let text = items.text(i);
                        if let Some((name, params)) = fn_head(&text, items.start(i)) {
                            let body = FnBody::Item {
                                item: i,
                                params: params.len(),
                            };
                            checker.declare_fn(i, &name, body);
                            globals.user.push(name.name);
                            continue;
                        }
                    }
                    let item = parse(i);
                    if let Ok(item) = &item {
                        checker.declare_item(i, item);
                        match &item.kind {
                            ast::ItemKind::Python { .. } => {
                                let names = checker.python_module_names(i);
                                globals.python.extend(names.map(str::to_string));
                            }
                            ast::ItemKind::Fn { name, .. } => globals.user.push(name.name.clone()),
                            _ => {}
                        }
                    }
                    parsed.push_back((i, Box::new(item)));
                }
                _ => {}
            }
        }
        ItemPass {
            items,
            checker,
            parsed,
            globals,
        }
    }

    /// Parses and checks every item, handing each checked item to `out` while the file
    /// has no error; every diagnostic when it has one.
    fn run(
        &mut self,
        parse: ParseItem,
        out: &mut dyn FnMut(CheckedItem),
    ) -> Result<Passed, Vec<Diagnostic>> {
        let mut syntax_errors: Vec<SyntaxError> = Vec::new();
        // What the checker makes of one item.
        let mut checked = Vec::new();
        for i in 0..self.items.len() {
            let item = match self.parsed.pop_front_if(|(at, _)| *at == i) {
                Some((_, item)) => *item,
                None => parse(i),
            };
            let item = match item {
                Ok(item) => item,
                Err(mut errors) => {
                    syntax_errors.append(&mut errors);
                    continue;
                }
            };
            // Once an item has a syntax error, only syntax errors are reported.
            if !syntax_errors.is_empty() {
                continue;
            }
            self.checker.item(i, &item, &mut |c| checked.push(c));
            self.hand_over(&mut checked, out);
        }
        if !syntax_errors.is_empty() {
            syntax_errors.sort_by_key(|e| (e.span().start, e.span().end));
            return Err(syntax_errors.into_iter().map(Diagnostic::from).collect());
        }
        let checker = std::mem::take(&mut self.checker);
        let finished = checker.finish(&mut |c| checked.push(c));
        if !finished.failed {
            for c in checked {
                out(c);
            }
        }
        let diagnostics = finished
            .diagnostics
            .into_iter()
            .map(Diagnostic::from)
            .collect();
        if finished.failed {
            return Err(diagnostics);
        }
        Ok(Passed {
            requirements: finished.requirements,
            warnings: diagnostics,
        })
    }
}

impl ItemPass<'_, '_> {
    /// Hands what the checker made of an item on to `out`, while the file has no
    /// error (an IR with errors in it is not meant to be lowered).
    fn hand_over(&self, checked: &mut Vec<CheckedItem>, out: &mut dyn FnMut(CheckedItem)) {
        let keep = !self.checker.failed();
        for c in checked.drain(..) {
            if keep {
                out(c);
            }
        }
    }
}

/// Whether the first pass parses item `i`: Python blocks and pipelines that start with
/// the `python` reader, and the `fn` items whose head [`fn_head`] cannot read.
fn parsed_first(items: &Items, i: usize) -> bool {
    match first_word(items.source_of(i)) {
        "python" => true,
        "fn" => fn_head(&items.text(i), items.start(i)).is_none(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.gear` files of the repository: examples, error corpus, run corpus.
    fn corpus() -> Vec<(String, String)> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = Vec::new();
        for dir in ["examples", "tests/errors", "tests/run"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).expect("corpus folder") {
                let path = entry.expect("entry").path();
                if path.extension().is_some_and(|e| e == "gear") {
                    let text = std::fs::read_to_string(&path).expect("read");
                    files.push((path.display().to_string(), text));
                }
            }
        }
        assert!(files.len() > 100, "the corpus is there: {}", files.len());
        // What the first pass reads off items without parsing them, and what it must
        // leave to the parser.
        let cases = [
            "let\tA = B\nlet  B = 1\nkeys(\"x\") | map(A + twice(B)) | run\nfn twice(x) = x * A\n",
            "let A = 1\nlet A = 2\nkeys(\"x\") | map(A) | run\n",
            "let if = 1\nkeys(\"x\") | run\n",
            "let = 1\nfn f( = 2\nkeys(\"x\") | run\n",
            "fn f(x) = g(x)\nfn g(x) = x\nfn f(y) = y\nkeys(\"x\") | map(f(1)) | run\n",
            "python(gen) | run\npython \"\"\"\ndef gen():\n    yield 1\n\"\"\"\n",
            "keys(\"x\")\nmap(value)\ncount\n| run\nlet A = 1\n",
            "keys(\"x\") | map(value)\nkeys(\"y\") | run\n",
            // `fn` bodies parsed again from their text when a call needs them: with a
            // comment and a line break inside, used above their item with two types, with
            // a syntax error, with a type error, recursive.
            "keys(\"x\") | map([f(1), f(\"a\"), g(2)]) | run\nfn f(x) = [x, # the one\n  x]\nfn g(n) = if n < 1 then 0 else g(n - 1)\n",
            "keys(\"x\") | map(f(1)) | run\nfn f(x) = x +\n",
            "fn f(x) = x + \"a\"\nkeys(\"x\") | map(f(1)) | run\n",
            // Names a Python block binds that the language cannot use: a clash with a
            // `let` or `fn` either side of it, none between two blocks.
            "fn Point(x) = x\npython \"\"\"\nimport json\nclass Point: pass\n\"\"\"\nlet json = 1\nkeys(\"x\") | run\n",
            "python \"\"\"\nimport json\n\"\"\"\npython \"\"\"\nimport json\n\"\"\"\nkeys(\"x\") | run\n",
        ];
        for (i, case) in cases.iter().enumerate() {
            files.push((format!("case {i}"), case.to_string()));
        }
        files
    }

    /// A `let` named like a module a Python block imports rebinds it in the module, unless
    /// it is a name gearc's module uses itself, which the `let` gives up in Python.
    #[test]
    fn a_let_named_like_an_import_clashes_unless_gearc_renames_it() {
        let block = "python \"\"\"\nimport math, time\n\"\"\"\n";
        let clash = compile(&format!("{block}let math = 2\nkeys | run\n"), "t.gear");
        let codes: Vec<String> = clash
            .err()
            .unwrap_or_default()
            .iter()
            .map(|d| d.code_text())
            .collect();
        assert_eq!(codes, ["gearc::check::duplicate_name"]);
        let renamed = compile(
            &format!("{block}let time = 2\nkeys | map(time) | run\n"),
            "t.gear",
        );
        let python = renamed.map(|c| c.python).unwrap_or_default();
        assert!(
            python.contains("time_ = 2") && python.contains("import math, time"),
            "{python}"
        );
    }

    /// The three stages over the whole file, one after the other.
    fn whole_file(source: &str, file: &str) -> Result<(lower::Lowered, Vec<String>), Vec<String>> {
        let show = |d: Vec<Diagnostic>| d.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
        let module = source_to_ast(source).map_err(show)?;
        let (program, warnings) = ast_to_ir(&module).map_err(show)?;
        Ok((ir_to_python(&program, file, source), show(warnings)))
    }

    /// The item-by-item pass gives what the whole-file stages give: the same module,
    /// line map and pipeline lines, or the same diagnostics in the same order.
    #[test]
    fn compiling_item_by_item_is_compiling_the_whole_file() {
        let (mut compiled, mut failed) = (0, 0);
        for (path, source) in corpus() {
            let show = |d: &[Diagnostic]| d.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
            let expected = whole_file(&source, "t.gear");
            match (compile(&source, "t.gear"), expected) {
                (Ok(c), Ok((lowered, warnings))) => {
                    assert_eq!(c.python, lowered.python, "{path}");
                    assert_eq!(c.line_map, lowered.line_map, "{path}");
                    let lines: Vec<_> = c.pipelines.iter().map(|p| p.python_lines).collect();
                    assert_eq!(lines, lowered.pipeline_lines, "{path}");
                    assert_eq!(show(&c.warnings), warnings, "{path}");
                    let (python, warned) = compile_python(&source, "t.gear").expect("compiles");
                    assert_eq!(python, c.python, "{path}");
                    assert_eq!(show(&warned), warnings, "{path}");
                    compiled += 1;
                }
                (Err(d), Err(expected)) => {
                    assert_eq!(show(&d), expected, "{path}");
                    let checked = check(&source).expect_err("fails");
                    assert_eq!(show(&checked), expected, "{path}");
                    failed += 1;
                }
                (got, expected) => panic!(
                    "{path}: item by item {}, whole file {}",
                    if got.is_ok() { "compiles" } else { "fails" },
                    if expected.is_ok() {
                        "compiles"
                    } else {
                        "fails"
                    }
                ),
            }
        }
        assert!(
            compiled > 50 && failed > 50,
            "{compiled} compiled, {failed} failed"
        );
    }
}
