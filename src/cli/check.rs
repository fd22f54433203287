//! `gearc check`: every error and warning of each file, as text or JSON lines, and a
//! one-line summary.

use gearc::diagnostics::{self, Diagnostic};
use gearc::syntax::span::LineIndex;

use super::args::{CheckArgs, MessageFormat};
use super::output::outln;
use super::{exit, input};

pub fn check(args: CheckArgs) -> u8 {
    let mut status = exit::OK;
    let (mut errors, mut warnings) = (0, 0);
    for path in &args.files {
        let source = match input::read(path) {
            Ok(source) => source,
            Err(e) => {
                eprintln!("error: {e}");
                status = status.max(exit::TROUBLE);
                continue;
            }
        };
        // Checking needs no Python: the file is parsed and checked, not lowered.
        let checked = gearc::compile::check(&source.text);
        let found: Vec<Diagnostic> = match checked {
            Ok(warnings) => warnings,
            Err(diags) => diags,
        };
        let file_warnings = found.iter().filter(|d| d.is_warning()).count();
        warnings += file_warnings;
        errors += found.len() - file_warnings;
        match args.message_format {
            MessageFormat::Json => {
                let index = LineIndex::new(&source.text);
                for d in &found {
                    outln!("{}", diagnostics::to_json(d, &source.name, &index));
                }
            }
            MessageFormat::Human => eprint!(
                "{}",
                diagnostics::render(&found, &source.name, &source.text, input::style())
            ),
        }
        let failed = file_warnings < found.len() || (args.deny_warnings && file_warnings > 0);
        if failed {
            status = status.max(exit::ERRORS);
        }
    }
    if args.message_format == MessageFormat::Human {
        let files = match args.files.len() {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        };
        let found = match (errors, warnings) {
            (0, 0) => "no errors".to_string(),
            _ => counts(errors, warnings),
        };
        let denied = if args.deny_warnings && warnings > 0 && errors == 0 {
            " (warnings denied)"
        } else {
            ""
        };
        eprintln!("checked {files}: {found}{denied}");
    }
    status
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("1 {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}
