//! The local back end: runs a compiled module against a plain Redis with the
//! RedisGears emulation in `runtime/` (a Python package embedded in the binary),
//! so a pipeline can be tried without a RedisGears server. It runs the same
//! module text that `gearc compile` prints.

use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStderr, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread;

use thiserror::Error;

pub mod files;
mod protocol;

pub use protocol::Event;

#[derive(Clone, Debug)]
pub struct LocalOptions {
    /// `redis://[user:password@]host:port/db`
    pub url: String,
    /// The interpreter; `python3` from PATH when `None`.
    pub python: Option<String>,
    /// Keep running and apply registrations to live events.
    pub watch: bool,
    /// With `watch`: where CONFIG cannot be read, trust the server's
    /// notify-keyspace-events to be right instead of refusing to start.
    pub trust_server_config: bool,
    /// How long to wait for Redis to accept the connection and answer the first PING.
    pub connect_timeout: std::time::Duration,
    /// Lets another thread (a Ctrl-C handler) stop the engine.
    pub stop: Option<StopHandle>,
}

/// Stops a running engine from another thread: the engine then restores what it
/// changed on the server (`notify-keyspace-events`) and ends.
#[derive(Clone, Debug, Default)]
pub struct StopHandle {
    pid: Arc<AtomicU32>,
}

impl StopHandle {
    pub fn stop(&self) {
        let pid = self.pid.load(Ordering::SeqCst);
        if pid != 0 {
            // SIGTERM; the engine treats it like Ctrl-C. `kill` keeps gearc free of unsafe code.
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

#[derive(Debug, Error, miette::Diagnostic)]
pub enum EngineError {
    #[error("`{python}`{from} was not found")]
    #[diagnostic(
        code(gearc::engine::no_python),
        help("the local engine needs Python 3.7 or newer: install python3 (e.g. `apt install python3`) or set GEARC_PYTHON to the path of an interpreter")
    )]
    NoPython { python: String, from: &'static str },

    #[error("could not start the local engine: {0}")]
    #[diagnostic(code(gearc::engine::io))]
    Io(#[from] std::io::Error),

    #[error("{message}")]
    #[diagnostic(code(gearc::engine::redis))]
    Redis { message: String },

    #[error("RedisGears would reject this module: {message}")]
    #[diagnostic(code(gearc::engine::script))]
    Script { message: String },

    #[error("`{python}`{from} did not start a Python interpreter (exit status {status})")]
    #[diagnostic(
        code(gearc::engine::python_failed),
        help("an exit status of 126 or 127 comes from what runs the interpreter (a version manager's shim, a wrapper script) when it cannot find or start one (its own words are above): point GEARC_PYTHON at a Python 3.7+ binary, e.g. the one `python3 -c 'import sys; print(sys.executable)'` prints")
    )]
    PythonFailed {
        python: String,
        from: &'static str,
        status: i32,
    },

    #[error("the local engine stopped unexpectedly{}", status.map(|s| format!(" (exit status {s})")).unwrap_or_default())]
    #[diagnostic(
        code(gearc::engine::crashed),
        help("this is a bug in gearc's local engine; its last output was:\n{output}")
    )]
    Crashed { status: Option<i32>, output: String },
}

/// Runs `module` and hands each event to `on_event` as it arrives (a watch runs until interrupted).
///
/// With `GEARC_SAVE_MODULE=PATH` in the environment, the module handed to the
/// engine is also written to PATH, to see exactly what ran.
pub fn run(
    module: &str,
    options: &LocalOptions,
    mut on_event: impl FnMut(&Event),
) -> Result<(), EngineError> {
    if let Some(path) = std::env::var_os("GEARC_SAVE_MODULE") {
        std::fs::write(path, module)?;
    }
    let dir = files::engine_dir()?;
    // Where the interpreter's name came from is part of every message about it: a
    // GEARC_PYTHON set long ago is easily forgotten.
    let (python, from) = match (&options.python, std::env::var("GEARC_PYTHON")) {
        (Some(p), _) => (p.clone(), ""),
        (None, Ok(p)) => (p, " (named by GEARC_PYTHON)"),
        (None, Err(_)) => ("python3".to_string(), " (looked up on PATH)"),
    };
    let mut command = Command::new(&python);
    command
        .arg("-u")
        .arg(dir.path())
        // not `--url`: every user of the machine can read a process's arguments, and
        // the URL may hold a password
        .env("GEARC_ENGINE_URL", &options.url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if options.watch {
        command.arg("--watch");
    }
    if options.trust_server_config {
        command.arg("--trust-server-config");
    }
    command
        .arg("--connect-timeout")
        .arg(options.connect_timeout.as_secs_f64().to_string());
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => EngineError::NoPython {
            python: python.clone(),
            from,
        },
        _ => EngineError::Io(e),
    })?;
    if let Some(stop) = &options.stop {
        stop.pid.store(child.id(), Ordering::SeqCst);
    }
    let relay = child
        .stderr
        .take()
        .map(|pipe| thread::spawn(move || relay_lines(pipe)));
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(module.as_bytes()) {
            // An engine that ended at once says why through its exit status.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    }
    let mut failure = None;
    let mut unparsed = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            match serde_json::from_str::<Event>(&line) {
                Ok(Event::Fatal { message }) => failure = Some(EngineError::Redis { message }),
                Ok(Event::ScriptError { message }) => {
                    failure = Some(EngineError::Script { message })
                }
                Ok(event) => on_event(&event),
                Err(_) => {
                    unparsed.push_str(&line);
                    unparsed.push('\n');
                }
            }
        }
    }
    let status = child.wait()?;
    if let Some(relay) = relay {
        let _ = relay.join(); // every line of the engine is out before gearc goes on
    }
    if let Some(stop) = &options.stop {
        stop.pid.store(0, Ordering::SeqCst);
    }
    if let Some(f) = failure {
        return Err(f);
    }
    match status.code() {
        _ if status.success() => Ok(()),
        // What starts the interpreter could not (a shim without an interpreter, ...): no
        // engine code ran, so nothing was written to the protocol either.
        Some(code @ (126 | 127)) if unparsed.is_empty() => Err(EngineError::PythonFailed {
            python,
            from,
            status: code,
        }),
        code => Err(EngineError::Crashed {
            status: code,
            output: unparsed,
        }),
    }
}

/// Copies the engine's stderr to gearc's, a whole line at a time under stderr's lock, so
/// that its lines never interleave with gearc's own messages mid-line.
fn relay_lines(pipe: ChildStderr) {
    let mut reader = BufReader::new(pipe);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(&line);
        let _ = stderr.flush();
    }
}
