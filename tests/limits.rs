//! Input limits that fail politely (docs/limits.md): each limit is provoked just past
//! its edge, and what stays inside works. Sized to run in seconds in a debug build; the
//! large measurements (a 100 MB file, a 1 M-record result) are in docs/limits.md with
//! the commands that took them.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{gear_file, gearc, report};

const MAX_SOURCE_BYTES: usize = 10 * 1024 * 1024;
const MAX_OPERATIONS: usize = 400;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file of exactly `size` bytes: comment lines, then a pipeline.
fn file_of_size(size: usize) -> String {
    let pipeline = "python(range(3)) | count | run\n";
    let line = format!("# {}\n", "c".repeat(97));
    let mut text = String::with_capacity(size);
    while text.len() + line.len() + pipeline.len() <= size {
        text.push_str(&line);
    }
    let pad = size - text.len() - pipeline.len();
    if pad > 0 {
        text.push('#');
        text.push_str(&" ".repeat(pad.saturating_sub(2)));
        if pad >= 2 {
            text.push('\n');
        }
    }
    text.push_str(pipeline);
    assert_eq!(text.len(), size);
    text
}

#[test]
fn a_file_of_the_largest_size_compiles_and_one_byte_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let at_limit = gear_file(&dir, "at_limit.gear", &file_of_size(MAX_SOURCE_BYTES));
    let out = gearc(&["check", &at_limit]);
    assert_eq!(out.status.code(), Some(0), "{}", report(&out));

    let past = gear_file(&dir, "past.gear", &file_of_size(MAX_SOURCE_BYTES + 1));
    // `run` is refused before it connects anywhere (nothing listens on port 1)
    for args in [
        vec!["check", past.as_str()],
        vec!["compile", past.as_str()],
        vec!["run", past.as_str(), "--url", "redis://127.0.0.1:1"],
    ] {
        let command = args[0];
        let out = gearc(&args);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", report(&out));
        assert!(
            text.contains("gearc::input::too_large"),
            "{command}: {text}"
        );
        assert!(
            text.contains("past.gear is larger than 10485760 bytes (10 MiB)"),
            "{command}: {text}"
        );
        assert!(!text.contains("panicked"), "{text}");
    }
}

#[test]
fn a_file_without_an_end_is_refused_at_the_limit() {
    // A device reports no size: only what was read counts.
    let out = gearc(&["check", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        stderr(&out).contains("gearc::input::too_large"),
        "{}",
        report(&out)
    );

    // Standard input that goes on past the limit: gearc stops reading and says why.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["compile", "-"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = format!("# {}\n", "x".repeat(1021));
        // gearc closes the pipe once it has read past the limit: a write error ends this
        for _ in 0..(2 * MAX_SOURCE_BYTES / chunk.len()) {
            if stdin.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        stderr(&out).contains("<stdin> is larger than 10485760 bytes"),
        "{}",
        report(&out)
    );
}

/// `python(range(3))`, then `n` operations that each lower to the most RedisGears steps
/// (`aggregate` with a combiner is three), then `run`.
fn long_pipeline(n: usize) -> String {
    let mut text = String::from("python(range(3))\n");
    for _ in 0..n {
        text.push_str("  | aggregate(0, add, add)\n");
    }
    text.push_str("  | run\n");
    text
}

#[test]
fn the_longest_pipeline_compiles_to_python_that_python_3_7_compiles() {
    let compiled = gearc::compile(&long_pipeline(MAX_OPERATIONS), "long.gear")
        .unwrap_or_else(|d| panic!("{d:?}"));
    // `compile()`, not only `ast.parse`: CPython's compiler is what refuses a deep chain
    let python37 = support::python37();
    let pythons: Vec<std::path::PathBuf> = [Some("python3".into()), python37]
        .into_iter()
        .flatten()
        .collect();
    for python in pythons {
        let (ok, text) = support::run_python(
            &python,
            &[
                "-c",
                "import sys; compile(sys.stdin.read(), 'long', 'exec')",
            ],
            &compiled.python,
        );
        assert!(ok, "{}: {text}", python.display());
    }
}

#[test]
fn one_operation_more_is_one_clear_error_even_at_ten_thousand() {
    for n in [MAX_OPERATIONS + 1, 10_000] {
        let source = long_pipeline(n);
        let diags = gearc::compile(&source, "long.gear").expect_err("too long");
        let codes: Vec<String> = diags.iter().map(|d| d.code_text()).collect();
        assert_eq!(codes, ["gearc::syntax::too_deep"], "{n} operations");
        // at operation 401: line 1 is the reader
        let at = diags[0].span();
        let line = source[..at.start].matches('\n').count() + 1;
        assert_eq!(line, MAX_OPERATIONS + 2, "{n} operations");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(&dir, "long.gear", &long_pipeline(10_000));
    let out = gearc(&["check", &file]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert!(
        text.contains("this pipeline has more than 400 operations"),
        "{text}"
    );
    assert!(text.contains("long.gear:402:5"), "{text}");
}

#[test]
fn a_string_of_100_000_characters_compiles_and_keeps_its_value() {
    let long = "é".repeat(50_000) + &"a".repeat(50_000);
    let source = format!("python([\"{long}\"]) | map(len(it)) | run\n");
    let compiled = gearc::compile(&source, "long_string.gear").unwrap_or_else(|d| panic!("{d:?}"));
    assert!(compiled.python.contains(&long));
    support::check_python37_syntax(&compiled.python).unwrap();
}

#[test]
fn a_string_of_100_000_characters_runs_locally() {
    let server = support::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let long = "é".repeat(50_000) + &"a".repeat(50_000);
    let file = gear_file(
        &dir,
        "long.gear",
        &format!("python([\"{long}\"]) | map(len(it)) | run\n"),
    );
    let out = gearc(&["run", "--local", &file, "--url", &server.url()]);
    assert!(out.status.success(), "{}", report(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "100000\n");
}

/// miette draws a label's whole line and panics past column 65,535: a diagnostic on a
/// long line is shown without its snippet, with its line and column.
#[test]
fn an_error_on_a_very_long_line_is_located_not_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // a mistake after a 100,000-character string
        format!(
            "python([\"{}\"]) | map(len(it)) | run bogus\n",
            "a".repeat(100_000)
        ),
        // 17,000 tabs are 68,000 columns in miette's drawing
        format!("python(range(3)) |{} run bogus\n", "\t".repeat(17_000)),
    ];
    for source in cases {
        let col = source[..source.find("bogus").unwrap()].chars().count() + 1;
        let file = gear_file(&dir, "long_line.gear", &source);
        let out = gearc(&["check", &file]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{}", report(&out));
        assert!(!text.contains("panicked"), "{text}");
        assert!(text.contains("gearc::syntax::"), "{text}");
        assert!(
            text.contains(&format!(
                "\n  at {file}:1:{col} (line 1 is {} bytes long, too long to show)\n",
                source.len() - 1
            )),
            "{}",
            &text[..text.len().min(2000)]
        );
        assert!(
            text.len() < 2_000,
            "the line is not printed: {} bytes",
            text.len()
        );
    }
}

/// 10,000 mistakes (a `let` without its value, one per line: each line is parsed on
/// its own): all counted and listed as JSON, the first 1,000 drawn.
#[test]
fn ten_thousand_diagnostics_are_counted_and_the_first_thousand_drawn() {
    let mut source: String = (0..10_000).map(|i| format!("let x{i} =\n")).collect();
    source.push_str("python(range(3)) | run\n");
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(&dir, "many.gear", &source);
    let out = gearc(&["check", &file]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let code = "gearc::syntax::unexpected";
    assert_eq!(text.matches(code).count(), 1_000);
    assert!(
        text.contains(&format!("{file}:1000:")),
        "{}",
        &text[text.len() - 2000..]
    );
    assert!(
        !text.contains(&format!("{file}:1001:")),
        "{}",
        &text[text.len() - 2000..]
    );
    assert!(
        text.ends_with(&format!(
            "… 9000 errors not shown in {file} (1000 shown; `gearc check --message-format json` lists every one)\nchecked 1 file: 10000 errors\n"
        )),
        "{}",
        &text[text.len() - 400..]
    );
    let out = gearc(&["check", "--message-format", "json", &file]);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| l.contains(code)).count(), 10_000);

    let out = gearc(&["compile", &file]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert_eq!(text.matches(code).count(), 1_000);
    assert!(
        text.ends_with(": 10000 errors\n"),
        "{}",
        &text[text.len() - 400..]
    );
}

/// A large result arrives whole: every record, in order, on the local engine and on a
/// RedisGears server (the 1 M-record figures are in docs/limits.md).
fn check_large_result(out: &std::process::Output, n: usize) {
    assert!(out.status.success(), "{}", report(out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut count = 0;
    for (i, line) in stdout.lines().enumerate() {
        assert_eq!(line, i.to_string(), "record {i}");
        count += 1;
    }
    assert_eq!(count, n);
}

const LARGE_RESULT: usize = 20_000;

#[test]
fn a_large_result_arrives_whole_from_the_local_engine() {
    let server = support::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "large.gear",
        &format!("python(range({LARGE_RESULT})) | sort | run\n"),
    );
    let out = gearc(&["run", "--local", &file, "--url", &server.url()]);
    check_large_result(&out, LARGE_RESULT);
}

#[test]
fn redisgears_a_large_result_arrives_whole_from_the_server() {
    let g = support::gears::single();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "large.gear",
        &format!("python(range({LARGE_RESULT})) | sort | run\n"),
    );
    let out = gearc(&["run", &file, "--url", &g.url]);
    check_large_result(&out, LARGE_RESULT);
}
