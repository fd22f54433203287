//! Shared by the integration tests: a real redis-server on a free loopback port,
//! and the real Python interpreters that check generated code.
#![allow(dead_code)]

pub mod gears;

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A redis-server started for one test, stopped (by pid) when dropped.
pub struct RedisServer {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        Self::start_full(&[], &[], None)
    }

    /// A server with extra `redis-server` arguments (e.g. `--requirepass`).
    pub fn start_with(extra: &[&str]) -> RedisServer {
        Self::start_full(extra, &[], None)
    }

    /// A server with extra arguments and environment, its files in `dir` (or a new one).
    pub fn start_full(
        extra: &[&str],
        envs: &[(&str, &str)],
        mut dir: Option<tempfile::TempDir>,
    ) -> RedisServer {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
        for _ in 0..20 {
            let dir = dir
                .take()
                .unwrap_or_else(|| tempfile::tempdir().expect("temp dir"));
            let port = free_port();
            let child = Command::new(&binary)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .args(extra)
                .envs(envs.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {binary} ({e}); install it (apt install redis-server) or run the README's test command, which does"));
            let mut server = RedisServer {
                child,
                port,
                _dir: dir,
            };
            if server.wait_ready() {
                return server;
            }
            // Another process took the port between our probe and the start: try another.
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
        panic!("redis-server did not start on any free port");
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut con) = self.client().get_connection() {
                match redis::cmd("PING").query::<String>(&mut con) {
                    Ok(_) => return true,
                    // up, and asking for a password (`--requirepass`)
                    Err(e) if e.code() == Some("NOAUTH") => return true,
                    Err(_) => {}
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn client(&self) -> redis::Client {
        redis::Client::open(self.url()).expect("redis url")
    }

    pub fn con(&self) -> redis::Connection {
        self.client()
            .get_connection()
            .expect("connect to the test redis-server")
    }

    /// Empties the server and runs each seed command (`# redis:` lines) on it.
    pub fn seed(&self, seed: &[Vec<String>]) {
        let mut con = self.con();
        let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
        for command in seed {
            let _: redis::Value = command_of(command).query(&mut con).expect("seed");
        }
    }
}

/// One seed command (its name, then its arguments) as a redis command.
pub fn command_of(command: &[String]) -> redis::Cmd {
    let mut cmd = redis::cmd(&command[0]);
    for arg in &command[1..] {
        cmd.arg(arg);
    }
    cmd
}

/// For a server run in a test: one that hangs (a RedisGears run that never ends) fails
/// the test within a minute instead of stalling the whole suite.
pub const SERVER_TIMEOUT: &[&str] = &["--timeout", "60"];

/// `gearc run [--local] FILE --url URL [EXTRA...]` from the repository's root: exit
/// status, stdout (its records sorted when `any_order`) and stderr as one text, for
/// comparing the back ends.
pub fn run_report(
    file: &std::path::Path,
    url: &str,
    local: bool,
    any_order: bool,
    extra: &[&str],
) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gearc"));
    cmd.arg("run");
    if local {
        cmd.arg("--local");
    }
    let out = cmd
        .args(extra)
        .arg(file)
        .args(["--url", url])
        .current_dir(root())
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gearc");
    let mut stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if any_order {
        stdout = sort_records(&stdout);
    }
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        // the server path says that `run` leaves registrations to `deploy`
        .filter(|l| !l.starts_with("note: `run` leaves out"))
        .map(|l| format!("{l}\n"))
        .collect();
    format!(
        "exit: {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        out.status.code().map_or("signal".into(), |c| c.to_string())
    )
}

impl RedisServer {
    /// Stops the server at once (SIGKILL, as a crash).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The real CPython 3.7 (RedisGears' interpreter), when this machine has it through pyenv.
pub fn python37() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("GEARC_PYTHON37") {
        return Some(PathBuf::from(p));
    }
    let from_pyenv = Command::new("pyenv")
        .args(["prefix", "3.7.16"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|prefix| PathBuf::from(prefix.trim()).join("bin/python3.7"));
    let home = std::env::var("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .ok()
        .map(|root| root.join("versions/3.7.16/bin/python3.7"));
    [from_pyenv, home]
        .into_iter()
        .flatten()
        .find(|p| p.exists())
}

/// Parses `source` with Python's grammar: CPython 3.7 itself when present, and
/// always `python3` with `feature_version=(3, 7)`. Returns the error text on failure.
pub fn check_python37_syntax(source: &str) -> Result<(), String> {
    let mut checkers: Vec<(PathBuf, &str)> = vec![(
        PathBuf::from("python3"),
        "import ast,sys; ast.parse(sys.stdin.read(), feature_version=(3, 7))",
    )];
    if let Some(p37) = python37() {
        checkers.push((p37, "import ast,sys; ast.parse(sys.stdin.read())"));
    }
    for (python, code) in checkers {
        let out = run_python(&python, &["-c", code], source);
        if !out.0 {
            return Err(format!(
                "{} rejected the module:\n{}",
                python.display(),
                out.1
            ));
        }
    }
    Ok(())
}

/// Runs a Python interpreter with `stdin`; (success, stdout + stderr).
pub fn run_python(python: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(python)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write to python");
    let out = child.wait_with_output().expect("python output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Snapshot settings of the corpus tests: snapshots in the top-level `snapshots/`
/// folder, named after the corpus file alone.
pub fn corpus_snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The `# redis: [...]` lines of a corpus file: the commands that seed a fresh
/// keyspace for it.
pub fn seed_commands(source: &str) -> Vec<Vec<String>> {
    gearc::fixture::seed_commands(source).unwrap_or_else(|e| panic!("{e}"))
}

/// The output's lines sorted, a key/value table's header staying first: for results
/// that come back in no defined order.
pub fn sort_records(stdout: &str) -> String {
    let mut lines: Vec<&str> = stdout.lines().collect();
    let header = lines
        .first()
        .is_some_and(|first| first.split_whitespace().collect::<Vec<_>>() == ["key", "value"]);
    lines[usize::from(header)..].sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The `gearc` command as the tests run it: from the repository root, without colour
/// or the `REDIS_URL` of whoever runs the tests.
pub fn gearc_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gearc"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1");
    command
}

/// `gearc ARGS` from the repository root, without colour or `REDIS_URL`.
pub fn gearc(args: &[&str]) -> std::process::Output {
    gearc_command(args).output().expect("run gearc")
}

/// `gearc ARGS...` started in the background as [`gearc`] would run it, its stdout
/// and stderr piped, for tests that act on the server while it runs.
pub fn spawn_gearc(args: &[&str]) -> std::process::Child {
    gearc_command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gearc")
}

/// `gearc ARGS` as [`spawn_gearc`] starts it, whose reader takes the first `bytes` of
/// its standard output and goes (like `gearc … | head -c BYTES`): those bytes, and how
/// gearc ended.
pub fn gearc_to_a_reader_that_stops(
    args: &[&str],
    bytes: usize,
) -> (Vec<u8>, std::process::Output) {
    let mut child = spawn_gearc(args);
    let mut start = vec![0u8; bytes];
    std::io::Read::read_exact(child.stdout.as_mut().expect("piped"), &mut start)
        .expect("read the first bytes");
    drop(child.stdout.take());
    (start, child.wait_with_output().expect("gearc ends"))
}

/// [`gearc`] with `stdin` as its standard input (closed after it).
pub fn gearc_with_stdin(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = gearc_command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gearc");
    let mut input = child.stdin.take().expect("gearc's stdin");
    std::io::Write::write_all(&mut input, stdin.as_bytes()).expect("write gearc's stdin");
    drop(input);
    child.wait_with_output().expect("gearc's output")
}

/// Exit status, stdout and stderr as one text, for assertion messages.
pub fn report(o: &std::process::Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A `.gear` file named `name` in `dir`; its path.
pub fn gear_file(dir: &tempfile::TempDir, name: &str, source: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, source).expect("write gear file");
    path.display().to_string()
}
