//! The generated differential: a fixed-seed batch of random well-typed programs
//! (`tests/support/generate`) through `gearc run --local` on a plain Redis and
//! `gearc run` on a real RedisGears 1.2.13 server, each on the same seed data, with
//! the same exit status, results and errors; a subset (the programs whose result
//! cannot depend on the number of shards) also through a 3-shard RedisGears cluster.
//! Records are compared as sorted lines unless the program defines their order.
//!
//! Knobs for long runs: `GEARC_DIFF_SEED` (the first seed, default 1),
//! `GEARC_DIFF_COUNT` (how many programs, default 250), `GEARC_DIFF_SEEDS` (a list of
//! seeds separated by commas or whitespace, instead of the range; to re-run exactly the
//! programs a generator change altered; each of them that may runs on the cluster too) and `GEARC_DIFF_REPORT` (a
//! file that receives every failure, not only the first ones). A failure prints each
//! failing seed with its program and both outputs; the same seed gives the same
//! program (`GEARC_DIFF_SEED=N GEARC_DIFF_COUNT=1` runs it alone).

mod support;

#[path = "support/generate/mod.rs"]
mod generate;

use std::time::Instant;

use support::gears;
use support::{run_report, RedisServer, SERVER_TIMEOUT};

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
    let seeds = seeds_to_run(first, knob("GEARC_DIFF_COUNT", 250));
    let count = seeds.len() as u64;
    // A listed seed is re-run to look at it closely: on the cluster too when it may.
    let listed = std::env::var_os("GEARC_DIFF_SEEDS").is_some();
    let plain = RedisServer::start();
    let single = gears::single();
    let cluster = gears::cluster();
    let seed = generate::data::seed_commands();
    plain.seed(&seed);
    single.seed(&seed);
    cluster.seed(&seed);

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("generated.gear");
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut on_cluster, mut failed_programs) = (0, 0);
    for (done, n) in (1u64..).zip(seeds.iter().copied()) {
        let program = generate::program_for_seed(n, generate::Options::default());
        std::fs::write(&file, &program.source).expect("write the program");
        let local = run_report(&file, &plain.url(), true, !program.ordered, &[]);
        let server = run_report(&file, &single.url, false, !program.ordered, SERVER_TIMEOUT);
        let mut failed = false;
        if local != server {
            failed = true;
            failures.push(format!(
                "seed {n}: --local and a RedisGears server differ\n{}--- local\n{local}--- RedisGears\n{server}",
                program.source
            ));
        }
        let to_cluster = program.cluster_safe && (listed || n.is_multiple_of(CLUSTER_EVERY));
        if to_cluster {
            on_cluster += 1;
            let shards = sorted_lines(&run_report(
                &file,
                &cluster.url,
                false,
                true,
                SERVER_TIMEOUT,
            ));
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
        if done.is_multiple_of(500) {
            eprintln!("{done} programs, {failed_programs} differ");
        }
        if program.writes {
            // Back to the seed data (a later `keys("*")` must not see `out:` keys).
            plain.seed(&seed);
            single.seed(&seed);
            if to_cluster {
                cluster.seed(&seed);
            }
        }
    }
    eprintln!(
        "{count} generated programs, {} ({on_cluster} also on the cluster) in {:.1}s: {failed_programs} differ",
        describe(&seeds),
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
        "{failed_programs} of {count} generated programs ({}) differ; the first ones:\n\n{}",
        describe(&seeds),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// The seeds of this run: `GEARC_DIFF_SEEDS` when set, else `count` seeds from `first`.
fn seeds_to_run(first: u64, count: u64) -> Vec<u64> {
    match std::env::var("GEARC_DIFF_SEEDS") {
        Ok(list) => list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .unwrap_or_else(|_| panic!("GEARC_DIFF_SEEDS: {s:?} is not a seed"))
            })
            .collect(),
        Err(_) => (first..first + count).collect(),
    }
}

fn describe(seeds: &[u64]) -> String {
    match (seeds.first(), seeds.last()) {
        (Some(a), Some(b)) if b - a + 1 == seeds.len() as u64 => format!("seeds {a}..={b}"),
        _ => format!("{} listed seeds", seeds.len()),
    }
}

fn sorted_lines(report: &str) -> String {
    let mut lines: Vec<&str> = report.lines().collect();
    lines.sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}
