use super::args::CompileArgs;
use super::{exit, input};

pub fn compile(args: CompileArgs) -> u8 {
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
