use super::args::CompileArgs;
use super::{exit, input};

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
    let (_, compiled) = match input::load(&args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &compiled.python) {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::TROUBLE;
            }
        }
        None => print!("{}", compiled.python),
    }
    exit::OK
}

/// Whether two paths name one file (also through `./`, `..` or links).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
