//! From `--url` and friends to a server connection, and a submission's failure to a
//! message and an exit status.

use std::time::Duration;

use gearc::submit::server::{self, Connection, Timeouts};
use gearc::submit::{ServerOptions, SubmitError, Target};

use super::args::ConnectArgs;
use super::{exit, output};

impl ConnectArgs {
    pub fn target(&self) -> Result<Target, SubmitError> {
        let mut url = self.url.clone();
        if self.tls_insecure && !url.contains('#') {
            // the redis crate's spelling of "do not verify the certificate"
            url.push_str("#insecure");
        }
        Target::parse(&url)
    }

    /// `--connect-timeout` (0 or less: the 5 s default).
    pub fn connect_timeout(&self) -> Duration {
        seconds(self.connect_timeout).unwrap_or(Duration::from_secs(5))
    }

    pub fn server_options(&self, limit: Option<f64>) -> Result<ServerOptions, SubmitError> {
        Ok(ServerOptions {
            target: self.target()?,
            timeouts: Timeouts {
                connect: self.connect_timeout(),
                response: None,
            },
            limit: limit.and_then(seconds),
        })
    }

    /// Runs `work` with a connection to the server, printing any failure; the exit status.
    pub fn with_connection<F>(&self, work: F) -> u8
    where
        F: AsyncFnOnce(&mut Connection) -> Result<u8, SubmitError>,
    {
        let result = (|| {
            let options = self.server_options(None)?;
            let runtime = server::runtime().map_err(gearc::submit::local::EngineError::Io)?;
            runtime.block_on(async {
                let mut con = Connection::open(&options.target, options.timeouts).await?;
                work(&mut con).await
            })
        })();
        match result {
            Ok(status) => status,
            Err(e) => report(&e),
        }
    }
}

/// A positive number of seconds; 0 (or less) means no limit.
fn seconds(s: f64) -> Option<Duration> {
    (s > 0.0 && s.is_finite()).then(|| Duration::from_secs_f64(s))
}

/// Prints a failure that has no `.gear` span; its exit status.
pub fn report(e: &SubmitError) -> u8 {
    eprint!("{}", output::render_diagnostic(e));
    status_of(e)
}

pub fn status_of(e: &SubmitError) -> u8 {
    match e {
        SubmitError::Interrupted { .. } => exit::INTERRUPTED,
        SubmitError::ModuleRejected { .. } => exit::ERRORS,
        _ => exit::TROUBLE,
    }
}
