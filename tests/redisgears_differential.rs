//! The three-way differential: every program of `tests/run/` and `examples/` (with a
//! `run` pipeline) gives the same output through `gearc run --local` on a plain Redis,
//! `gearc run` on a real RedisGears 1.2.13 server, and `gearc run` on a 3-shard
//! RedisGears cluster, each on the same seed data.
//!
//! Where RedisGears itself makes the outputs differ, the difference is named below
//! (`CLUSTER_DIFFERENCES`), with its reason, instead of being hidden: the test checks
//! that a named program really does differ (so the list cannot go stale) and that every
//! other program matches exactly.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::gears;
use support::RedisServer;

/// Programs whose cluster output differs from a single server's, and why. Everything
/// else must match after sorting (a cluster's records arrive in no defined order).
const CLUSTER_DIFFERENCES: &[(&str, &str)] = &[
    (
        "tests/run/foreach_execute.gear",
        "it writes keys of its own; on a cluster a write to a key that another shard owns is refused (`Operation not permitted`, RedisGears#1094)",
    ),
    (
        "tests/run/keys_no_scan.gear",
        "`no_scan` reads its one key on every shard; the shards that do not own it read `None`, and the `+` fails there",
    ),
    (
        "tests/run/flatmap_keeps_list_order.gear",
        "records that `collect` moves from another shard arrive at the initiator in reverse order (measured on 1.2.13: `flatmap` then `collect` gives a,b,c,d on the shard that owns the list and d,c,b,a when it crosses shards), so the order of a list is kept only when the initiator owns the key",
    ),
    (
        "tests/run/shards.gear",
        "`shards()` gives one record per shard: 1 on a server, 3 on the cluster",
    ),
    (
        "tests/run/rg_infocluster.gear",
        "RG.INFOCLUSTER describes the cluster there (one record per shard, each with the shards and their slots), where a single server answers `no cluster mode`",
    ),
];

/// Programs whose results are random by design: only their exit status and error
/// output are compared (their stdout is checked to be one line on every back end).
const RANDOM_RESULTS: &[(&str, &str)] = &[(
    "examples/monte_carlo_pi.gear",
    "estimates pi from random samples",
)];

#[test]
fn redisgears_three_way_differential() {
    let plain = RedisServer::start();
    let single = gears::single();
    let cluster = gears::cluster();
    let mut failures = Vec::new();
    let mut compared = 0;
    for file in programs() {
        let source = fs::read_to_string(support::root().join(&file)).expect("corpus file");
        let seed = seed_for(&file, &source);
        if !has_run_pipeline(&file) {
            continue;
        }
        compared += 1;
        let name = file.display().to_string();
        let any_order = source.lines().any(|l| l.trim() == "# order: any");
        let random = RANDOM_RESULTS.iter().any(|(n, _)| name.ends_with(n));
        let gearc_run = |file: &Path, url: &str, local: bool, any_order: bool| {
            let extra = if local {
                &[][..]
            } else {
                support::SERVER_TIMEOUT
            };
            let report = support::run_report(file, url, local, any_order, extra);
            if random {
                without_random_stdout(&report)
            } else {
                report
            }
        };

        plain.seed(&seed);
        let local = gearc_run(&file, &plain.url(), true, any_order);
        single.seed(&seed);
        let on_single = gearc_run(&file, &single.url, false, any_order);
        if local != on_single {
            failures.push(format!(
                "{name}: --local and a RedisGears server differ\n--- local\n{local}--- RedisGears\n{on_single}"
            ));
        }
        cluster.seed(&seed);
        let on_cluster = gearc_run(&file, &cluster.url, false, true);
        // (sorted from the same run: a second run would see what the first one changed)
        let single_sorted = normalize(&on_single);
        let differs = normalize(&on_cluster) != single_sorted;
        match CLUSTER_DIFFERENCES.iter().find(|(n, _)| name.ends_with(n)) {
            Some((_, why)) if !differs => failures.push(format!(
                "{name}: named as differing on a cluster ({why}), but it matches now: remove it from CLUSTER_DIFFERENCES"
            )),
            Some(_) => {}
            None if differs => failures.push(format!(
                "{name}: a RedisGears server and a 3-shard cluster differ\n--- server (sorted)\n{single_sorted}--- cluster (sorted)\n{}",
                normalize(&on_cluster)
            )),
            None => {}
        }
    }
    assert!(compared >= 30, "only {compared} programs compared");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `tests/run/*.gear`, then `examples/*.gear`.
fn programs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["tests/run", "examples"] {
        let mut files: Vec<PathBuf> = fs::read_dir(support::root().join(dir))
            .expect("corpus folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "gear"))
            .map(|p| PathBuf::from(dir).join(p.file_name().expect("name")))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

/// A file's seed: its own `# redis:` lines, or (for an example) those of the run-corpus
/// file of the same name.
fn seed_for(file: &Path, source: &str) -> Vec<Vec<String>> {
    let own = support::seed_commands(source);
    if !own.is_empty() {
        return own;
    }
    let twin = support::root()
        .join("tests/run")
        .join(file.file_name().expect("name"));
    fs::read_to_string(twin)
        .map(|s| support::seed_commands(&s))
        .unwrap_or_default()
}

fn has_run_pipeline(file: &Path) -> bool {
    let source = fs::read_to_string(support::root().join(file)).expect("file");
    gearc::compile(&source, "x.gear")
        .map(|c| c.run_pipeline().is_some())
        .unwrap_or(true)
}

/// A report whose stdout (one line of a random result) is replaced by its line count.
fn without_random_stdout(report: &str) -> String {
    let (head, rest) = report.split_once("--- stdout\n").expect("a report");
    let (stdout, stderr) = rest.split_once("--- stderr\n").expect("a report");
    format!(
        "{head}--- stdout\n[{} line(s) of random results]\n--- stderr\n{stderr}",
        stdout.lines().count()
    )
}

/// The output with its lines sorted (for comparing a cluster's records).
fn normalize(report: &str) -> String {
    let mut lines: Vec<&str> = report.lines().collect();
    lines.sort_unstable();
    lines.iter().map(|l| format!("{l}\n")).collect()
}
