//! The server back end: RedisGears 1.2 through the redis crate on tokio.
//!
//! [`Connection`] finds out whether the URL is a single server or a cluster; the
//! functions here are the RG.* conversations gearc has with it: run a module, deploy
//! one as a named session, and the management commands.

mod connection;
pub mod deploy;
pub mod replies;

use std::time::Duration;

use redis::{Cmd, Value};

pub use connection::{Connection, Node, Timeouts};
use replies::Registration;

use super::SubmitError;

/// A tokio runtime for one command of the CLI (current-thread: gearc waits on one
/// server at a time, and `compile`/`check` never build one).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// `RG.PYEXECUTE module [options…] [REQUIREMENTS req…]` (REQUIREMENTS must come last).
pub fn pyexecute(module: &str, options: &[&str], requirements: &[String]) -> Cmd {
    let mut cmd = redis::cmd("RG.PYEXECUTE");
    cmd.arg(module);
    for o in options {
        cmd.arg(*o);
    }
    if !requirements.is_empty() {
        cmd.arg("REQUIREMENTS");
        for r in requirements {
            cmd.arg(r);
        }
    }
    cmd
}

/// How a run ended when it did not return a reply.
pub enum Stop {
    Interrupted,
    TimedOut(Duration),
}

/// Makes sure RedisGears sees every shard of a cluster: RedisGears 1.2 learns the
/// topology only through RG.REFRESHCLUSTER, and until then runs on part of the data.
pub async fn check_cluster(con: &mut Connection) -> Result<(), SubmitError> {
    if !con.is_cluster() {
        return Ok(());
    }
    // A primary that is down would make a run wait and then return part of the data
    // (RedisGears aborts after ExecutionMaxIdleTime): name it before anything starts.
    let nodes = con.primaries.clone();
    for node in &nodes {
        let ping = tokio::time::timeout(
            con.connect_timeout(),
            con.query_node(node, &redis::cmd("PING")),
        )
        .await;
        let reason = match ping {
            Ok(Ok(_)) => continue,
            Ok(Err(e)) => connection::server_message(&e).unwrap_or_else(|| e.to_string()),
            Err(_) => "no answer to PING".to_string(),
        };
        return Err(SubmitError::ShardDown {
            url: con.target.to_string(),
            shard: format!("{}:{}", node.host, node.port),
            reason,
        });
    }
    let info = con.command(&redis::cmd("RG.INFOCLUSTER")).await?;
    let known = replies::gears_cluster(&info).shards;
    let missing: Vec<String> = con
        .primaries
        .iter()
        .filter(|p| {
            !known
                .iter()
                .any(|k| k.port == i64::from(p.port) && (k.host == p.host || k.host.is_empty()))
        })
        .map(|p| format!("{}:{}", p.host, p.port))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(SubmitError::StaleCluster {
        url: con.target.to_string(),
        known: known.len(),
        shards: con.primaries.len(),
        missing: missing.join(", "),
    })
}

/// On a cluster, the error a `stream` run of `key` gets when the key holds something
/// other than a stream — found before the run starts. RedisGears 1.2.13 answers a
/// single server, or the shard that owns the key, with `WRONGTYPE …`; but when another
/// shard owns it, the run never ends and the initiator's memory grows without bound
/// (measured: 1 GB in two minutes, until the node dies). So gearc asks the key's
/// type first and answers as the owning shard would, without starting the run.
pub async fn stream_key_error(
    con: &mut Connection,
    key: &str,
) -> Result<Option<String>, SubmitError> {
    if !con.is_cluster() {
        return Ok(None);
    }
    let mut ask = redis::cmd("TYPE");
    ask.arg(key);
    let reply = con.command_on_key_owner(&ask).await?;
    Ok(match replies::text(&reply).as_deref() {
        Some("stream" | "none") | None => None,
        Some(_) => Some("WRONGTYPE Operation against a key holding the wrong kind of value".into()),
    })
}

/// Runs `module` (which must hold only a `run`): starts it UNBLOCKING, then waits for
/// its results. Ctrl-C or the time limit abort it and drop it on the server, so nothing
/// is left running there. `started` is told the execution id.
pub async fn run(
    con: &mut Connection,
    module: &str,
    requirements: &[String],
    limit: Option<Duration>,
    started: impl FnOnce(&str),
) -> Result<(Vec<Value>, Vec<String>), RunFailure> {
    let start = pyexecute(module, &["UNBLOCKING"], requirements);
    let reply = match con.query(&start).await {
        Ok(reply) => reply,
        Err(e) => {
            return Err(RunFailure::Submit(
                classify_pyexecute(con, e, requirements).await,
            ))
        }
    };
    let Some(id) = replies::text(&reply).filter(|id| id != "OK") else {
        return Err(RunFailure::Submit(SubmitError::Command {
            url: con.target.to_string(),
            command: "RG.PYEXECUTE".into(),
            message: "the module started no run (it answered OK)".into(),
        }));
    };
    started(&id);
    let mut fetch = redis::cmd("RG.GETRESULTSBLOCKING");
    fetch.arg(&id);
    let outcome = tokio::select! {
        reply = con.query(&fetch) => Ok(reply),
        _ = tokio::signal::ctrl_c() => Err(Stop::Interrupted),
        _ = sleep_or_forever(limit) => Err(Stop::TimedOut(limit.unwrap_or_default())),
    };
    match outcome {
        Ok(reply) => {
            let _ = drop_execution(con, &id).await;
            let reply = reply.map_err(|e| {
                RunFailure::Submit(connection::command_error(
                    &con.target,
                    "RG.GETRESULTSBLOCKING",
                    e,
                    Timeouts::default(),
                ))
            })?;
            replies::run_reply(reply).map_err(|reply| {
                RunFailure::Submit(SubmitError::Command {
                    url: con.target.to_string(),
                    command: "RG.GETRESULTSBLOCKING".into(),
                    message: format!("an unexpected reply: {}", replies::to_json(&reply)),
                })
            })
        }
        Err(stop) => {
            // The server still blocks this connection on RG.GETRESULTSBLOCKING, so the
            // abort goes through a connection of its own.
            let cleaned = match con.reopen().await {
                Ok(mut other) => abort_and_drop(&mut other, &id).await,
                Err(e) => Err(e),
            };
            Err(RunFailure::Stopped {
                stop,
                execution: id,
                cleaned,
            })
        }
    }
}

pub enum RunFailure {
    Submit(SubmitError),
    /// Ctrl-C or the time limit; `cleaned` says whether the execution was aborted and
    /// dropped on the server.
    Stopped {
        stop: Stop,
        execution: String,
        cleaned: Result<(), SubmitError>,
    },
}

async fn sleep_or_forever(limit: Option<Duration>) {
    match limit {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

async fn drop_execution(con: &mut Connection, id: &str) -> Result<(), SubmitError> {
    let mut cmd = redis::cmd("RG.DROPEXECUTION");
    cmd.arg(id);
    con.command(&cmd).await.map(|_| ())
}

/// Aborts an execution and drops it once it has stopped (RedisGears refuses to drop
/// an execution that is still running).
pub async fn abort_and_drop(con: &mut Connection, id: &str) -> Result<(), SubmitError> {
    let mut abort = redis::cmd("RG.ABORTEXECUTION");
    abort.arg(id);
    con.command(&abort).await?;
    let mut last = Ok(());
    for _ in 0..50 {
        last = drop_execution(con, id).await;
        match &last {
            Err(SubmitError::Command { message, .. }) if message.contains("not yet finished") => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            _ => break,
        }
    }
    last
}

/// An error reply to RG.PYEXECUTE, made specific: a module that fails to load, a
/// requirement that cannot be installed, a trigger someone else holds.
pub async fn classify_pyexecute(
    con: &mut Connection,
    e: redis::RedisError,
    requirements: &[String],
) -> SubmitError {
    let Some(message) = connection::server_message(&e) else {
        return connection::command_error(&con.target, "RG.PYEXECUTE", e, Timeouts::default());
    };
    if message.to_lowercase().contains("unknown command") {
        return SubmitError::NoRedisGears {
            url: con.target.to_string(),
            command: "RG.PYEXECUTE".into(),
        };
    }
    if message.contains("Could not satisfy requirements") {
        let installed = match con.query(&redis::cmd("RG.PYDUMPREQS")).await {
            Ok(reply) => replies::requirements(&reply)
                .into_iter()
                .filter(|r| r.installed)
                .map(|r| r.name)
                .collect(),
            Err(_) => Vec::new(),
        };
        let requirement = requirements
            .iter()
            .find(|r| !installed.contains(r))
            .cloned()
            .unwrap_or_else(|| requirements.join(" "));
        return SubmitError::Requirements {
            requirement,
            message: format!(
                "pip could not install it on the server ({}); the server's log has pip's own words",
                message.trim_end_matches(" (look at redis log file for more information)")
            ),
        };
    }
    SubmitError::ModuleRejected { message }
}

/// The RedisGears version, from MODULE LIST (`None` when the server does not say, e.g.
/// MODULE is not allowed to this user).
pub async fn gears_version(con: &mut Connection) -> Option<(u32, u32, u32)> {
    let reply = con.query(&redis::cmd("MODULE").arg("LIST").clone()).await;
    replies::gears_version(&reply.ok()?)
}

/// Every registration, with a cluster's per-shard counters added up.
pub async fn registrations(con: &mut Connection) -> Result<Vec<Registration>, SubmitError> {
    let dump = redis::cmd("RG.DUMPREGISTRATIONS");
    let mut all = replies::registrations(&con.command(&dump).await?);
    if con.is_cluster() {
        // Counters are kept per shard: start from zero and add every primary's.
        for r in &mut all {
            (r.triggered, r.success, r.failures, r.aborted) = (0, 0, 0, 0);
        }
        let nodes = con.primaries.clone();
        for node in &nodes {
            let reply = con.query_node(node, &dump).await.map_err(|e| {
                connection::command_error(
                    &con.target,
                    "RG.DUMPREGISTRATIONS",
                    e,
                    Timeouts::default(),
                )
            })?;
            replies::add_counters(&mut all, &replies::registrations(&reply));
        }
    }
    // ids end in a counter: order them as numbers (…-9 before …-10)
    all.sort_by(|a, b| (&a.session, a.id.len(), &a.id).cmp(&(&b.session, b.id.len(), &b.id)));
    Ok(all)
}

/// Sends one management command and returns its reply.
pub async fn simple(con: &mut Connection, args: &[&str]) -> Result<Value, SubmitError> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    con.command(&cmd).await
}
