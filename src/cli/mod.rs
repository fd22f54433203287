//! Argument parsing and the commands.

mod args;
mod check;
mod compile;
mod connect;
mod deploy;
mod explain;
mod input;
mod manage;
mod output;
mod run;
mod sandbox;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Compile(a) => compile::compile(a),
        Command::Check(a) => check::check(a),
        Command::Run(a) => run::run(a),
        Command::Deploy(a) => deploy::deploy(a),
        Command::Undeploy(a) => deploy::undeploy(a),
        Command::Registrations(a) => manage::registrations(a),
        Command::Unregister(a) => manage::unregister(a),
        Command::Trigger(a) => manage::trigger(a),
        Command::Executions(a) => manage::executions(a),
        Command::Execution(a) => manage::execution(a),
        Command::Abort(a) => manage::abort(a),
        Command::Drop(a) => manage::drop_execution(a),
        Command::Stats(a) => manage::stats(a),
        Command::Requirements(a) => manage::requirements(a),
        Command::Cluster(a) => manage::cluster(a),
        Command::Completions(a) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut command, "gearc", &mut script);
            // a closed pipe (`| head`) is the reader's choice, not an error
            let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
            exit::OK
        }
        Command::Explain(a) => explain::explain(a),
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
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}
