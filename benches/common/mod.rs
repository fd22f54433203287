//! Shared by the bench binaries: where RedisGears is, how one is started, and the
//! small measuring helpers each bench prints with.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The `gears-server` script of the RedisGears 1.2.13 the benches compare against
/// (`GEARC_REDISGEARS`, default `../shared/redisgears`), or why there is none.
pub fn gears_script() -> Result<PathBuf, String> {
    let folder = std::env::var_os("GEARC_REDISGEARS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/redisgears"));
    let script = folder.join("gears-server");
    if script.is_file() {
        Ok(script)
    } else {
        Err(format!(
            "no RedisGears at {} (set GEARC_REDISGEARS to the folder with gears-server)",
            folder.display()
        ))
    }
}

/// Starts one RedisGears server with `gears-server single DIR PORT` on a free port, and
/// returns the port; the caller stops it with `gears-server stop DIR`.
pub fn start_gears_single(script: &Path, dir: &Path) -> Result<u16, String> {
    let port = free_port();
    let out = Command::new(script)
        .arg("single")
        .arg(dir)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(format!(
            "gears-server single failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(port)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The load average (1, 5 and 15 minutes), printed beside the figures it affects.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}
