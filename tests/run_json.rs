//! `gearc run --json`: results on stdout, one JSON line each; errors on stderr as JSON
//! objects with their `.gear` span, then a line that marks the results incomplete.

mod support;

use std::process::Command;

use support::RedisServer;

#[test]
fn run_json_writes_errors_with_spans_and_marks_partial_results() {
    let server = RedisServer::start();
    let mut con = server.con();
    for (k, v) in [("e:1", "not a number"), ("e:2", "5")] {
        let _: () = redis::cmd("SET").arg(k).arg(v).query(&mut con).unwrap();
    }
    let file = "tests/run/callback_error.gear";
    let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", "--local", file, "--json", "--url", &server.url()])
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("results are JSON lines");
    }
    let stderr: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("stderr is JSON lines under --json"))
        .collect();
    assert_eq!(stderr.len(), 2, "{stderr:?}");
    let error = &stderr[0]["error"];
    assert_eq!(error["code"], "gearc::run::callback_failed");
    assert!(error["message"].as_str().unwrap().starts_with("ValueError"));
    let source = std::fs::read_to_string(support::root().join(file)).unwrap();
    let (start, end) = (
        error["span"]["start"].as_u64().unwrap() as usize,
        error["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&source[start..end], "map(int(value))");
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(3), Some(15))
    );
    assert!(error["traceback"].as_str().unwrap().contains("Traceback"));
    assert_eq!(
        stderr[1],
        serde_json::json!({"incomplete": true, "failed": 1, "in": "the run"})
    );
}

/// `gearc run --local FILE --json` against a fresh server seeded with `keys`.
fn run_json(file: &str, seed: &[(&str, &str)]) -> (Option<i32>, String, Vec<serde_json::Value>) {
    let server = RedisServer::start();
    let mut con = server.con();
    for (k, v) in seed {
        let _: () = redis::cmd("SET").arg(k).arg(v).query(&mut con).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", "--local", file, "--json", "--url", &server.url()])
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).expect("stderr is JSON lines under --json"))
        .collect();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

/// The text of a JSON error's span in `file`.
fn spanned(file: &str, error: &serde_json::Value) -> String {
    let source = std::fs::read_to_string(support::root().join(file)).unwrap();
    let start = error["span"]["start"].as_u64().unwrap() as usize;
    let end = error["span"]["end"].as_u64().unwrap() as usize;
    source[start..end].to_string()
}

#[test]
fn run_json_names_the_stage_of_each_error_with_its_own_code() {
    // RedisGears' own sort: at the sort, with what to do
    let file = "tests/run/sort_error_in_gearsbuilder.gear";
    let (code, stdout, stderr) = run_json(file, &[]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    let error = &stderr[0]["error"];
    assert_eq!(error["code"], "gearc::run::operation_failed");
    assert_eq!(spanned(file, error), "sort");
    assert!(error["help"].as_str().unwrap().contains("sort(by = "));

    // the reader: at the reader
    let file = "tests/run/stream_run_not_a_stream.gear";
    let (code, _, stderr) = run_json(file, &[("events", "not a stream")]);
    assert_eq!(code, Some(1));
    let error = &stderr[0]["error"];
    assert_eq!(error["code"], "gearc::run::reader_failed");
    assert_eq!(spanned(file, error), "stream(\"events\")");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("not a stream (WRONGTYPE"));

    // the module while it loads: JSON too, with how to install the package
    let file = "tests/run/load_missing_package.gear";
    let (code, stdout, stderr) = run_json(file, &[]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert_eq!(stderr.len(), 2, "{stderr:?}");
    let error = &stderr[0]["error"];
    assert_eq!(error["code"], "gearc::run::load_failed");
    assert_eq!(spanned(file, error), "import gearc_no_such_package");
    assert!(error["help"].as_str().unwrap().contains("GEARC_PYTHON"));
    assert_eq!(
        stderr[1],
        serde_json::json!({"incomplete": true, "failed": 1, "in": "loading the module"})
    );
}
