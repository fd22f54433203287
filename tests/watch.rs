//! `gearc run --local --watch` against a real redis-server: `--json` executions (their
//! shape, snapshotted, and a schema check), a server whose CONFIG is disabled, the
//! announcement of a stream's existing entries, and registrations that are not run
//! locally said in one line.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::RedisServer;

/// A `gearc run --local --watch` session; its stdout and stderr lines arrive on channels.
struct Session {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    seen_err: Vec<String>,
}

impl Session {
    fn start(file: &str, url: &str, extra: &[&str]) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
            .args(["run", "--local", "--watch", file, "--url", url])
            .args(extra)
            .current_dir(support::root())
            .env_remove("REDIS_URL")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gearc");
        let lines = |pipe: Box<dyn std::io::Read + Send>| {
            let (tx, rx) = channel();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            rx
        };
        let stdout = lines(Box::new(child.stdout.take().expect("stdout")));
        let stderr = lines(Box::new(child.stderr.take().expect("stderr")));
        Session {
            child,
            stdout,
            stderr,
            seen_err: Vec::new(),
        }
    }

    /// Waits for a stderr line containing `text`.
    fn wait_stderr(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.seen_err.iter().any(|l| l.contains(text)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => self.seen_err.push(line),
                Err(_) => panic!("no `{text}` on stderr; saw {:?}", self.seen_err),
            }
        }
    }

    fn next_stdout(&self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no line on stdout; stderr {:?}", self.seen_err))
    }

    /// Stops gearc as Ctrl-C does; its exit status and the rest of stdout and stderr.
    fn stop(mut self) -> (Option<i32>, Vec<String>, Vec<String>) {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill -INT");
        let status = self.child.wait().expect("gearc ends");
        let out: Vec<String> = self.stdout.iter().collect();
        self.seen_err.extend(self.stderr.iter());
        (status.code(), out, self.seen_err)
    }
}

fn redis(con: &mut redis::Connection, args: &[&str]) {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    let _: redis::Value = cmd.query(con).expect("redis command");
}

const TYPED: &str = "tests/watch/typed_records.gear";

/// The typed_records session: an order already in its stream, then a person, a bad
/// number and a new order, each awaited before the next.
fn typed_records_session() -> (Vec<String>, Vec<String>, Option<i32>) {
    let server = RedisServer::start();
    let mut con = server.con();
    redis(&mut con, &["XADD", "orders:1", "1-0", "amount", "5"]);
    let mut session = Session::start(TYPED, &server.url(), &["--json"]);
    session.wait_stderr("watching");
    let mut lines = Vec::new();
    for _ in 0..2 {
        lines.push(session.next_stdout()); // the first read of the stream, then 1-0
    }
    for write in [
        &["SET", "person:1", "Rick"][..],
        &["SET", "bad:1", "not a number"],
        &["XADD", "orders:1", "2-0", "amount", "7"],
    ] {
        redis(&mut con, write);
        lines.push(session.next_stdout());
    }
    let (status, rest, stderr) = session.stop();
    lines.extend(rest);
    (lines, stderr, status)
}

#[test]
fn watch_json_writes_each_execution_as_one_object() {
    let (lines, stderr, status) = typed_records_session();
    assert_eq!(status, Some(1), "an execution failed: {stderr:?}");
    let pretty: Vec<String> = lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            serde_json::to_string_pretty(&v).unwrap()
        })
        .collect();
    // gearc's own lines; the engine's notes reach stderr through another pipe, so where
    // they fall among gearc's lines is not fixed
    let stderr: Vec<&String> = stderr
        .iter()
        .filter(|l| !l.starts_with("gearc local engine:"))
        .collect();
    let stderr: Vec<&str> = stderr.iter().map(|l| l.as_str()).collect();
    support::corpus_snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "watch_json_executions",
            format!(
                "--- stdout\n{}\n--- stderr\n{}\n",
                pretty.join("\n"),
                stderr.join("\n")
            )
        )
    });
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// `span` is `{start, end}` inside `source`, and `line`/`column` are where it starts.
fn spanned<'s>(source: &'s str, place: &Value) -> &'s str {
    let start = place["span"]["start"].as_u64().expect("span.start") as usize;
    let end = place["span"]["end"].as_u64().expect("span.end") as usize;
    assert!(start < end && end <= source.len(), "span {start}..{end}");
    let before = &source[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    assert_eq!(
        (place["line"].as_u64(), place["column"].as_u64()),
        (Some(line as u64), Some(column as u64)),
        "line and column of {place}"
    );
    &source[start..end]
}

#[test]
fn watch_json_executions_have_every_field_and_valid_spans() {
    let (lines, stderr, _) = typed_records_session();
    let source = std::fs::read_to_string(support::root().join(TYPED)).unwrap();
    assert_eq!(lines.len(), 5, "{lines:?} {stderr:?}");
    let mut errors_seen = 0;
    for line in &lines {
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(keys(&v), ["execution"]);
        let e = &v["execution"];
        assert_eq!(
            keys(e),
            [
                "errors",
                "event",
                "ids",
                "key",
                "records",
                "registration",
                "status"
            ]
        );
        let r = &e["registration"];
        assert_eq!(
            keys(r),
            ["column", "desc", "file", "id", "line", "reader", "span"]
        );
        assert_eq!(r["file"], TYPED);
        assert!(r["id"].as_str().unwrap().starts_with(&"0".repeat(40)));
        let pipeline = spanned(&source, r);
        let reader = r["reader"].as_str().unwrap();
        match reader {
            "KeysReader" => {
                assert!(pipeline.starts_with("keys("), "{pipeline}");
                assert!(e["event"].is_string() && e["key"].is_string() && e["ids"].is_null());
            }
            "StreamReader" => {
                assert!(pipeline.starts_with("stream(\"orders:*\")"), "{pipeline}");
                assert_eq!(r["desc"], "doubled orders");
                assert_eq!(
                    (&e["event"], &e["key"]),
                    (&Value::Null, &Value::from("orders:1"))
                );
                assert!(e["ids"].is_array());
            }
            other => panic!("reader {other}"),
        }
        assert!(pipeline.trim_end().ends_with("register") || pipeline.ends_with(')'));
        for error in e["errors"].as_array().expect("errors") {
            errors_seen += 1;
            assert_eq!(
                keys(error),
                [
                    "code",
                    "column",
                    "file",
                    "help",
                    "line",
                    "message",
                    "severity",
                    "span",
                    "traceback"
                ]
            );
            assert_eq!(error["code"], "gearc::run::callback_failed");
            assert_eq!(error["file"], TYPED);
            assert_eq!(spanned(&source, error), "map(int(value))");
            assert!(pipeline.contains("map(int(value))"));
            assert!(error["message"].as_str().unwrap().starts_with("ValueError"));
        }
        let records = e["records"].as_array().expect("records");
        if e["key"] == "person:1" {
            // typed: an object with a number, not the text of a Python dict
            assert_eq!(
                records,
                &[serde_json::json!({"key": "person:1", "name": "Rick", "length": 4})]
            );
        }
        if e["ids"] == serde_json::json!(["2-0"]) {
            assert_eq!(records, &[Value::from(14)]);
        }
    }
    assert_eq!(errors_seen, 1);
}

/// A server without CONFIG (renamed away), as managed Redis services have.
fn server_without_config(flags: &str) -> RedisServer {
    RedisServer::start_with(&[
        "--rename-command",
        "CONFIG",
        "",
        "--notify-keyspace-events",
        flags,
    ])
}

#[test]
fn watch_refuses_a_server_whose_config_it_cannot_read_naming_the_flags_and_the_way_out() {
    let server = server_without_config("");
    let out = support::gearc(&[
        "run",
        "--local",
        "--watch",
        "tests/watch/typed_records.gear",
        "--url",
        &server.url(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    let err = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    assert!(err.contains("gearc::engine::redis"), "{err}");
    assert!(
        err.contains("CONFIG GET notify-keyspace-events failed"),
        "{err}"
    );
    assert!(err.contains("unknown command 'CONFIG'"), "{err}");
    assert!(
        err.contains("include 'AEt' (A: every kind of event, E: key-event notifications, t: stream commands)")
            || err.contains("include 'AE' (A: every kind of event, E: key-event notifications)"),
        "{err}"
    );
    assert!(
        err.contains("run again with --trust-server-config"),
        "{err}"
    );
}

#[test]
fn trust_server_config_proceeds_where_config_is_disabled() {
    let server = server_without_config("KEA");
    let mut con = server.con();
    let mut session = Session::start(TYPED, &server.url(), &["--trust-server-config"]);
    session.wait_stderr("watching 3 registration(s)");
    redis(&mut con, &["SET", "person:2", "Morty"]);
    session.wait_stderr("fired by set person:2");
    let (status, out, stderr) = session.stop();
    assert_eq!(status, Some(0), "{stderr:?}");
    assert_eq!(
        out,
        [r#"{"key":"person:2","name":"Morty","length":5}"#],
        "typed records in text mode too"
    );
    let note = stderr
        .iter()
        .find(|l| l.contains("cannot read notify-keyspace-events"))
        .expect("the engine says what it trusts");
    assert!(note.contains("--trust-server-config"), "{note}");
}

#[test]
fn trust_server_config_is_documented_in_help_and_needs_watch() {
    let help = support::gearc(&["run", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--trust-server-config"), "{text}");
    assert!(text.contains("CONFIG cannot be read"), "{text}");
    assert!(
        text.contains("with --watch: one object per execution"),
        "{text}"
    );
    let out = support::gearc(&["run", "--local", TYPED, "--trust-server-config"]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--watch"));
}

/// The stderr line of a stream registration about the entries already there.
fn backlog_line(source: &str, entries: usize) -> String {
    let server = RedisServer::start();
    let mut con = server.con();
    for i in 0..entries {
        redis(&mut con, &["XADD", "s", "*", "n", &i.to_string()]);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = support::gear_file(&dir, "backlog.gear", source);
    let mut session = Session::start(&file, &server.url(), &[]);
    session.wait_stderr("watching");
    let (status, _, stderr) = session.stop();
    assert_eq!(status, Some(0), "{stderr:?}");
    let lines: Vec<String> = stderr
        .iter()
        .filter(|l| l.starts_with("stream registration at"))
        .map(|l| l.replace(&file, "FILE"))
        .collect();
    assert_eq!(lines.len(), 1, "one line: {stderr:?}");
    lines[0].clone()
}

#[test]
fn a_stream_registration_says_how_many_existing_entries_it_processes_and_trims() {
    assert_eq!(
        backlog_line("stream(\"s\") | register\n", 3),
        "stream registration at FILE:1:1: processing 3 existing entries of 1 matching stream now, \
         trimming each from its stream once processed (trim_stream = false keeps them)"
    );
    assert_eq!(
        backlog_line("stream(\"s\", trim_stream = false) | register\n", 1),
        "stream registration at FILE:1:1: processing 1 existing entry of 1 matching stream now, \
         keeping them in the stream (trim_stream = false)"
    );
    assert_eq!(
        backlog_line("stream(\"other:*\") | register\n", 2),
        "stream registration at FILE:1:1: no existing entries to process (no stream matches yet)"
    );
}

const MANY: &str = "keys(\"a:*\") | register\n\
keys(\"b:*\") | register\n\
stream(\"c\") | register\n\
command(\"d\") | register\n\
command(\"e\") | register\n";

#[test]
fn registrations_not_run_locally_are_said_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = support::gear_file(&dir, "many.gear", MANY);
    // without --watch, and without a run: said without starting the engine
    let out = support::gearc(&["run", "--local", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", support::report(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).replace(&file, "FILE"),
        "not run locally (register): 5 pipelines (2 KeysReader, 1 StreamReader, 2 CommandReader) \
         at FILE lines 1, 2, 3, 4, 5; add --watch to apply them to live events\n"
    );
    // beside a run: the engine reports them, gearc says them in one line on stderr
    let server = RedisServer::start();
    let with_run = support::gear_file(
        &dir,
        "with_run.gear",
        &format!("{MANY}shards() | count | run\n"),
    );
    let out = support::gearc(&["run", "--local", &with_run, "--url", &server.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", support::report(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    let err = String::from_utf8_lossy(&out.stderr).replace(&with_run, "FILE");
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not run locally"))
        .collect();
    assert_eq!(
        said,
        ["not run locally (register): 5 pipelines (2 KeysReader, 1 StreamReader, 2 CommandReader) \
          at FILE lines 1, 2, 3, 4, 5; add --watch to apply them to live events"],
        "{err}"
    );
    // under --watch, the ones the engine cannot apply: one line for the two commands
    let mut session = Session::start(&file, &server.url(), &[]);
    session.wait_stderr("watching 3 registration(s)");
    let (status, _, stderr) = session.stop();
    assert_eq!(status, Some(0), "{stderr:?}");
    let said: Vec<String> = stderr
        .iter()
        .filter(|l| l.contains("not applied locally"))
        .map(|l| l.replace(&file, "FILE"))
        .collect();
    assert_eq!(said.len(), 1, "{stderr:?}");
    assert!(
        said[0].starts_with(
            "2 registrations (2 CommandReader) at FILE lines 4, 5: not applied locally: RG.TRIGGER"
        ),
        "{}",
        said[0]
    );
}

#[test]
fn a_single_registration_not_run_keeps_its_own_line() {
    let out = support::gearc(&["run", "--local", "examples/automatic_expiry.gear"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::report(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "not run locally (register): KeysReader pipeline at examples/automatic_expiry.gear:3:1; \
         add --watch to apply it to live events\n"
    );
}

/// A KeysReader registration with `commands=` is applied under --watch (Redis does not say
/// which command raised an event, so it fires on every matching event): gearc says it is
/// registered and what it does differently, not that it is "not applied locally".
#[test]
fn a_commands_filter_is_said_to_be_applied_in_part_and_the_registration_fires() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = support::gear_file(
        &dir,
        "commands.gear",
        "keys(\"a:*\", commands = [\"SET\"]) | map(key) | register\n",
    );
    let mut session = Session::start(&file, &server.url(), &[]);
    session.wait_stderr("watching 1 registration(s)");
    let mut con = server.con();
    redis(&mut con, &["SET", "a:1", "v"]);
    assert_eq!(session.next_stdout(), "a:1");
    // not a SET: a server would not fire, the engine does, as it said
    redis(&mut con, &["HSET", "a:2", "f", "v"]);
    assert_eq!(session.next_stdout(), "a:2");
    let (status, _, stderr) = session.stop();
    assert_eq!(status, Some(0), "{stderr:?}");
    let stderr: Vec<String> = stderr.iter().map(|l| l.replace(&file, "FILE")).collect();
    assert!(
        stderr.contains(
            &"registered KeysReader pipeline at FILE:1:1, applied in part: commands=[\"SET\"] is not supported \
              locally (Redis does not tell which command caused an event): the registration fires on every \
              matching event"
                .to_string()
        ),
        "{stderr:?}"
    );
    assert!(
        !stderr.iter().any(|l| l.contains("not applied locally")),
        "{stderr:?}"
    );
}
