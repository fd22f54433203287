use super::args::CompileArgs;
use super::{exit, input};

pub fn compile(args: CompileArgs) -> u8 {
    let source = match input::read(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::TROUBLE;
        }
    };
    let Some(compiled) = input::compile(&source) else {
        return exit::ERRORS;
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
