//! The generated differential: a fixed-seed batch of random well-typed programs
//! (`tests/support/generate`) through `gearc run --local` on a plain Redis and
//! `gearc run` on a real RedisGears 1.2.13 server, each on the same seed data, with
//! the same exit status, results and errors; a subset (the programs whose result
//! cannot depend on the number of shards) also through a 3-shard RedisGears cluster.
//! Records are compared as sorted lines unless the program defines their order.
//!
//! Knobs for long runs: `GEARC_DIFF_SEED` (the first seed, default 1),
//! `GEARC_DIFF_COUNT` (how many programs, default 250) and `GEARC_DIFF_REPORT` (a
//! file that receives every failure, not only the first ones). A failure prints each
//! failing seed with its program and both outputs; the same seed gives the same
//! program (`GEARC_DIFF_SEED=N GEARC_DIFF_COUNT=1` runs it alone).

mod support;

#[path = "support/generate/mod.rs"]
mod generate;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use support::gears::{self, Gears};
use support::RedisServer;

/// One program in this many of those that may run on a cluster is run there too.
const CLUSTER_EVERY: u64 = 4;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        })
        .unwrap_or(default)
}

#[test]
fn redisgears_generated_programs_agree_with_the_local_engine() {
    let first = knob("GEARC_DIFF_SEED", 1);
    let count = knob("GEARC_DIFF_COUNT", 250);
    let plain = RedisServer::start();
    let single = gears::single();
    let cluster = gears::cluster();
    let seed = generate::data::seed_commands();
    seed_plain(&plain, &seed);
    seed_gears(single, &seed);
    seed_gears(cluster, &seed);

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("generated.gear");
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut on_cluster, mut failed_programs) = (0, 0);
    for n in first..first + count {
        let program = generate::program_for_seed(n, generate::Options::default());
        std::fs::write(&file, &program.source).expect("write the program");
        let local = gearc_run(&file, &plain.url(), true, !program.ordered);
        let server = gearc_run(&file, &single.url, false, !program.ordered);
        let mut failed = false;
        if local != server {
            failed = true;
            failures.push(format!(
                "seed {n}: --local and a RedisGears server differ\n{}--- local\n{local}--- RedisGears\n{server}",
                program.source
            ));
        }
        let to_cluster = program.cluster_safe && n.is_multiple_of(CLUSTER_EVERY);
        if to_cluster {
            on_cluster += 1;
            let shards = sorted_lines(&gearc_run(&file, &cluster.url, false, true));
            let one = sorted_lines(&server);
            if shards != one {
                failed = true;
                failures.push(format!(
                    "seed {n}: a RedisGears server and a 3-shard cluster differ\n{}--- server (sorted)\n{one}--- cluster (sorted)\n{shards}",
                    program.source
                ));
            }
        }
        failed_programs += usize::from(failed);
        let done = n - first + 1;
        if done.is_multiple_of(500) {
            eprintln!("{done} programs, {failed_programs} differ");
        }
        if program.writes {
            // Back to the seed data (a later `keys("*")` must not see `out:` keys).
            seed_plain(&plain, &seed);
            seed_gears(single, &seed);
            if to_cluster {
                seed_gears(cluster, &seed);
            }
        }
    }
    eprintln!(
        "{count} generated programs from seed {first} ({on_cluster} also on the cluster) in {:.1}s: {failed_programs} differ",
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = std::env::var_os("GEARC_DIFF_REPORT") {
        std::fs::write(&path, failures.join("\n\n")).expect("write GEARC_DIFF_REPORT");
    }
    assert!(
        on_cluster > 0 || count < 2 * CLUSTER_EVERY,
        "no program ran on the cluster"
    );
    assert!(
        failures.is_empty(),
        "{failed_programs} of {count} generated programs (seeds {first}..{}) differ; the first ones:\n\n{}",
        first + count,
        failures.iter().take(8).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

fn seed_plain(server: &RedisServer, seed: &[Vec<String>]) {
    let mut con = server.con();
    let _: () = redis::cmd("FLUSHALL").query(&mut con).expect("FLUSHALL");
    for command in seed {
        let _: redis::Value = to_cmd(command).query(&mut con).expect("seed");
    }
}

fn seed_gears(gears: &Gears, seed: &[Vec<String>]) {
    gears.flush();
    if gears.ports.len() == 1 {
        let mut con = gears.con();
        for command in seed {
            let _: redis::Value = to_cmd(command).query(&mut con).expect("seed");
        }
        return;
    }
    let nodes: Vec<String> = gears
        .ports
        .iter()
        .map(|p| format!("redis://127.0.0.1:{p}"))
        .collect();
    let client = redis::cluster::ClusterClient::new(nodes).expect("cluster client");
    let mut con = client.get_connection().expect("cluster connection");
    for command in seed {
        let _: redis::Value = to_cmd(command).query(&mut con).expect("seed the cluster");
    }
}

fn to_cmd(command: &[String]) -> redis::Cmd {
    let mut cmd = redis::cmd(&command[0]);
    for arg in &command[1..] {
        cmd.arg(arg);
    }
    cmd
}

/// `gearc run [--local] FILE --url URL`: exit status, stdout (its records sorted
/// when `any_order`) and stderr as one text.
fn gearc_run(file: &Path, url: &str, local: bool, any_order: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gearc"));
    cmd.arg("run");
    if local {
        cmd.arg("--local");
    }
    if !local {
        // A run that hangs fails this test instead of stalling it.
        cmd.args(["--timeout", "60"]);
    }
    let out = cmd
        .arg(file)
        .args(["--url", url])
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gearc");
    let mut stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if any_order {
        stdout = support::sort_records(&stdout);
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

fn sorted_lines(report: &str) -> String {
    let mut lines: Vec<&str> = report.lines().collect();
    lines.sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}
