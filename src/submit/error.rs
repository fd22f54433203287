//! What can stop a submission, for both back ends: each a value with a stable code
//! and a help that says what to do.

use std::time::Duration;

use thiserror::Error;

use super::local::EngineError;

#[derive(Debug, Error, miette::Diagnostic)]
pub enum SubmitError {
    #[error("`{url}` is not a Redis URL: {reason}")]
    #[diagnostic(
        code(gearc::server::bad_url),
        help("write redis://[user:password@]host:port[/db], or rediss://… for TLS")
    )]
    BadUrl { url: String, reason: String },

    #[error("cannot connect to {url}: {reason}")]
    #[diagnostic(
        code(gearc::server::unreachable),
        help("is a Redis with RedisGears listening there? Name another server with --url or REDIS_URL (e.g. --url redis://host:6379)")
    )]
    Unreachable { url: String, reason: String },

    #[error("lost the connection to {url} during {command}: {reason}")]
    #[diagnostic(
        code(gearc::server::connection_lost),
        help("the server closed the connection or stopped; whatever the command started may have finished on it or not: check with `gearc executions` or `gearc registrations` once it is back")
    )]
    ConnectionLost {
        url: String,
        command: String,
        reason: String,
    },

    #[error("{url} refused the credentials: {message}")]
    #[diagnostic(
        code(gearc::server::auth),
        help("give the user and password in the URL: redis://USER:PASSWORD@host:port (or redis://:PASSWORD@host:port for `requirepass`)")
    )]
    Auth { url: String, message: String },

    #[error("TLS with {url} failed: {message}")]
    #[diagnostic(
        code(gearc::server::tls),
        help("check that the server speaks TLS on that port and that its certificate is trusted by this machine; rediss:// is TLS, redis:// is plain")
    )]
    Tls { url: String, message: String },

    #[error("{url} did not answer {what} within {}", seconds(*after))]
    #[diagnostic(
        code(gearc::server::timeout),
        help("raise the limit with --timeout SECONDS (0 waits without a limit)")
    )]
    Timeout {
        url: String,
        what: String,
        after: Duration,
    },

    /// The connection itself timed out: its limit is `--connect-timeout`, which has no
    /// "0 waits forever" (0 gives the default, 5 s), unlike a run's `--timeout`.
    #[error("{url} did not answer the connection within {}", seconds(*after))]
    #[diagnostic(
        code(gearc::server::timeout),
        help("is a Redis listening there, and reachable from here? A slow network needs more time: --connect-timeout SECONDS (5 by default)")
    )]
    ConnectTimeout { url: String, after: Duration },

    #[error("{url} has no RedisGears module (`{command}` is an unknown command there)")]
    #[diagnostic(
        code(gearc::server::no_redisgears),
        help("load RedisGears 1.2 into that Redis, or point --url at one that has it; `gearc run --local` runs a pipeline against a plain Redis")
    )]
    NoRedisGears { url: String, command: String },

    #[error("{url} runs RedisGears {version}, which has no repeatable deploy (RG.PYEXECUTE … ID … UPGRADE)")]
    #[diagnostic(
        code(gearc::server::old_redisgears),
        help("gearc deploys to RedisGears 1.2 or newer 1.x; upgrade the module")
    )]
    OldRedisGears { url: String, version: String },

    #[error("RedisGears on {url} knows {known} of the cluster's {shards} shards")]
    #[diagnostic(
        code(gearc::server::stale_cluster),
        help("RedisGears 1.2 learns the cluster's shape only from RG.REFRESHCLUSTER: run `redis-cli -h HOST -p PORT RG.REFRESHCLUSTER` on every node, then try again (missing: {missing})")
    )]
    StaleCluster {
        url: String,
        known: usize,
        shards: usize,
        missing: String,
    },

    #[error("the cluster's shard {shard} does not answer ({reason})")]
    #[diagnostic(
        code(gearc::server::shard_down),
        help("a run needs every shard (RedisGears would wait for it, then return part of the data); bring the node back, or fail it over to a replica, and try again")
    )]
    ShardDown {
        url: String,
        shard: String,
        reason: String,
    },

    #[error("the server rejected the module: {message}")]
    #[diagnostic(code(gearc::server::module_rejected))]
    ModuleRejected { message: String },

    #[error("the server cannot install the requirement `{requirement}`: {message}")]
    #[diagnostic(
        code(gearc::server::requirements),
        help("RedisGears installs requirements with pip on the server; with DownloadDeps off (or no network) install them ahead with RG.PYIMPORTREQ, or drop the `requirements` line")
    )]
    Requirements {
        requirement: String,
        message: String,
    },

    #[error("the trigger `{trigger}` is already registered by {holder}")]
    #[diagnostic(
        code(gearc::server::trigger_taken),
        help("a trigger belongs to one session: rename this one, or remove the other with `gearc undeploy SESSION` (`gearc registrations` lists who holds what)")
    )]
    TriggerTaken { trigger: String, holder: String },

    #[error("{command} failed on {url}: {message}")]
    #[diagnostic(code(gearc::server::command_failed))]
    Command {
        url: String,
        command: String,
        message: String,
    },

    #[error("interrupted; {what}")]
    #[diagnostic(code(gearc::server::interrupted))]
    Interrupted { what: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Local(#[from] EngineError),
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s == 1.0 {
        "1 second".to_string()
    } else {
        format!("{s} seconds")
    }
}
