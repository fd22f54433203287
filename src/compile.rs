//! The library API: a `.gear` source in, the Python module and what the compiler
//! knows about each pipeline out, or every diagnostic.

use crate::check;
use crate::diagnostics::Diagnostic;
use crate::ir::Type;
use crate::ir::{self, EmptyResult};
use crate::lower::{self, LineMap};
use crate::syntax::{self, ast, span::LineIndex, Span};

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
    compile_keeping(source, file).0
}

/// What the stages made on their way to a result: the AST and the typed IR.
///
/// A process about to exit need not free them: for a large file, freeing them costs
/// a tenth of the whole run. [`compile_keeping`] and [`check_keeping`] hand them over
/// so that the command line can `std::mem::forget` them.
#[derive(Default)]
pub struct Stages {
    pub ast: Option<ast::Module>,
    pub ir: Option<ir::Program>,
}

/// [`compile`], also handing over what the stages made.
pub fn compile_keeping(source: &str, file: &str) -> (Result<Compiled, Vec<Diagnostic>>, Stages) {
    compile_keeping_with(source, file, lower::Options::default())
}

/// [`compile`] with lowering [`lower::Options`] (e.g. typed records of registrations for
/// `gearc run --local --watch`).
pub fn compile_with(
    source: &str,
    file: &str,
    options: lower::Options,
) -> Result<Compiled, Vec<Diagnostic>> {
    compile_keeping_with(source, file, options).0
}

fn compile_keeping_with(
    source: &str,
    file: &str,
    options: lower::Options,
) -> (Result<Compiled, Vec<Diagnostic>>, Stages) {
    let (checked, mut stages) = check_keeping(source);
    let (program, warnings) = match (checked, stages.ir.take()) {
        (Ok(warnings), Some(program)) => (program, warnings),
        (Ok(diagnostics) | Err(diagnostics), _) => return (Err(diagnostics), stages),
    };
    let lowered = lower::lower_with(&program, file, &LineIndex::new(source), options);
    let pipelines = program
        .pipelines
        .iter()
        .zip(&lowered.pipeline_lines)
        .map(|(p, lines)| PipelineInfo {
            terminal: p.terminal.kind(),
            reader: p.reader.gears_name(),
            result: p.result.clone(),
            sorted: p.is_sorted(),
            empty_result: match &p.terminal.action {
                ir::Action::Run { empty_result } => empty_result.clone(),
                ir::Action::Register(_) => None,
            },
            span: p.span,
            python_lines: *lines,
            stream_key: stream_run_key(p),
        })
        .collect();
    let compiled = Compiled {
        python: lowered.python,
        requirements: program.requirements.clone(),
        pipelines,
        line_map: lowered.line_map,
        warnings,
    };
    stages.ir = Some(program);
    (Ok(compiled), stages)
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

/// Stages 1 and 2 only, what `gearc check` needs: `Ok` with the warnings when the file
/// compiles, else every diagnostic; and what the stages made (the IR when it checks).
pub fn check_keeping(source: &str) -> (Result<Vec<Diagnostic>, Vec<Diagnostic>>, Stages) {
    let module = match source_to_ast(source) {
        Ok(module) => module,
        Err(diagnostics) => return (Err(diagnostics), Stages::default()),
    };
    let checked = ast_to_ir(&module);
    let mut stages = Stages {
        ast: Some(module),
        ir: None,
    };
    match checked {
        Ok((program, warnings)) => {
            stages.ir = Some(program);
            (Ok(warnings), stages)
        }
        Err(diagnostics) => (Err(diagnostics), stages),
    }
}
