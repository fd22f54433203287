//! The `gearc` command line: thin wrappers over the library's stages.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
