//! Compile throughput and peak memory of `gearc compile` and `gearc check` on large
//! generated `.gear` files (many varied pipelines, constants and functions), the whole
//! path from reading the file to writing the module, at 1 MB and 10 MB: MB/s, peak RSS
//! as a multiple of the input, and how time and memory grow with the input (10× the
//! input should cost 10× the time: linear). Each figure is the median of its rounds.
//! A large file is parsed on two cores (`src/syntax/ahead.rs`): MB/s is given of wall
//! time (what the user waits) and of CPU time (the work, the steadier measure on a
//! shared machine).
//!
//!     cargo bench --bench compile
//!
//! With `GEARC_BENCH_BASELINE=/path/to/an/older/gearc` it measures that binary too, on
//! the same files in the same run, its rounds alternating with this build's: a before
//! and after side by side, under the same load.
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs on 64 KiB and 640 KiB,
//! one round, and checks only that both commands succeed. CPU time and peak RSS come
//! from `/usr/bin/time -f "%U %S %M"` (wall time and "not measured" without it).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GEARC: &str = env!("CARGO_BIN_EXE_gearc");

/// A file of about `target_bytes`: varied pipelines, constants and functions.
fn big_source(target_bytes: usize) -> String {
    let mut s = String::from("python \"\"\"\ndef helper(x):\n    return x\n\"\"\"\n");
    let mut i = 0;
    while s.len() < target_bytes {
        s.push_str(&format!(
            "let LIMIT_{i} = {i}\nfn scale_{i}(x) = x * {i} + LIMIT_{i}\n"
        ));
        s.push_str(&format!(
            "keys(\"user:{i}:*\", key_types = [\"hash\"]) | filter(value.get(\"age\", \"0\") != \"\") | map(scale_{i}(int(value[\"age\"]))) | groupby(str(it % 7), 0, |acc, r| acc + r) | register\n"
        ));
        s.push_str(&format!(
            "stream(\"events:{i}:*\", batch = 10) | foreach(execute(\"HSET\", f\"copy:{{id}}\", ...pairs(value))) | register(mode = \"async\")\n"
        ));
        s.push_str(&format!(
            "keys(\"k{i}:*\", event_types = [\"set\"]) | map(if len(key) > 3 then key.upper() else key.lower()) | foreach(log(f\"seen {{it}}\", level = \"notice\")) | register\n"
        ));
        i += 1;
    }
    s.push_str("keys(\"*-fighter\") | map(int(value)) | aggregate(0, add) | run\n");
    s
}

struct Measured {
    /// Wall time.
    wall: Duration,
    /// User + system CPU time when `/usr/bin/time` could tell, else the wall time: on a
    /// machine shared with other work the CPU time is the steadier measure.
    time: Duration,
    /// Peak resident set in bytes, when `/usr/bin/time` could tell.
    rss: Option<u64>,
}

/// `GEARC ARGS FILE` (`gearc` is the binary), its wall time and peak RSS; panics when
/// it fails.
fn run(gearc: &str, args: &[&str], file: &Path) -> Measured {
    let time_tool = Path::new("/usr/bin/time");
    let mut cmd = if time_tool.is_file() {
        let mut c = Command::new(time_tool);
        c.args(["-f", "%U %S %M", gearc]);
        c
    } else {
        Command::new(gearc)
    };
    cmd.args(args)
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().expect("run gearc");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "gearc {args:?} failed: {stderr}");
    let fields: Vec<f64> = match time_tool.is_file() {
        true => stderr
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect(),
        false => Vec::new(),
    };
    match fields[..] {
        [user, system, kib] => Measured {
            wall,
            time: Duration::from_secs_f64(user + system),
            rss: Some(kib as u64 * 1024),
        },
        _ => Measured {
            wall,
            time: wall,
            rss: None,
        },
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (sizes, rounds): (&[usize], usize) = if full {
        // 10 MB, not 10 MiB: gearc reads no file over 10 MiB (the generator overshoots).
        (&[1_000_000, 10_000_000], 9)
    } else {
        (&[64 << 10, 640 << 10], 1)
    };
    let baseline = std::env::var("GEARC_BENCH_BASELINE").ok();
    let mut binaries = vec![("", GEARC.to_string())];
    if let Some(old) = baseline {
        assert!(
            Path::new(&old).is_file(),
            "GEARC_BENCH_BASELINE: no file {old}"
        );
        binaries.insert(0, (" (baseline)", old));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "compile: median of {rounds} round(s); load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    );
    println!();
    println!(
        "| command | input | wall | MB/s | CPU (user+sys) | MB/s of CPU | peak RSS | RSS / input |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (command, args) in [
        ("gearc compile", &["compile", "-o", "/dev/null"][..]),
        ("gearc check", &["check"][..]),
    ] {
        let mut previous: Vec<Option<(usize, Measured)>> = binaries.iter().map(|_| None).collect();
        for &size in sizes {
            let source = big_source(size);
            let file = dir.path().join(format!("big{size}.gear"));
            std::fs::write(&file, &source).expect("write the input");
            // Round by round, each binary in turn: both see the same changes of load.
            let mut runs: Vec<Vec<Measured>> = binaries.iter().map(|_| Vec::new()).collect();
            for _ in 0..rounds {
                for (b, (_, gearc)) in binaries.iter().enumerate() {
                    runs[b].push(run(gearc, args, &file));
                }
            }
            for (b, runs) in runs.into_iter().enumerate() {
                let label = binaries[b].0;
                let previous = &mut previous[b];
                // Each figure's own median: wall and CPU time do not rise and fall together
                // when the other core is busy with something else.
                let median = |key: fn(&Measured) -> Duration| {
                    let mut all: Vec<Duration> = runs.iter().map(key).collect();
                    all.sort();
                    all[all.len() / 2]
                };
                let mut rss: Vec<Option<u64>> = runs.iter().map(|m| m.rss).collect();
                rss.sort();
                let m = Measured {
                    wall: median(|m| m.wall),
                    time: median(|m| m.time),
                    rss: rss[rss.len() / 2],
                };
                let mb = source.len() as f64 / 1e6;
                let rss = m.rss.map_or("not measured".to_string(), |r| {
                    format!("{:.1} MiB", r as f64 / (1 << 20) as f64)
                });
                let rss_ratio = m.rss.map_or("—".to_string(), |r| {
                    format!("{:.1}×", r as f64 / source.len() as f64)
                });
                println!(
                "| {command}{label} | {:.2} MiB | {:.1} ms | {:.1} | {:.1} ms | {:.1} | {rss} | {rss_ratio} |",
                source.len() as f64 / (1 << 20) as f64,
                m.wall.as_secs_f64() * 1000.0,
                mb / m.wall.as_secs_f64(),
                m.time.as_secs_f64() * 1000.0,
                mb / m.time.as_secs_f64(),
            );
                if let Some((prev_size, prev)) = &previous {
                    println!(
                        "|  ↳ {:.1}× the input: {:.1}× the wall time, {:.1}× the CPU time, {} the memory | | | | | | | |",
                        source.len() as f64 / *prev_size as f64,
                        m.wall.as_secs_f64() / prev.wall.as_secs_f64(),
                        m.time.as_secs_f64() / prev.time.as_secs_f64(),
                        match (m.rss, prev.rss) {
                            (Some(a), Some(b)) => format!("{:.1}×", a as f64 / b as f64),
                            _ => "—".to_string(),
                        }
                    );
                }
                *previous = Some((source.len(), m));
            }
        }
    }
}
