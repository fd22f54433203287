use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// gearc compiles Gear pipelines into RedisGears 1.x Python, and runs them.
#[derive(Debug, Parser)]
#[command(
    name = "gearc",
    version,
    about,
    propagate_version = true,
    after_help = "Example:\n  gearc run --local --sandbox examples/fighters.gear   (prints 1337, on a throwaway redis-server)\n  gearc check examples/*.gear\n  gearc explain unknown_field\n\nEnvironment: REDIS_URL (the server when --url is not given), GEARC_PYTHON (the local\nengine's interpreter, see `gearc run --help`), NO_COLOR (no colours in diagnostics)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a .gear file to one Python module for RG.PYEXECUTE.
    #[command(
        after_help = "Example:\n  gearc compile examples/fighters.gear -o fighters.py\n  echo 'keys | count | run' | gearc compile -\n  gearc compile --emit ir examples/fighters.gear"
    )]
    Compile(CompileArgs),
    /// Check .gear files and report every error and warning.
    #[command(
        after_help = "Example:\n  gearc check examples/*.gear\n  gearc check --message-format json --deny-warnings examples/fighters.gear\n\nExit status: 0 when clean (warnings allowed unless --deny-warnings), 1 when a file has errors."
    )]
    Check(CheckArgs),
    /// Compile a .gear file and run its `run` pipeline on RedisGears (or, with --local, on a plain Redis).
    #[command(
        after_help = "Example:\n  gearc run examples/fighters.gear --url redis://127.0.0.1:6379\n  gearc run --local examples/fighters.gear\n  gearc run --local --sandbox examples/fighters.gear\n  gearc run --local examples/automatic_expiry.gear --watch\n\nThe local engine (--local, --watch) runs the Python 3.7+ interpreter named by GEARC_PYTHON,\nelse `python3` from PATH. A version manager's shim (pyenv, asdf) finds the interpreter anew\non every run (tens of milliseconds); point GEARC_PYTHON at the interpreter itself:\n  export GEARC_PYTHON=\"$(python3 -c 'import sys; print(sys.executable)')\"\n\nExit status: 0 on success, 1 when the program or the run has errors,\n2 when python3 or Redis cannot be used, 130 when a run is interrupted (Ctrl-C);\n--watch ends with 0 on Ctrl-C, its normal way to stop."
    )]
    Run(RunArgs),
    /// Install the `register` pipelines of .gear files on RedisGears, one session per file.
    #[command(
        after_help = "Example:\n  gearc deploy examples/automatic_expiry.gear\n  gearc deploy examples/cache_get.gear --id cache --dry-run\n\nDeploying a file again replaces its session's registrations; it never duplicates them."
    )]
    Deploy(DeployArgs),
    /// Remove a deployed session's registrations (by session id, or by the file it came from).
    #[command(
        after_help = "Example:\n  gearc undeploy automatic_expiry\n  gearc undeploy examples/automatic_expiry.gear"
    )]
    Undeploy(UndeployArgs),
    /// List the server's registrations, with their counters and last error.
    #[command(
        after_help = "Example:\n  gearc registrations\n  gearc registrations examples/automatic_expiry.gear   (shows its last error at the .gear line)"
    )]
    Registrations(RegistrationsArgs),
    /// Remove registrations by id (`--all` removes every one).
    #[command(
        after_help = "Example:\n  gearc unregister 0000000000000000000000000000000000000000-2   (an id `gearc registrations` lists)\n  gearc unregister --all"
    )]
    Unregister(UnregisterArgs),
    /// Fire a `command(...)` registration: RG.TRIGGER NAME ARG...
    #[command(after_help = "Example:\n  gearc trigger cache_get https://example.com/")]
    Trigger(TriggerArgs),
    /// List the executions the server keeps.
    #[command(after_help = "Example:\n  gearc executions\n  gearc executions --json")]
    Executions(ListArgs),
    /// Show one execution: status, results, errors and its steps.
    #[command(
        after_help = "Example:\n  gearc execution 0000000000000000000000000000000000000000-3   (an id `gearc executions` lists)"
    )]
    Execution(ExecutionArgs),
    /// Abort a running execution.
    #[command(
        after_help = "Example:\n  gearc abort 0000000000000000000000000000000000000000-3   (an id `gearc executions` lists)"
    )]
    Abort(ExecutionArgs),
    /// Drop a finished execution from the server's list.
    #[command(
        after_help = "Example:\n  gearc drop 0000000000000000000000000000000000000000-3   (an id `gearc executions` lists)"
    )]
    Drop(ExecutionArgs),
    /// Show RedisGears' Python memory statistics, version and shard count.
    #[command(after_help = "Example:\n  gearc stats --url redis://127.0.0.1:6379")]
    Stats(ListArgs),
    /// List the Python requirements installed on the server.
    #[command(after_help = "Example:\n  gearc requirements")]
    Requirements(ListArgs),
    /// Show the cluster as RedisGears sees it (RG.INFOCLUSTER).
    #[command(after_help = "Example:\n  gearc cluster --json")]
    Cluster(ListArgs),
    /// Print a shell completion script (bash, zsh, fish, …) to standard output.
    #[command(
        after_help = "Example:\n  gearc completions bash > ~/.local/share/bash-completion/completions/gearc"
    )]
    Completions(CompletionsArgs),
    /// Explain a diagnostic code: what triggers it, an example, how to fix it.
    #[command(
        after_help = "Example:\n  gearc explain unknown_field\n  gearc explain gearc::check::shard_local\n  gearc explain            (lists every code)\n\nExit status: 0, or 2 for an unknown code."
    )]
    Explain(super::explain::ExplainArgs),
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The .gear file; `-` reads standard input.
    pub file: PathBuf,
    /// Write the output here instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// What to write: the Python module, the syntax tree as parsed, or the checked
    /// program with the type of every expression.
    #[arg(long, value_enum, default_value_t = Emit::Python)]
    pub emit: Emit,
}

/// A stage of the compiler whose output `gearc compile --emit` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    Python,
    Ast,
    Ir,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The .gear files; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// `human` (drawn on stderr) or `json` (one object per diagnostic on stdout).
    #[arg(long, value_enum, default_value = "human")]
    pub message_format: MessageFormat,
    /// Fail (exit 1) on warnings too, e.g. in CI.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    Human,
    Json,
}

/// Where the server is and how long to wait for it.
#[derive(Clone, Debug, Args)]
pub struct ConnectArgs {
    /// The Redis server: redis://[user:password@]host:port[/db], or rediss://… for TLS.
    /// A Redis Cluster is detected by itself.
    #[arg(long, env = "REDIS_URL", default_value = "redis://127.0.0.1:6379")]
    pub url: String,
    /// Seconds to wait for the connection.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub connect_timeout: f64,
    /// With rediss://, accept any certificate (verification is on by default).
    #[arg(long)]
    pub tls_insecure: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The .gear file; `-` reads standard input.
    pub file: PathBuf,
    /// Run with gearc's local engine against a plain Redis (no RedisGears needed);
    /// it runs GEARC_PYTHON, else python3.
    #[arg(long)]
    pub local: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print each result as one JSON line (with --watch: one object per execution).
    #[arg(long)]
    pub json: bool,
    /// With --local: run on a private, throwaway redis-server (a free loopback port,
    /// stopped afterwards) seeded with the file's `# redis: [...]` example data.
    #[arg(long, requires = "local", conflicts_with = "watch")]
    pub sandbox: bool,
    /// With --local: keep running and apply the file's `register` pipelines to live
    /// events until Ctrl-C.
    #[arg(long, requires = "local")]
    pub watch: bool,
    /// With --watch, where CONFIG cannot be read (renamed or disabled, as on managed
    /// Redis): start anyway, trusting notify-keyspace-events on the server to hold the
    /// flags the registrations need (without it, gearc refuses and names them).
    #[arg(long, requires = "watch")]
    pub trust_server_config: bool,
    /// Stop the run after this many seconds (it is aborted and dropped on the server).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The .gear files; each becomes one session.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The session id (default: the file's stem); only with one file.
    #[arg(long)]
    pub id: Option<String>,
    /// Print the module and what would be added and removed, changing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the registrations as JSON lines.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct UndeployArgs {
    /// A session id, or a .gear file (its stem is the session id).
    pub session: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct UnregisterArgs {
    /// Registration ids (see `gearc registrations`).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub ids: Vec<String>,
    /// Remove every registration on the server.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct TriggerArgs {
    /// The trigger name of a `command(...)` registration.
    pub name: String,
    /// Arguments passed with it.
    pub args: Vec<String>,
    /// Print the reply as JSON lines.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct ExecutionArgs {
    /// The execution id (see `gearc executions`).
    pub id: String,
    /// JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct RegistrationsArgs {
    /// The .gear files that were deployed: the last error of their sessions'
    /// registrations is shown at the `.gear` line that raised it.
    pub files: Vec<PathBuf>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
}
