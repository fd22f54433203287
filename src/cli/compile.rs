use std::path::Path;

use super::args::{CompileArgs, Emit};
use super::input::{self, Source};
use super::{exit, output};
use gearc::diagnostics::{self, Diagnostic};

pub fn compile(args: CompileArgs) -> u8 {
    if let Some(out) = &args.output {
        if same_file(out, &args.file) {
            eprintln!(
                "error: {} is the input; writing the module there would replace your .gear file (choose another -o)",
                out.display()
            );
            return exit::TROUBLE;
        }
    }
    if args.emit == Emit::Python {
        return python_to(&args.file, args.output.as_deref());
    }
    let text = match stage(&args.file, args.emit) {
        Ok(text) => text,
        Err(status) => return status,
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::TROUBLE;
            }
            exit::OK
        }
        None => output::to_stdout(&text),
    }
}

/// The module written to `out`, or to standard output, as it is lowered (it is never
/// whole in memory), with warnings (or errors) on stderr; `out` is created only when the
/// file compiles. A closed standard output (`gearc compile FILE | head`) ends the
/// writing quietly, as for every command that prints.
fn python_to(path: &Path, out: Option<&Path>) -> u8 {
    let source = match read_source(path) {
        Ok(source) => source,
        Err(status) => return status,
    };
    let mut open = || -> std::io::Result<Box<dyn std::io::Write>> {
        Ok(match out {
            Some(out) => Box::new(std::fs::File::create(out)?),
            // Buffered: standard output alone would write line by line.
            None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        })
    };
    let compiled = gearc::compile::compile_python_to(&source.text, &source.name, &mut open)
        .map(|(warnings, written)| (written, warnings));
    // `reported` prints the warnings, so they come before any write error.
    let status = match reported(&source, compiled) {
        Ok(Ok(())) => exit::OK,
        Ok(Err(e)) => match out {
            Some(out) => {
                eprintln!("error: cannot write {}: {e}", out.display());
                exit::TROUBLE
            }
            None => output::stdout_failed(&e),
        },
        Err(status) => status,
    };
    // The process exits soon: freeing the source would only cost time.
    std::mem::forget(source);
    status
}

/// The syntax tree, or the checked program, in Rust's `{:#?}` form (spans as byte
/// ranges `start..end`). The IR is shown only when the file checks: a program with
/// errors has no IR. Diagnostics go to stderr as for the Python output.
fn stage(path: &Path, emit: Emit) -> Result<String, u8> {
    let source = read_source(path)?;
    // Parsing has no warnings: only its errors are reported.
    let parsed = gearc::compile::source_to_ast(&source.text).map(|module| (module, Vec::new()));
    let module = reported(&source, parsed)?;
    if emit == Emit::Ast {
        return Ok(format!("{module:#?}\n"));
    }
    let program = reported(&source, gearc::compile::ast_to_ir(&module))?;
    Ok(format!("{program:#?}\n"))
}

/// The file at `path`, or (once "error: …" is printed) the exit status of a file that
/// cannot be read.
fn read_source(path: &Path) -> Result<Source, u8> {
    input::read(path).map_err(|e| {
        eprintln!("error: {e}");
        exit::TROUBLE
    })
}

/// What a compile of `source` produced, once its warnings are printed; or, once its
/// errors and the summary line are printed, the exit status of a file with errors.
fn reported<T>(
    source: &Source,
    compiled: Result<(T, Vec<Diagnostic>), Vec<Diagnostic>>,
) -> Result<T, u8> {
    let render = |diags: &[Diagnostic]| {
        diagnostics::render(diags, &source.name, &source.text, input::style())
    };
    match compiled {
        Ok((value, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", render(&warnings));
            }
            Ok(value)
        }
        Err(errors) => {
            eprint!("{}", render(&errors));
            eprintln!("{}: {}", source.name, diagnostics::summary(&errors));
            Err(exit::ERRORS)
        }
    }
}

/// Whether two paths name one file (also through `./`, `..` or links).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
