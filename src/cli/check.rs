use super::args::CheckArgs;
use super::{exit, input};

pub fn check(args: CheckArgs) -> u8 {
    let mut status = exit::OK;
    for path in &args.files {
        if let Err(failed) = input::load(path) {
            status = status.max(failed);
        }
    }
    status
}
