//! Reading a .gear file (or standard input) and compiling it, with diagnostics on stderr.

use std::io::{IsTerminal, Read};
use std::path::Path;

use gearc::diagnostics::{self, Style};
use gearc::Compiled;

/// The source text and the name to show for it.
pub struct Source {
    pub name: String,
    pub text: String,
}

pub fn read(path: &Path) -> Result<Source, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Source {
            name: "<stdin>".to_string(),
            text,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(Source {
        name: path.display().to_string(),
        text,
    })
}

pub fn style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stderr().is_terminal() && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

/// Compiles, printing warnings (and errors on failure) to stderr.
pub fn compile(source: &Source) -> Option<Compiled> {
    let (compiled, stages) = gearc::compile::compile_keeping(&source.text, &source.name);
    // Every command exits soon after compiling: freeing a large AST and IR would only cost time.
    std::mem::forget(stages);
    match compiled {
        Ok(compiled) => {
            if !compiled.warnings.is_empty() {
                eprint!(
                    "{}",
                    diagnostics::render(&compiled.warnings, &source.name, &source.text, style())
                );
            }
            Some(compiled)
        }
        Err(diags) => {
            eprint!(
                "{}",
                diagnostics::render(&diags, &source.name, &source.text, style())
            );
            eprintln!("{}: {}", source.name, diagnostics::summary(&diags));
            None
        }
    }
}

/// Reads and compiles `path`, reporting any failure on stderr; `Err` is the exit status.
pub fn load(path: &Path) -> Result<(Source, Compiled), u8> {
    let source = read(path).map_err(|e| {
        eprintln!("error: {e}");
        super::exit::TROUBLE
    })?;
    match compile(&source) {
        Some(compiled) => Ok((source, compiled)),
        None => Err(super::exit::ERRORS),
    }
}
