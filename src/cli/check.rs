use super::args::CheckArgs;
use super::{exit, input};

pub fn check(args: CheckArgs) -> u8 {
    let mut status = exit::OK;
    for path in &args.files {
        let source = match input::read(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                status = status.max(exit::TROUBLE);
                continue;
            }
        };
        if input::compile(&source).is_none() {
            status = status.max(exit::ERRORS);
        }
    }
    status
}
