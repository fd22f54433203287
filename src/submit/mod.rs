//! Stage 4: a compiled module in, what RedisGears answers out.
//!
//! Two back ends answer the same way: [`server`] talks to a real RedisGears (a single
//! server or a Redis Cluster), [`local`] runs the module with gearc's emulation against a
//! plain Redis. Both report [`Event`]s through one [`run`], and the reply decoding
//! ([`reply`]: typed results, tracebacks mapped to `.gear` spans) is shared, so the CLI
//! prints both the same way.

mod error;
pub mod local;
mod python_json;
pub mod reply;
pub mod server;
pub mod target;

use std::time::Duration;

pub use error::SubmitError;
pub use local::Event;
pub use target::Target;

use crate::compile::{Compiled, TerminalKind};

/// Where a module runs.
pub enum Backend {
    /// gearc's local engine against a plain Redis.
    Local(local::LocalOptions),
    /// A RedisGears server or cluster.
    Server(ServerOptions),
}

#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub target: Target,
    pub timeouts: server::Timeouts,
    /// The whole run's limit; `None` waits until it ends (or Ctrl-C).
    pub limit: Option<Duration>,
}

/// What to run: a module and the pip requirements it needs.
pub struct Job<'a> {
    pub module: &'a str,
    pub requirements: &'a [String],
    /// The key a `stream` run reads, when known: on a cluster its type is checked before
    /// the run (see [`server::stream_key_error`]).
    pub stream_key: Option<&'a str>,
}

/// What one run reports besides its events: the server's execution id, once started.
pub type Started<'a> = &'a mut dyn FnMut(&str);

/// Runs a job on a back end, handing each event to `on_event`.
pub fn run(
    backend: &Backend,
    job: &Job,
    started: Started,
    mut on_event: impl FnMut(&Event),
) -> Result<(), SubmitError> {
    match backend {
        Backend::Local(options) => {
            local::run(job.module, options, &mut on_event).map_err(|e| match e {
                local::EngineError::Script { message } => SubmitError::ModuleRejected { message },
                other => SubmitError::Local(other),
            })
        }
        Backend::Server(options) => {
            let runtime = server::runtime().map_err(local::EngineError::Io)?;
            runtime.block_on(async {
                let mut con = server::Connection::open(&options.target, options.timeouts).await?;
                server::check_cluster(&mut con).await?;
                if let Some(key) = job.stream_key {
                    if let Some(error) = server::stream_key_error(&mut con, key).await? {
                        on_event(&Event::Result {
                            results: Vec::new(),
                            errors: vec![error],
                        });
                        return Ok(());
                    }
                }
                let outcome = server::run(
                    &mut con,
                    job.module,
                    job.requirements,
                    options.limit,
                    |id| started(id),
                )
                .await;
                match outcome {
                    Ok((records, errors)) => {
                        stream_reply(records, errors, &mut on_event);
                        Ok(())
                    }
                    Err(server::RunFailure::Submit(e)) => Err(e),
                    Err(server::RunFailure::Stopped {
                        stop,
                        execution,
                        cleaned,
                    }) => {
                        let left = match cleaned {
                            Ok(()) => format!("execution {execution} was aborted and dropped on the server"),
                            Err(e) => format!("execution {execution} may still be on the server ({e}); `gearc abort {execution}` then `gearc drop {execution}` remove it"),
                        };
                        Err(match stop {
                            server::Stop::Interrupted => SubmitError::Interrupted { what: left },
                            server::Stop::TimedOut(after) => SubmitError::Timeout {
                                url: options.target.to_string(),
                                what: format!("the run ({left})"),
                                after,
                            },
                        })
                    }
                }
            })
        }
    }
}

/// How many records of a server's reply are converted and handed on at a time.
const REPLY_CHUNK: usize = 1000;

/// A server's reply handed on as the local engine sends one: `Records` events of
/// [`REPLY_CHUNK`] records, then the `Result` with the rest and the errors. Each raw
/// record is converted, then freed, as it is handed on (the reply arrives whole: the
/// redis crate reads it all before it returns it), so gearc never holds the raw reply
/// and its converted records, or the printed text, at once (docs/limits.md).
fn stream_reply(
    records: Vec<redis::Value>,
    errors: Vec<String>,
    on_event: &mut impl FnMut(&Event),
) {
    let mut chunk = Vec::with_capacity(REPLY_CHUNK.min(records.len()));
    for record in records {
        chunk.push(server::replies::to_json(&record));
        drop(record);
        if chunk.len() == REPLY_CHUNK {
            on_event(&Event::Records {
                results: std::mem::take(&mut chunk),
            });
        }
    }
    on_event(&Event::Result {
        results: chunk,
        errors,
    });
}

/// The module with only the pipelines of one kind: the other pipelines' statements are
/// blanked line by line, so every line keeps its number and the line map still holds.
/// A `run` on a server gets only the run (a module that also registers is answered
/// with a bare `OK`), and a deploy only the registrations.
pub fn module_with_only(compiled: &Compiled, keep: TerminalKind) -> String {
    let blank: Vec<(usize, usize)> = compiled
        .pipelines
        .iter()
        .filter(|p| p.terminal != keep)
        .map(|p| p.python_lines)
        .collect();
    if blank.is_empty() {
        return compiled.python.clone();
    }
    let mut out = String::with_capacity(compiled.python.len());
    for (i, line) in compiled.python.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if blank
            .iter()
            .any(|&(first, last)| (first..=last).contains(&n))
        {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    out
}
