//! The `gearc` binary: commands, exit statuses, standard input, help.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn gearc(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(args)
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gearc");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write");
    drop(input);
    child.wait_with_output().expect("output")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn compile_prints_the_module_that_the_library_makes() {
    let out = gearc(&["compile", "examples/fighters.gear"], None);
    assert!(out.status.success());
    let source = std::fs::read_to_string(support::root().join("examples/fighters.gear")).unwrap();
    let expected = gearc::compile(&source, "examples/fighters.gear")
        .unwrap()
        .python;
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn compile_writes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.py");
    let out = gearc(
        &[
            "compile",
            "examples/fighters.gear",
            "-o",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("GB(\"KeysReader\")"));
}

#[test]
fn compile_reads_standard_input() {
    let out = gearc(&["compile", "-"], Some("keys_only | count | run\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("from <stdin>"));
    assert!(text(&out.stdout).contains(".count()  # <stdin>:1:13"));
}

#[test]
fn compile_errors_exit_1_with_the_diagnostic() {
    let out = gearc(&["compile", "-"], Some("keys | mapp(value) | run\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown operation `mapp`") && err.contains("did you mean `map`?"),
        "{err}"
    );
    assert!(err.contains("<stdin>: 1 error"), "{err}");
}

#[test]
fn check_is_clean_on_examples_and_fails_on_errors() {
    let mut args = vec!["check".to_string()];
    for e in std::fs::read_dir(support::root().join("examples")).unwrap() {
        args.push(e.unwrap().path().display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = gearc(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));

    let out = gearc(
        &[
            "check",
            "tests/errors/second_run.gear",
            "examples/fighters.gear",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_shows_warnings_but_passes() {
    let out = gearc(&["check", "tests/errors/warn_shard_local.gear"], None);
    assert!(out.status.success());
    assert!(text(&out.stderr).contains("one result per shard"));
}

#[test]
fn unreadable_files_exit_2() {
    let out = gearc(&["check", "no/such/file.gear"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read no/such/file.gear"));
}

#[test]
fn help_has_an_example_per_command_and_version_prints() {
    for cmd in ["compile", "check", "run"] {
        let out = gearc(&[cmd, "--help"], None);
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Example:"), "{cmd}");
    }
    let out = gearc(&["--version"], None);
    assert_eq!(
        text(&out.stdout).trim(),
        format!("gearc {}", env!("CARGO_PKG_VERSION"))
    );
}
