//! How `gearc check` and `gearc compile` grow with the number of items in a file, where
//! they once grew with its square: N unknown names among N `let`s (each one's "did you
//! mean" compared it with every name in scope), the same with every unknown name one
//! edit from a `let` (every comparison a candidate), and N `register` pipelines. Each is
//! timed at N and 10 N: 10× the items should cost about 10× the time, not 100×.
//!
//!     cargo bench --bench many_items            # N = 1,000 and 10,000, median of 3
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs N = 100 and 1,000
//! once and checks that every command succeeds or fails as it should, and that the
//! suggestions are there. Times are CPU time (user + system, from `/usr/bin/time`),
//! the steadier measure on a shared machine; the wall time without it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GEARC: &str = env!("CARGO_BIN_EXE_gearc");

struct Workload {
    name: &'static str,
    args: &'static [&'static str],
    source: fn(usize) -> String,
    /// The exit status it must end with.
    status: i32,
    /// A text its standard output must hold.
    expect: fn(usize) -> String,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "check: N `let x_i = undefined_i` (no suggestion)",
        args: &["check", "--message-format", "json"],
        source: |n| {
            let lets: String = (0..n)
                .map(|i| format!("let x{i} = undefined_{i}\n"))
                .collect();
            lets + "python(range(3)) | run\n"
        },
        status: 1,
        expect: |n| format!("undefined_{}", n - 1),
    },
    Workload {
        name: "check: N `let x_i = y_i` (each one edit from a `let`)",
        args: &["check", "--message-format", "json"],
        source: |n| {
            let lets: String = (0..n).map(|i| format!("let x{i} = y{i}\n")).collect();
            lets + "python(range(3)) | run\n"
        },
        status: 1,
        expect: |n| format!("did you mean `x{}`?", n - 1),
    },
    Workload {
        name: "check: N `let v_i_ab`, N `let q_i = w_i_ba` (two edits: no shortcut)",
        args: &["check", "--message-format", "json"],
        source: |n| {
            let globals: String = (0..n).map(|i| format!("let v{i:05}_ab = 1\n")).collect();
            let misses: String = (0..n).map(|i| format!("let q{i} = w{i:05}_ba\n")).collect();
            globals + &misses + "python(range(3)) | run\n"
        },
        status: 1,
        expect: |n| format!("did you mean `v{:05}_ab`?", n - 1),
    },
    Workload {
        name: "check: a Python block binding N names, a `let` named like the last",
        args: &["check", "--message-format", "json"],
        source: |n| {
            let names: String = (0..n)
                .map(|i| format!("import m{i}\nv{i} = {i}\n"))
                .collect();
            let last = n - 1;
            format!("python \"\"\"\n{names}\"\"\"\nlet m{last} = 1\npython(range(3)) | run\n")
        },
        status: 1,
        expect: |n| format!("`m{}` is defined twice", n - 1),
    },
    Workload {
        name: "compile: N `register` pipelines",
        args: &["compile"],
        source: |n| {
            (0..n)
                .map(|i| {
                    format!(
                        "keys(\"k{i}:*\", event_types = [\"set\"]) | map(key.upper()) | foreach(execute(\"SET\", f\"seen:{{it}}\", \"1\")) | register(mode = \"sync\")\n"
                    )
                })
                .collect()
        },
        status: 0,
        expect: |n| format!("k{}:*", n - 1),
    },
];

/// `gearc ARGS FILE`: its CPU time (or wall time), exit status and stdout.
fn run(args: &[&str], file: &Path) -> (Duration, i32, String) {
    let time_tool = Path::new("/usr/bin/time");
    let mut cmd = if time_tool.is_file() {
        let mut c = Command::new(time_tool);
        c.args(["-f", "%U %S", GEARC]);
        c
    } else {
        Command::new(GEARC)
    };
    cmd.args(args)
        .arg(file)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().expect("run gearc");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cpu: Vec<f64> = stderr
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let time = match cpu[..] {
        [user, system] if time_tool.is_file() => Duration::from_secs_f64(user + system),
        _ => wall,
    };
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (time, out.status.code().unwrap_or(-1), stdout)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (sizes, rounds): ([usize; 2], usize) = if full {
        ([1_000, 10_000], 3)
    } else {
        ([100, 1_000], 1)
    };
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "many_items: median of {rounds} round(s); load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    );
    println!();
    println!(
        "| workload | N = {} | N = {} | 10× N costs |",
        sizes[0], sizes[1]
    );
    println!("|---|---:|---:|---:|");
    for w in WORKLOADS {
        let mut times = Vec::new();
        for n in sizes {
            let file = dir.path().join(format!("items{n}.gear"));
            std::fs::write(&file, (w.source)(n)).expect("write the input");
            let mut runs: Vec<Duration> = (0..rounds)
                .map(|_| {
                    let (time, status, stdout) = run(w.args, &file);
                    assert_eq!(status, w.status, "{}, N = {n}: exit status", w.name);
                    let expect = (w.expect)(n);
                    assert!(
                        stdout.contains(&expect),
                        "{}, N = {n}: no {expect:?} in the output",
                        w.name
                    );
                    time
                })
                .collect();
            runs.sort();
            times.push(runs[runs.len() / 2]);
        }
        println!(
            "| {} | {:.0} ms | {:.0} ms | {:.1}× the time |",
            w.name,
            times[0].as_secs_f64() * 1000.0,
            times[1].as_secs_f64() * 1000.0,
            times[1].as_secs_f64() / times[0].as_secs_f64().max(1e-3),
        );
    }
}
