//! Reading a .gear file (or standard input) and compiling it, with diagnostics on stderr.

use std::io::{IsTerminal, Read};
use std::path::Path;

use gearc::diagnostics::{self, Style};
use gearc::Compiled;
use thiserror::Error;

/// The largest `.gear` file gearc reads: 10 MiB. Compiling takes about 30 bytes of
/// memory per byte of dense source (measured: a 100 MB file of `let` items took 2.9 GB
/// and 69 s), so the limit keeps a run within a few hundred MB and seconds, and a file
/// that never ends (`/dev/zero`, a pipe) is refused instead of filling memory.
/// docs/limits.md has the measurements.
pub const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;

/// A file that gearc refuses before compiling it.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum InputError {
    #[error("{name} is larger than {max} bytes (10 MiB), the most gearc reads")]
    #[diagnostic(
        code(gearc::input::too_large),
        help("a .gear file is source code: keep large data in Redis, where a reader finds it")
    )]
    TooLarge { name: String, max: u64 },
}

/// The source text and the name to show for it.
pub struct Source {
    pub name: String,
    pub text: String,
}

pub fn read(path: &Path) -> Result<Source, String> {
    let (name, bytes) = if path == Path::new("-") {
        let name = "<stdin>".to_string();
        let bytes = read_at_most(std::io::stdin(), &name, 0)
            .map_err(|e| e.message(|e| format!("cannot read standard input: {e}")))?;
        (name, bytes)
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::File::open(path)
            .map_err(Unread::Io)
            .and_then(|file| {
                let size = file.metadata().map_or(0, |m| m.len());
                read_at_most(file, &name, size)
            })
            .map_err(|e| e.message(|e| format!("cannot read {name}: {e}")))?;
        (name, bytes)
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{name} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(Source { name, text })
}

/// Why a file was not read.
enum Unread {
    Io(std::io::Error),
    /// The rendered `too_large` diagnostic.
    TooLarge(String),
}

impl Unread {
    fn message(self, io: impl FnOnce(std::io::Error) -> String) -> String {
        match self {
            Unread::Io(e) => io(e),
            Unread::TooLarge(text) => text,
        }
    }
}

/// Reads `input` to its end, or stops once it holds more than [`MAX_SOURCE_BYTES`]:
/// the size a file claims (`size`, 0 when unknown) is not trusted (a device or a pipe
/// has none), only what was read; it only sizes the buffer, which otherwise grows to
/// the next power of two.
fn read_at_most(input: impl Read, name: &str, size: u64) -> Result<Vec<u8>, Unread> {
    let capacity = usize::try_from(size.min(MAX_SOURCE_BYTES + 1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    input
        .take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        let refused = InputError::TooLarge {
            name: name.to_string(),
            max: MAX_SOURCE_BYTES,
        };
        return Err(Unread::TooLarge(super::output::render_diagnostic(&refused)));
    }
    Ok(bytes)
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
    match gearc::compile::compile(&source.text, &source.name) {
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
