//! A server that accepts the connection and never answers: the connection times out
//! after `--connect-timeout`, and the message names that flag (a run's `--timeout` is
//! another limit, and its "0 waits without a limit" does not hold for a connection).
//!
//! The silent server is a real listening socket on loopback that nobody reads: the
//! kernel completes the TCP handshake from its backlog, so gearc's PING goes out and no
//! reply ever comes.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn gearc(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gearc");
    (out, started.elapsed())
}

#[test]
fn a_server_that_never_answers_is_a_connection_timeout_naming_connect_timeout() {
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let address = format!("127.0.0.1:{}", silent.local_addr().expect("address").port());
    // With a password, which no message may show.
    let url = format!("redis://gearc:s3cret-pw@{address}");
    for command in [
        &["run", "examples/fighters.gear"][..],
        &["registrations"][..],
        &["deploy", "examples/cache_get.gear"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--url", &url, "--connect-timeout", "1"]);
        let (out, took) = gearc(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        // The message wrapped at 80 columns, read as one line of words.
        let words: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
        let flat = words.join(" ");
        for expected in [
            "gearc::server::timeout",
            &format!("{address} did not answer the connection within 1 second"),
            "--connect-timeout SECONDS",
        ] {
            assert!(
                flat.contains(expected),
                "{command:?}: no {expected:?} in:\n{stderr}"
            );
        }
        assert!(
            !flat.contains("--timeout SECONDS") && !flat.contains("0 waits"),
            "{command:?}: names the run's limit:\n{stderr}"
        );
        assert!(
            !stderr.contains("s3cret-pw"),
            "{command:?}: the password shows"
        );
        // Bounded by the limit given, not by the 5 s default or by nothing.
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(4),
            "{command:?}: took {took:?}"
        );
    }
    drop(silent);
}

#[test]
fn run_local_against_a_server_that_never_answers_ends_after_the_connect_timeout() {
    // The local engine's own connection: connect, log in and first PING within the limit.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("redis://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let (out, took) = gearc(&[
        "run",
        "--local",
        "examples/fighters.gear",
        "--url",
        &url,
        "--connect-timeout",
        "1",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // (the message wraps at 80 columns: compare it as one line)
    let one_line = err
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        one_line
            .contains("accepted the connection but did not answer within 1 s (--connect-timeout)"),
        "{err}"
    );
    assert!(!err.contains("Traceback"), "{err}");
    assert!(took < Duration::from_secs(20), "it waited {took:?}");
    drop(silent);
}
