//! `keys(…) | foreach(execute("DEL", key)) | count | run` is lowered to one DEL per
//! SCAN batch (src/lower/batched_delete.rs). These tests hold it to what the per-key form
//! does, on real servers: the same count and the same keys left, on a RedisGears server
//! and on a 3-shard cluster (where one DEL cannot take keys of several hash slots), over
//! several SCAN batches of keys of every type; and, where a DEL is refused (an ACL user on
//! the local engine), the same error at the `foreach` and the same keys deleted.
//!
//! The per-key form is the same job with a step after the count, which the lowering
//! leaves as one step per operation (checked here on the modules). The RedisGears test is
//! named `redisgears_…`, so that `.ci/test` leaves it out, and says so, where there is no
//! RedisGears.

mod support;

use support::gears;
use support::RedisServer;

const BATCHED: &str = "keys(\"del:*\") | foreach(execute(\"DEL\", key)) | count | run\n";
const PER_KEY: &str = "keys(\"del:*\") | foreach(execute(\"DEL\", key)) | count | map(it) | run\n";

/// The two programs in files of `dir`, after checking which one is batched.
fn programs(dir: &tempfile::TempDir) -> [String; 2] {
    let batched = gearc::compile(BATCHED, "b.gear").expect("compiles").python;
    let per_key = gearc::compile(PER_KEY, "p.gear").expect("compiles").python;
    assert!(batched.contains("execute(\"DEL\", *keys)"), "{batched}");
    assert!(!per_key.contains("*keys"), "{per_key}");
    // Same file name, so that the two reports can be compared as they are.
    [
        support::gear_file(dir, "batched/job.gear", BATCHED),
        support::gear_file(dir, "per_key/job.gear", PER_KEY),
    ]
}

/// 2,500 keys `del:N` (every fifth a hash, every seventh a list) and 20 `keep:N`.
fn seed() -> Vec<Vec<String>> {
    let mut seed = Vec::new();
    for i in 0..2_500 {
        let key = format!("del:{i}");
        let command: Vec<&str> = if i % 5 == 0 {
            vec!["HSET", &key, "f", "v"]
        } else if i % 7 == 0 {
            vec!["RPUSH", &key, "x"]
        } else {
            vec!["SET", &key, "v"]
        };
        seed.push(command.into_iter().map(String::from).collect());
    }
    for i in 0..20 {
        seed.push(vec!["SET".into(), format!("keep:{i}"), "v".into()]);
    }
    seed
}

/// Every key left on the nodes, sorted.
fn keys_left(cons: &mut [redis::Connection]) -> Vec<String> {
    let mut keys: Vec<String> = cons
        .iter_mut()
        .flat_map(|con| {
            redis::cmd("KEYS")
                .arg("*")
                .query::<Vec<String>>(con)
                .expect("KEYS")
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn redisgears_batched_delete_counts_and_deletes_as_per_key_on_a_server_and_a_cluster() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("batched")).expect("dir");
    std::fs::create_dir_all(dir.path().join("per_key")).expect("dir");
    let files = programs(&dir);
    let mut kept: Vec<String> = (0..20).map(|i| format!("keep:{i}")).collect();
    kept.sort();
    for (name, gears) in [("server", gears::single()), ("cluster", gears::cluster())] {
        let mut reports = Vec::new();
        for file in &files {
            gears.seed(&seed());
            let report = support::run_report(
                std::path::Path::new(file),
                &gears.url,
                false,
                false,
                support::SERVER_TIMEOUT,
            );
            assert_eq!(
                report, "exit: 0\n--- stdout\n2500\n--- stderr\n",
                "{name}: {file}"
            );
            assert_eq!(keys_left(&mut gears.node_cons()), kept, "{name}: {file}");
            reports.push(report);
        }
        assert_eq!(reports[0], reports[1], "{name}");
    }
}

#[test]
fn a_refused_delete_is_that_records_error_at_the_foreach_as_with_one_delete_per_key() {
    // The local engine runs each command as the URL's user: this one may delete only
    // `del:ok:*`, so the batch's DEL is refused and then each `del:no:*` key's own.
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = redis::cmd("ACL")
        .arg(&["SETUSER", "limited", "on", ">pw", "~del:ok:*", "+@all"])
        .query(&mut con)
        .expect("ACL SETUSER");
    let url = format!("redis://limited:pw@127.0.0.1:{}", server.port);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("batched")).expect("dir");
    std::fs::create_dir_all(dir.path().join("per_key")).expect("dir");
    let files = programs(&dir);
    // The run stops at its first error: what it deleted and counted depends on where
    // SCAN puts the first refused key (Redis' hash seed is random per process). Find a
    // key set where it comes first and one where allowed keys come before it.
    let mut cases: [Option<Vec<Vec<String>>>; 2] = [None, None];
    for n in 0..100 {
        let seed: Vec<Vec<String>> = [
            format!("del:ok:{n}a"),
            format!("del:no:{n}a"),
            format!("del:ok:{n}b"),
            format!("del:ok:{n}c"),
            format!("del:no:{n}b"),
            "keep".into(),
        ]
        .into_iter()
        .map(|k| vec!["SET".into(), k, "v".into()])
        .collect();
        server.seed(&seed);
        let (_, order): (String, Vec<String>) = redis::cmd("SCAN")
            .arg(&["0", "MATCH", "del:*", "COUNT", "1000"])
            .query(&mut con)
            .expect("SCAN");
        let first_refused = order.iter().position(|k| k.starts_with("del:no:"));
        let case = usize::from(first_refused != Some(0));
        cases[case].get_or_insert(seed);
        if cases.iter().all(Option::is_some) {
            break;
        }
    }
    for (case, seed) in cases.iter().enumerate() {
        let seed = seed.as_ref().expect("both orders within 100 key sets");
        let mut outcomes = Vec::new();
        for file in &files {
            server.seed(seed);
            let report = support::run_report(std::path::Path::new(file), &url, true, false, &[]);
            assert!(report.starts_with("exit: 1\n--- stdout\n"), "{report}");
            assert!(report.contains("gears.error: NOPERM"), "{report}");
            assert!(report.contains("job.gear:1:17]"), "{report}");
            assert!(report.contains("1 record of the run failed"), "{report}");
            // The same error, told the same way, but for the Python traceback's line
            // and the program's own line.
            let report = report
                .replace(&dir.path().display().to_string(), "DIR")
                .replace("/batched/", "/")
                .replace("/per_key/", "/");
            let told: Vec<&str> = report
                .lines()
                .filter(|l| !l.contains("File \"<string>\"") && !l.starts_with(" 1 │"))
                .collect();
            outcomes.push((told.join("\n"), keys_left(&mut [server.con()])));
        }
        assert_eq!(outcomes[0], outcomes[1], "case {case}");
        // Where allowed keys come first they are deleted and counted; else nothing is.
        let deleted = 6 - outcomes[0].1.len();
        let printed = if case == 0 {
            String::new()
        } else {
            format!("{deleted}\n")
        };
        assert!(
            outcomes[0]
                .0
                .starts_with(&format!("exit: 1\n--- stdout\n{printed}--- stderr\n")),
            "case {case}: {outcomes:?}"
        );
        assert_eq!(deleted > 0, case == 1, "case {case}: {outcomes:?}");
    }
}
