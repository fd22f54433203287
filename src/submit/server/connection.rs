//! One connection to a RedisGears deployment: a single server, or a Redis Cluster
//! (detected by itself) whose RG.* commands all go to one chosen primary.
//!
//! Every RG.* command goes to one node on purpose: an `UNBLOCKING` execution's id is
//! known only to the shard that started it, and RedisGears spreads a job over the
//! shards itself. The redis crate would route an unknown command by its "first key",
//! which for RG.PYEXECUTE is the module text, so the cluster path routes by address.

use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{AsyncConnectionConfig, Cmd, ErrorKind, RedisError, Value};

use crate::submit::target::Target;
use crate::submit::SubmitError;

/// How long to wait. Runs can be long, so a response has no limit unless one is given
/// (the redis crate's own default of 500 ms would cut a run short).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    /// For one command; `None` waits as long as the server works.
    pub response: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            response: None,
        }
    }
}

/// A primary of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub host: String,
    pub port: u16,
}

enum Link {
    Single(MultiplexedConnection),
    Cluster {
        con: ClusterConnection,
        /// The primary that receives the RG.* commands.
        chosen: Node,
    },
}

pub struct Connection {
    link: Link,
    pub target: Target,
    /// The cluster's primaries (empty for a single server).
    pub primaries: Vec<Node>,
    timeouts: Timeouts,
}

/// A response limit long enough to mean "none" for the cluster client, which wants one.
const NO_LIMIT: Duration = Duration::from_secs(365 * 24 * 3600);

impl Connection {
    pub async fn open(target: &Target, timeouts: Timeouts) -> Result<Connection, SubmitError> {
        let client =
            redis::Client::open(target.url()).map_err(|e| connect_error(target, &e, timeouts))?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeouts.connect))
            .set_response_timeout(Some(timeouts.connect));
        let mut single = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            .map_err(|e| connect_error(target, &e, timeouts))?;
        // A PING proves the credentials (the crate authenticates lazily on some paths).
        let _: Value = redis::cmd("PING")
            .query_async(&mut single)
            .await
            .map_err(|e| connect_error(target, &e, timeouts))?;
        let info: String = redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut single)
            .await
            .map_err(|e| connect_error(target, &e, timeouts))?;
        single.set_response_timeout(timeouts.response.unwrap_or(NO_LIMIT));
        if !info.lines().any(|l| l.trim() == "cluster_enabled:1") {
            return Ok(Connection {
                link: Link::Single(single),
                target: target.clone(),
                primaries: Vec::new(),
                timeouts,
            });
        }
        let shards: Value = redis::cmd("CLUSTER")
            .arg("SHARDS")
            .query_async(&mut single)
            .await
            .map_err(|e| command_error(target, "CLUSTER SHARDS", e, timeouts))?;
        let primaries = super::replies::cluster_primaries(&shards);
        if primaries.is_empty() {
            return Err(SubmitError::Command {
                url: target.to_string(),
                command: "CLUSTER SHARDS".into(),
                message: "the cluster lists no primary".into(),
            });
        }
        let chosen = primaries
            .iter()
            .find(|n| n.port == target.port && same_host(&n.host, &target.host))
            .unwrap_or(&primaries[0])
            .clone();
        let nodes: Vec<String> = primaries
            .iter()
            .map(|n| target.with_address(&n.host, n.port).url().to_string())
            .collect();
        let cluster = redis::cluster::ClusterClient::builder(nodes)
            .connection_timeout(timeouts.connect)
            .response_timeout(timeouts.response.unwrap_or(NO_LIMIT))
            .retries(0)
            .build()
            .map_err(|e| connect_error(target, &e, timeouts))?;
        let con = cluster
            .get_async_connection()
            .await
            .map_err(|e| connect_error(target, &e, timeouts))?;
        Ok(Connection {
            link: Link::Cluster { con, chosen },
            target: target.clone(),
            primaries,
            timeouts,
        })
    }

    /// A second connection to the same node: a command sent behind a blocking one on the
    /// same connection would wait until the blocking one ends, so the abort of a run
    /// that is waited on with RG.GETRESULTSBLOCKING goes through its own connection.
    pub async fn reopen(&self) -> Result<Connection, SubmitError> {
        let mut other = Connection::open(&self.target, self.timeouts).await?;
        if let (Link::Cluster { chosen, .. }, Link::Cluster { chosen: mine, .. }) =
            (&mut other.link, &self.link)
        {
            chosen.clone_from(mine);
        }
        Ok(other)
    }

    pub fn connect_timeout(&self) -> Duration {
        self.timeouts.connect
    }

    pub fn is_cluster(&self) -> bool {
        matches!(self.link, Link::Cluster { .. })
    }

    /// Sends `cmd` to the server, or to the cluster's chosen primary.
    pub async fn query(&mut self, cmd: &Cmd) -> Result<Value, RedisError> {
        match &mut self.link {
            Link::Single(con) => cmd.query_async(con).await,
            Link::Cluster { con, chosen } => routed(con, cmd, chosen).await,
        }
    }

    /// Sends `cmd` to one primary of a cluster (per-shard facts: registrations' counters).
    pub async fn query_node(&mut self, node: &Node, cmd: &Cmd) -> Result<Value, RedisError> {
        match &mut self.link {
            Link::Single(con) => cmd.query_async(con).await,
            Link::Cluster { con, .. } => routed(con, cmd, node).await,
        }
    }

    /// `cmd` on the node that owns its key (a cluster), or on the server.
    pub async fn command_on_key_owner(&mut self, cmd: &Cmd) -> Result<Value, SubmitError> {
        let reply = match &mut self.link {
            Link::Single(con) => cmd.query_async(con).await,
            Link::Cluster { con, .. } => cmd.query_async(con).await,
        };
        reply.map_err(|e| command_error(&self.target, &command_name(cmd), e, self.timeouts))
    }

    /// `query`, with an error reply or a failure turned into a [`SubmitError`].
    pub async fn command(&mut self, cmd: &Cmd) -> Result<Value, SubmitError> {
        let name = command_name(cmd);
        let timeouts = self.timeouts;
        let reply = self.query(cmd).await;
        reply.map_err(|e| command_error(&self.target, &name, e, timeouts))
    }
}

/// `cmd` on one node of a cluster. An error reply comes back from `route_command` as
/// a value (`Value::ServerError`), where `query_async` would give an `Err`: it is
/// turned into the `Err` here, so a module's traceback is not taken for a reply.
async fn routed(con: &mut ClusterConnection, cmd: &Cmd, node: &Node) -> Result<Value, RedisError> {
    let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
        host: node.host.clone(),
        port: node.port,
    });
    con.route_command(cmd.clone(), routing)
        .await
        .and_then(Value::extract_error)
}

fn same_host(a: &str, b: &str) -> bool {
    let local = |h: &str| matches!(h, "localhost" | "127.0.0.1" | "::1");
    a == b || (local(a) && local(b))
}

/// `RG.PYEXECUTE` for a command, without its (long) arguments.
pub fn command_name(cmd: &Cmd) -> String {
    cmd.args_iter()
        .next()
        .map(|a| match a {
            redis::Arg::Simple(bytes) => String::from_utf8_lossy(bytes).to_uppercase(),
            _ => String::new(),
        })
        .unwrap_or_default()
}

/// The text of an error reply, as the server wrote it (`ERR unknown command …`).
pub fn server_message(e: &RedisError) -> Option<String> {
    match e.kind() {
        ErrorKind::Server(_) | ErrorKind::Extension | ErrorKind::AuthenticationFailed => {
            let code = e.code().unwrap_or_default();
            Some(match e.detail() {
                Some(detail) if !code.is_empty() => format!("{code} {detail}"),
                Some(detail) => detail.to_string(),
                None => code.to_string(),
            })
        }
        _ => None,
    }
}

fn is_auth_failure(e: &RedisError) -> bool {
    e.kind() == ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("WRONGPASS" | "NOAUTH" | "NOPERM"))
}

/// A failure while connecting.
fn connect_error(target: &Target, e: &RedisError, timeouts: Timeouts) -> SubmitError {
    let url = target.to_string();
    if is_auth_failure(e) {
        let message = server_message(e).unwrap_or_else(|| e.to_string());
        return SubmitError::Auth { url, message };
    }
    if e.is_timeout() && target.tls {
        // A plain Redis port answers a TLS hello with nothing the handshake accepts.
        return SubmitError::Tls {
            url,
            message: format!(
                "no TLS handshake within {} s; is this port plain Redis (redis://)?",
                timeouts.connect.as_secs_f64()
            ),
        };
    }
    if e.is_timeout() {
        return SubmitError::ConnectTimeout {
            url,
            after: timeouts.connect,
        };
    }
    if target.tls && !e.is_connection_refusal() && e.kind() == ErrorKind::Io {
        return SubmitError::Tls {
            url,
            message: crate::submit::target::redact(&e.to_string()),
        };
    }
    if let Some(message) = server_message(e) {
        return SubmitError::Command {
            url,
            command: "the connection".into(),
            message,
        };
    }
    SubmitError::Unreachable {
        url,
        reason: crate::submit::target::redact(&e.to_string()),
    }
}

/// A failure of a command once connected.
pub fn command_error(
    target: &Target,
    command: &str,
    e: RedisError,
    timeouts: Timeouts,
) -> SubmitError {
    let url = target.to_string();
    if is_auth_failure(&e) {
        let message = server_message(&e).unwrap_or_else(|| e.to_string());
        return SubmitError::Auth { url, message };
    }
    if e.is_timeout() {
        return SubmitError::Timeout {
            url,
            what: command.to_string(),
            after: timeouts.response.unwrap_or(NO_LIMIT),
        };
    }
    match server_message(&e) {
        Some(message)
            if command.starts_with("RG.") && message.to_lowercase().contains("unknown command") =>
        {
            SubmitError::NoRedisGears {
                url,
                command: command.to_string(),
            }
        }
        Some(message) => SubmitError::Command {
            url,
            command: command.to_string(),
            message,
        },
        None if e.is_connection_dropped() || e.is_io_error() || e.is_unrecoverable_error() => {
            SubmitError::ConnectionLost {
                url,
                command: command.to_string(),
                reason: crate::submit::target::redact(&e.to_string()),
            }
        }
        None => SubmitError::Unreachable {
            url,
            reason: crate::submit::target::redact(&e.to_string()),
        },
    }
}
