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
    assert!(!stderr(&out).contains("note:"), "{}", report(&out));
}

/// `python(numbers(n)) | run` with a generator of its own: the engine makes each record as
/// it is read (`python(range(n))` is a list the engine holds whole, whatever the result).
fn numbers_file(dir: &tempfile::TempDir, n: usize) -> String {
    gear_file(
        dir,
        &format!("numbers_{n}.gear"),
        &format!(
            "python \"\"\"\ndef numbers(n):\n    i = 0\n    while i < n:\n        yield i\n        i += 1\n\"\"\"\n\npython(numbers({n})) | run\n"
        ),
    )
}

/// The peak resident memory (VmHWM, KiB) of a process, while it lives.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The children of a process (the local engine under gearc).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Runs `gearc run --local` on `numbers_file(n)`, reading its records as they arrive
/// (each must be the next number) while polling the peak memory of gearc and of the
/// engine; (gearc's peak, the engine's peak) in KiB.
fn streamed_run_peaks(url: &str, dir: &tempfile::TempDir, n: usize, json: bool) -> (u64, u64) {
    use std::io::BufRead;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let file = numbers_file(dir, n);
    let mut args = vec!["run", "--local", file.as_str(), "--url", url];
    if json {
        args.push("--json");
    }
    let mut child = support::spawn_gearc(&args);
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut gearc, mut engine) = (0, 0);
            while !done.load(Ordering::SeqCst) {
                gearc = gearc.max(peak_kib(pid).unwrap_or(0));
                for child in children_of(pid) {
                    engine = engine.max(peak_kib(child).unwrap_or(0));
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            (gearc, engine)
        })
    };
    let stderr = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let mut count = 0;
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        assert_eq!(line.unwrap(), count.to_string(), "record {count}");
        count += 1;
    }
    // stdout ended: gearc is ending; its peak is read until then
    let status = child.wait().unwrap();
    done.store(true, Ordering::SeqCst);
    let peaks = poller.join().unwrap();
    let stderr = stderr.join().unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert_eq!(count, n, "every record arrives");
    assert!(peaks.0 > 0 && peaks.1 > 0, "peaks read: {peaks:?}");
    eprintln!(
        "{n} records (json: {json}): gearc {} KiB, engine {} KiB at their peak",
        peaks.0, peaks.1
    );
    peaks
}

/// `--local` streams: gearc and the engine hold about the same memory for a result ten
/// times as large (before, gearc held ~210 bytes a record: 300,000 records were 60 MB
/// more than 30,000), and every record arrives, in order, as text and as JSON.
#[test]
fn a_local_result_streams_in_bounded_memory() {
    let server = support::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let small = streamed_run_peaks(&server.url(), &dir, 30_000, json);
        let large = streamed_run_peaks(&server.url(), &dir, 300_000, json);
        let slack = 8 * 1024; // KiB: allocator noise, not 270,000 records
        assert!(
            large.0 <= small.0 + slack,
            "gearc (json: {json}): {} KiB for 300,000 records, {} KiB for 30,000",
            large.0,
            small.0
        );
        assert!(
            large.1 <= small.1 + slack,
            "the engine (json: {json}): {} KiB for 300,000 records, {} KiB for 30,000",
            large.1,
            small.1
        );
    }
}

/// A server answers with every record in one reply: gearc prints them all, in order,
/// and from a million on says how to keep such a result out of memory (docs/limits.md).
#[test]
fn redisgears_a_result_of_a_million_records_arrives_whole_with_a_note() {
    let g = support::gears::single();
    let dir = tempfile::tempdir().unwrap();
    let file = numbers_file(&dir, 1_000_000);
    let out = gearc(&["run", &file, "--url", &g.url]);
    let text = stderr(&out);
    assert!(
        text.contains("note: the server answered with 1000000 records in one reply"),
        "{text}"
    );
    assert!(text.contains("`foreach(execute(…))`"), "{text}");
    check_large_result(&out, 1_000_000);
}

/// `gearc run --local … | head`: once stdout is closed, gearc stops the engine and ends
/// quietly (no panic, exit 0) instead of running the rest of a huge result.
#[test]
fn a_closed_stdout_stops_a_local_run() {
    use std::io::BufRead;

    let server = support::RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = numbers_file(&dir, 100_000_000);
    let started = std::time::Instant::now();
    let mut child = support::spawn_gearc(&["run", "--local", &file, "--url", &server.url()]);
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    for i in 0..10 {
        assert_eq!(lines.next().unwrap().unwrap(), i.to_string());
    }
    let engines = children_of(pid);
    assert_eq!(engines.len(), 1, "one engine: {engines:?}");
    drop(lines); // `head` is done
    let out = child.wait_with_output().unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    // a hundred million records would take minutes
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while peak_kib(engines[0]).is_some() {
        assert!(std::time::Instant::now() < deadline, "the engine lives on");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
