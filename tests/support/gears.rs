//! Real RedisGears 1.2.13 servers for the tests: the module in `../shared/redisgears`
//! (or `GEARC_REDISGEARS`), loaded into Debian's redis-server on free loopback ports.
//!
//! Each test binary starts its servers once (`single()`, `cluster()`) and shares them.
//! The Rust test harness never drops statics, so every server is watched by a small
//! shell loop that stops it by pid as soon as the test process is gone: nothing
//! outlives the test binary, whether it passes, fails or is killed.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The folder holding `gears-server` and `lib/`, or why there is none. Without it the
/// RedisGears tests cannot run: they fail (never pass), and `.ci/test` skips them by
/// name and says so.
pub fn redisgears_dir() -> Result<PathBuf, String> {
    let dir = match std::env::var_os("GEARC_REDISGEARS") {
        Some(d) => PathBuf::from(d),
        None => super::root().join("../shared/redisgears"),
    };
    if dir.join("gears-server").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "RedisGears is not at {} (set GEARC_REDISGEARS to the folder with gears-server)",
            dir.display()
        ))
    }
}

fn require_dir() -> PathBuf {
    redisgears_dir().unwrap_or_else(|why| panic!("the RedisGears tests cannot run: {why}"))
}

/// A RedisGears deployment started for this test binary.
pub struct Gears {
    /// A URL of one node (for a cluster, its first node).
    pub url: String,
    pub ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

impl Gears {
    /// A handle on a server that something else started (and stops).
    pub fn attach(port: u16) -> Gears {
        Gears {
            url: format!("redis://127.0.0.1:{port}"),
            ports: vec![port],
            _dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn port(&self) -> u16 {
        self.ports[0]
    }

    pub fn con(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("connect to the test RedisGears")
    }

    /// A connection to every node (a cluster's data lives on all of them).
    pub fn node_cons(&self) -> Vec<redis::Connection> {
        self.ports
            .iter()
            .map(|p| {
                redis::Client::open(format!("redis://127.0.0.1:{p}"))
                    .and_then(|c| c.get_connection())
                    .expect("connect to a test node")
            })
            .collect()
    }

    /// Empties every node.
    pub fn flush(&self) {
        for mut con in self.node_cons() {
            let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
        }
    }

    /// Empties every node and runs each seed command, through a cluster client when
    /// there are several nodes (so each key lands on its slot's node).
    pub fn seed(&self, seed: &[Vec<String>]) {
        self.flush();
        if self.ports.len() == 1 {
            let mut con = self.con();
            for command in seed {
                let _: redis::Value = super::command_of(command).query(&mut con).expect("seed");
            }
            return;
        }
        let nodes: Vec<String> = self
            .ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}"))
            .collect();
        let client = redis::cluster::ClusterClient::new(nodes).expect("cluster client");
        let mut con = client.get_connection().expect("cluster connection");
        for command in seed {
            let _: redis::Value = super::command_of(command)
                .query(&mut con)
                .expect("seed the cluster");
        }
    }
}

/// One RedisGears server, shared by the tests of this binary.
pub fn single() -> &'static Gears {
    static SINGLE: OnceLock<Gears> = OnceLock::new();
    SINGLE.get_or_init(|| start(1))
}

/// A 3-shard Redis Cluster with RedisGears on every node, shared by this binary.
pub fn cluster() -> &'static Gears {
    static CLUSTER: OnceLock<Gears> = OnceLock::new();
    CLUSTER.get_or_init(|| start(3))
}

/// A 3-shard cluster of this test's own, for faults that break it (stopped by pid when
/// the test process ends, like the shared ones).
pub fn own_cluster() -> Gears {
    start(3)
}

impl Drop for Gears {
    /// A deployment of one test (`own_cluster`) stops with it, before its folder and
    /// the pid files in it are removed. (The shared ones are statics, never dropped:
    /// their watcher stops them when the test process ends.)
    fn drop(&mut self) {
        if let Ok(gears) = redisgears_dir() {
            let _ = Command::new(gears.join("gears-server"))
                .arg("stop")
                .arg(self._dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

impl Gears {
    /// Kills one node by its pid (SIGKILL, as a crash).
    pub fn kill_node(&self, port: u16) {
        let pidfile = self._dir.path().join(port.to_string()).join("redis.pid");
        let pid = std::fs::read_to_string(&pidfile)
            .unwrap_or_else(|e| panic!("{}: {e}", pidfile.display()));
        let status = Command::new("kill")
            .args(["-KILL", pid.trim()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {pid}");
    }
}

fn free_ports(n: usize) -> Vec<u16> {
    // Hold every listener until all are chosen, so the ports differ.
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("address").port())
        .collect()
}

fn start(shards: usize) -> Gears {
    let gears = require_dir();
    let script = gears.join("gears-server");
    for _ in 0..5 {
        let dir = tempfile::tempdir().expect("temp dir");
        let ports = free_ports(shards);
        let mut cmd = Command::new(&script);
        if shards == 1 {
            cmd.arg("single");
        } else {
            cmd.arg("cluster");
        }
        cmd.arg(dir.path());
        cmd.args(ports.iter().map(u16::to_string));
        let out = cmd.stdin(Stdio::null()).output().expect("run gears-server");
        // Watch this process: once it is gone, stop the servers (by the pids in DIR).
        let watcher = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; {script} stop {dir}; rm -rf {dir}",
            pid = std::process::id(),
            script = shell_quote(&script.display().to_string()),
            dir = shell_quote(&dir.path().display().to_string()),
        );
        // `sh` puts the loop in the background and returns at once (no child to reap).
        Command::new("sh")
            .args(["-c", &format!("( {watcher} ) </dev/null >/dev/null 2>&1 &")])
            .status()
            .expect("start the watcher");
        if out.status.success() {
            let url = format!("redis://127.0.0.1:{}", ports[0]);
            wait_ping(&url);
            return Gears {
                url,
                ports,
                _dir: dir,
            };
        }
        // A port taken meanwhile: stop what started and try other ports.
        let _ = Command::new(&script).arg("stop").arg(dir.path()).status();
        eprintln!(
            "gears-server failed ({}); retrying on other ports",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    panic!("RedisGears did not start (see the messages above)");
}

fn wait_ping(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut con) = redis::Client::open(url).and_then(|c| c.get_connection()) {
            if redis::cmd("PING").query::<String>(&mut con).is_ok() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{url} does not answer PING");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A plain redis-server started with extra arguments (e.g. `--requirepass`), stopped by
/// pid when dropped: for the faults that need a server of their own.
pub fn redis_with_args(extra: &[&str]) -> super::RedisServer {
    super::RedisServer::start_with(extra)
}

/// `redis-server` with RedisGears loaded and extra arguments, as a child of this test
/// (stopped by pid when dropped).
pub fn gears_with_args(extra: &[&str]) -> super::RedisServer {
    let gears = require_dir();
    let dir = tempfile::tempdir().expect("temp dir");
    let script = gears.join("gears-server");
    let module = Command::new(&script)
        .arg("module-args")
        .arg(dir.path())
        .output()
        .expect("gears-server module-args");
    let libs = Command::new(&script)
        .arg("library-path")
        .output()
        .expect("gears-server library-path");
    let module = String::from_utf8_lossy(&module.stdout).trim().to_string();
    let libs = String::from_utf8_lossy(&libs.stdout).trim().to_string();
    let mut args: Vec<String> = vec!["--loadmodule".into()];
    args.extend(module.split_whitespace().map(str::to_string));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    super::RedisServer::start_full(&args, &[("LD_LIBRARY_PATH", &libs)], Some(dir))
}
