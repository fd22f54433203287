use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// gearc compiles Gear pipelines into RedisGears 1.x Python, and runs them.
#[derive(Debug, Parser)]
#[command(name = "gearc", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a .gear file to one Python module for RG.PYEXECUTE.
    #[command(
        after_help = "Example:\n  gearc compile examples/fighters.gear -o fighters.py\n  echo 'keys | count | run' | gearc compile -"
    )]
    Compile(CompileArgs),
    /// Check .gear files and report every error and warning.
    #[command(
        after_help = "Example:\n  gearc check examples/*.gear\n\nExit status: 0 when clean (warnings allowed), 1 when a file has errors."
    )]
    Check(CheckArgs),
    /// Compile a .gear file and run it (today: locally, against a plain Redis).
    #[command(
        after_help = "Example:\n  gearc run --local examples/fighters.gear --url redis://127.0.0.1:6379\n  gearc run --local examples/expiry.gear --watch\n\nExit status: 0 on success, 1 when the program or the run has errors,\n2 when python3 or Redis cannot be used."
    )]
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The .gear file; `-` reads standard input.
    pub file: PathBuf,
    /// Write the Python module here instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The .gear files; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The .gear file; `-` reads standard input.
    pub file: PathBuf,
    /// Run with gearc's local engine against a plain Redis (no RedisGears needed).
    #[arg(long)]
    pub local: bool,
    /// The Redis server.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub url: String,
    /// Print each result as one JSON line.
    #[arg(long)]
    pub json: bool,
    /// Keep running: apply the file's `register` pipelines to live events until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
}
