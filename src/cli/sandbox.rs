//! `gearc run --local --sandbox`: a private redis-server for one run, on a free loopback
//! port, seeded with the file's example data, stopped by pid when the run ends. Nothing
//! else is touched, so a newcomer can see a result with nothing set up.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sandbox {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Sandbox {
    /// Starts the server and runs the seed commands on it.
    pub fn start(seed: &[Vec<String>]) -> Result<Sandbox, String> {
        let binary = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let mut last = String::new();
        // A port found free can be taken before the server binds it: try a few.
        for _ in 0..5 {
            let dir =
                tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| format!("no free loopback port: {e}"))?
                .port();
            let child = Command::new(&binary)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => format!(
                        "--sandbox starts a private `{binary}`, which is not installed (Debian: apt install redis-server; or set REDIS_SERVER)"
                    ),
                    _ => format!("cannot start `{binary}`: {e}"),
                })?;
            let mut sandbox = Sandbox {
                child,
                url: format!("redis://127.0.0.1:{port}"),
                _dir: dir,
            };
            match sandbox.seed(seed) {
                Ok(()) => return Ok(sandbox),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn seed(&mut self, seed: &[Vec<String>]) -> Result<(), String> {
        let client = redis::Client::open(self.url.as_str()).map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut con = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the sandbox redis-server exited at start ({status})"
                ));
            }
            match client.get_connection_with_timeout(Duration::from_millis(200)) {
                Ok(con) => break con,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => return Err(format!("the sandbox redis-server did not answer: {e}")),
            }
        };
        for command in seed {
            let mut cmd = redis::cmd(&command[0]);
            for arg in &command[1..] {
                cmd.arg(arg);
            }
            cmd.query::<redis::Value>(&mut con)
                .map_err(|e| format!("example data {command:?}: {e}"))?;
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
