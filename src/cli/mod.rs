//! Argument parsing and the commands.

mod args;
mod check;
mod compile;
mod input;
mod output;
mod run;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Compile(a) => compile::compile(a),
        Command::Check(a) => check::check(a),
        Command::Run(a) => run::run(a),
    };
    ExitCode::from(code)
}

/// Exit statuses, the same for every command.
pub mod exit {
    pub const OK: u8 = 0;
    /// The program has errors, or a run reported errors.
    pub const ERRORS: u8 = 1;
    /// gearc could not do its job: a file, python3 or Redis is missing.
    pub const TROUBLE: u8 = 2;
}
