//! Process wall time of `gearc run examples/fighters.gear` against a real RedisGears,
//! side by side with `redis-cli RG.PYEXECUTE` of the same module, interleaved in one
//! run so both see the same machine. Prints the medians and their ratio.
//!
//!     cargo bench --bench server_run
//!
//! Needs the RedisGears in GEARC_REDISGEARS (default ../shared/redisgears); without it
//! it prints "not run" and why.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const ROUNDS: usize = 40;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = match common::gears_script() {
        Ok(script) => script,
        Err(why) => {
            println!("server_run: not run: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let port = match common::start_gears_single(&script, dir.path()) {
        Ok(port) => port,
        Err(why) => {
            println!("server_run: not run: {why}");
            return;
        }
    };
    let url = format!("redis://127.0.0.1:{port}");
    let cli = |args: &[&str]| {
        Command::new("redis-cli")
            .args(["-p", &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli")
    };
    cli(&[
        "MSET",
        "Foo-fighter",
        "2021",
        "Bar-fighter",
        "63",
        "Baz-fighter",
        "-747",
    ]);
    let module = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["compile", "examples/fighters.gear"])
        .current_dir(&root)
        .output()
        .expect("gearc compile");
    let module = String::from_utf8(module.stdout).expect("module text");

    let mut gearc_times = Vec::new();
    let mut cli_times = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
            .args(["run", "examples/fighters.gear", "--url", &url])
            .current_dir(&root)
            .output()
            .expect("gearc run");
        gearc_times.push(t.elapsed());
        assert_eq!(String::from_utf8_lossy(&out.stdout), "1337\n");
        let t = Instant::now();
        cli(&["RG.PYEXECUTE", &module]);
        cli_times.push(t.elapsed());
    }
    let _ = Command::new(&script).arg("stop").arg(dir.path()).status();
    let (g, c) = (median(&mut gearc_times), median(&mut cli_times));
    println!(
        "server_run: fighters on RedisGears 1.2.13, median of {ROUNDS} interleaved rounds: gearc run {:.1} ms, redis-cli RG.PYEXECUTE {:.1} ms, ratio {:.2}x",
        ms(g),
        ms(c),
        ms(g) / ms(c)
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
