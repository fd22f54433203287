//! Every file in `tests/run/` is a Gear program with the data it runs on: lines
//! `# redis: ["SET", "k", "v"]` seed a fresh keyspace, then `gearc run --local` runs
//! the file against a real redis-server, and what it prints (exit code, stdout,
//! stderr) is snapshotted for review. One file per operation and per reader, each
//! with its edge cases, so the compiled artifact is proven on real data. Each file
//! runs twice, under python3 and under CPython 3.7 (RedisGears' interpreter), with
//! the same output.
//!
//! `# order: any` marks a file whose records come back in no defined order (groups,
//! several shards' records): its output lines are sorted before the snapshot (a
//! key/value table's header stays first).

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;

use support::RedisServer;

#[test]
fn run_corpus_prints_reviewed_results() {
    let server = RedisServer::start();
    let mut con = server.con();
    let url = server.url();
    let mut settings = support::corpus_snapshot_settings();
    settings.add_filter(&format!("127.0.0.1:{}", server.port), "127.0.0.1:[PORT]");
    let _guard = settings.bind_to_scope();
    insta::glob!("run", "*.gear", |path| {
        let source = fs::read_to_string(path).expect("corpus file");
        let relative = path
            .strip_prefix(support::root())
            .expect("inside the repository");
        let mut run_seeded = |python: Option<&Path>| {
            seed(&mut con, &source, relative);
            run_local(relative, &url, &source, python)
        };
        let report = run_seeded(None);
        // The same again under CPython 3.7, the interpreter RedisGears embeds.
        let python37 = support::python37().expect("CPython 3.7.16 (pyenv) is needed");
        let under_37 = run_seeded(Some(&python37));
        assert_eq!(
            report,
            under_37,
            "{}: python3 and python3.7 differ",
            relative.display()
        );
        insta::with_settings!({ description => source.clone(), omit_expression => true }, {
            insta::assert_snapshot!("run", report);
        });
    });
}

/// A fresh keyspace holding the file's `# redis:` data.
fn seed(con: &mut redis::Connection, source: &str, file: &Path) {
    let _: () = redis::cmd("FLUSHALL").query(con).expect("FLUSHALL");
    for seed in support::seed_commands(source) {
        let mut cmd = redis::cmd(&seed[0]);
        for arg in &seed[1..] {
            cmd.arg(arg);
        }
        let _: redis::Value = cmd
            .query(con)
            .unwrap_or_else(|e| panic!("{}: seed {seed:?}: {e}", file.display()));
    }
}

/// `gearc run --local FILE`, with `python` as the engine's interpreter when given:
/// the exit code, stdout and stderr as one text.
fn run_local(file: &Path, url: &str, source: &str, python: Option<&Path>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gearc"));
    cmd.args(["run", "--local"])
        .arg(file)
        .args(["--url", url])
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .env_remove("GEARC_PYTHON")
        .env("NO_COLOR", "1");
    if let Some(python) = python {
        cmd.env("GEARC_PYTHON", python);
    }
    let out = cmd.output().expect("run gearc");
    let mut stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if source.lines().any(|l| l.trim() == "# order: any") {
        stdout = support::sort_records(&stdout);
    }
    format!(
        "exit: {}\n--- stdout\n{stdout}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stderr)
    )
}
