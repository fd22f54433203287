use super::args::{CompileArgs, Emit};
use super::{exit, input};
use gearc::diagnostics;

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
    if let (Emit::Python, Some(path)) = (args.emit, &args.output) {
        return python_to_file(&args.file, path);
    }
    let text = match args.emit {
        Emit::Python => match python(&args.file) {
            Ok(text) => text,
            Err(status) => return status,
        },
        Emit::Ast | Emit::Ir => match stage(&args.file, args.emit) {
            Ok(text) => text,
            Err(status) => return status,
        },
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &text) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::TROUBLE;
            }
        }
        None => print!("{text}"),
    }
    exit::OK
}

/// The module, with warnings (or errors) on stderr as `input::compile` prints them.
fn python(path: &std::path::Path) -> Result<String, u8> {
    let source = input::read(path).map_err(|e| {
        eprintln!("error: {e}");
        exit::TROUBLE
    })?;
    let render = |diags: &[gearc::Diagnostic]| {
        diagnostics::render(diags, &source.name, &source.text, input::style())
    };
    let python = match gearc::compile::compile_python(&source.text, &source.name) {
        Ok((python, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", render(&warnings));
            }
            python
        }
        Err(diags) => {
            eprint!("{}", render(&diags));
            eprintln!("{}: {}", source.name, diagnostics::summary(&diags));
            return Err(exit::ERRORS);
        }
    };
    // The process exits soon: freeing the source would only cost time.
    std::mem::forget(source);
    Ok(python)
}

/// The module written to `out` as it is lowered (it is never whole in memory), with
/// warnings (or errors) on stderr as [`python`] prints them; `out` is created only when
/// the file compiles.
fn python_to_file(path: &std::path::Path, out: &std::path::Path) -> u8 {
    let source = match input::read(path) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::TROUBLE;
        }
    };
    let render = |diags: &[gearc::Diagnostic]| {
        diagnostics::render(diags, &source.name, &source.text, input::style())
    };
    let mut open = || -> std::io::Result<Box<dyn std::io::Write>> {
        Ok(Box::new(std::fs::File::create(out)?))
    };
    let status = match gearc::compile::compile_python_to(&source.text, &source.name, &mut open) {
        Ok((warnings, written)) => {
            if !warnings.is_empty() {
                eprint!("{}", render(&warnings));
            }
            match written {
                Ok(()) => exit::OK,
                Err(e) => {
                    eprintln!("error: cannot write {}: {e}", out.display());
                    exit::TROUBLE
                }
            }
        }
        Err(diags) => {
            eprint!("{}", render(&diags));
            eprintln!("{}: {}", source.name, diagnostics::summary(&diags));
            exit::ERRORS
        }
    };
    // The process exits soon: freeing the source would only cost time.
    std::mem::forget(source);
    status
}

/// The syntax tree, or the checked program, in Rust's `{:#?}` form (spans as byte
/// ranges `start..end`). The IR is shown only when the file checks: a program with
/// errors has no IR. Diagnostics go to stderr as for the Python output.
fn stage(path: &std::path::Path, emit: Emit) -> Result<String, u8> {
    let source = input::read(path).map_err(|e| {
        eprintln!("error: {e}");
        exit::TROUBLE
    })?;
    let failed = |diags: Vec<gearc::Diagnostic>| {
        eprint!(
            "{}",
            diagnostics::render(&diags, &source.name, &source.text, input::style())
        );
        eprintln!("{}: {}", source.name, diagnostics::summary(&diags));
        exit::ERRORS
    };
    let module = gearc::compile::source_to_ast(&source.text).map_err(failed)?;
    if emit == Emit::Ast {
        return Ok(format!("{module:#?}\n"));
    }
    let (program, warnings) = gearc::compile::ast_to_ir(&module).map_err(failed)?;
    if !warnings.is_empty() {
        eprint!(
            "{}",
            diagnostics::render(&warnings, &source.name, &source.text, input::style())
        );
    }
    Ok(format!("{program:#?}\n"))
}

/// Whether two paths name one file (also through `./`, `..` or links).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
