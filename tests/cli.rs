//! The `gearc` binary: commands, exit statuses, standard input, help.

mod support;

use std::process::Output;

fn gearc(args: &[&str], stdin: Option<&str>) -> Output {
    support::gearc_with_stdin(args, stdin.unwrap_or(""))
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
    assert_eq!(
        text(&out.stderr),
        format!("checked {} files: no errors\n", args.len() - 1)
    );

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

/// (The examples in the helps are run by tests/help_examples.rs.)
#[test]
fn version_is_the_crates() {
    let out = gearc(&["--version"], None);
    assert_eq!(
        text(&out.stdout).trim(),
        format!("gearc {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn check_json_gives_one_complete_object_per_diagnostic() {
    let file = "tests/errors/several_errors.gear";
    let source = std::fs::read_to_string(support::root().join(file)).unwrap();
    let out = gearc(&["check", "--message-format", "json", file], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    let expected = gearc::compile(&source, file).unwrap_err();
    assert_eq!(lines.len(), expected.len());
    for (d, want) in lines.iter().zip(&expected) {
        for field in [
            "code", "severity", "message", "file", "line", "column", "span", "labels", "help",
        ] {
            assert!(d.get(field).is_some(), "{field} missing in {d}");
        }
        assert_eq!(d["code"], want.code_text());
        assert_eq!(d["file"], file);
        let (start, end) = (
            d["span"]["start"].as_u64().unwrap() as usize,
            d["span"]["end"].as_u64().unwrap() as usize,
        );
        assert_eq!((start, end), (want.span().start, want.span().end), "{d}");
        assert!(
            end <= source.len() && source.is_char_boundary(start) && source.is_char_boundary(end)
        );
        let line = d["line"].as_u64().unwrap() as usize;
        let column = d["column"].as_u64().unwrap() as usize;
        let line_start: usize = source
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        assert_eq!(
            line_start + column - 1,
            start,
            "line/column agree with the byte span: {d}"
        );
        assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap()));
    }
}

#[test]
fn deny_warnings_fails_on_warnings_only() {
    let out = gearc(&["check", "tests/errors/warn_shard_local.gear"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).ends_with("checked 1 file: 1 warning\n"),
        "{}",
        text(&out.stderr)
    );
    let out = gearc(
        &[
            "check",
            "--deny-warnings",
            "tests/errors/warn_shard_local.gear",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).ends_with("checked 1 file: 1 warning (warnings denied)\n"));
    let out = gearc(
        &["check", "--deny-warnings", "examples/fighters.gear"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn compile_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.gear");
    std::fs::write(&path, "keys | count | run\n").unwrap();
    let p = path.display().to_string();
    let out = gearc(&["compile", &p, "-o", &p], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is the input"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "keys | count | run\n"
    );
}

#[test]
fn completions_generate_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F _gearc"),
        ("zsh", "#compdef gearc"),
        ("fish", "complete -c gearc"),
    ] {
        let out = gearc(&["completions", shell], None);
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("deploy") && script.contains("registrations"),
            "{shell}"
        );
    }
}

/// Standard error with miette's line wrapping undone (its frame bars removed, each run
/// of white space one space), to look for a whole sentence.
fn unwrapped(stderr: &[u8]) -> String {
    text(stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `gearc run --local` with `envs` set, against a real redis-server.
fn run_local_with(envs: &[(&str, &str)]) -> Output {
    let server = support::RedisServer::start();
    let url = server.url();
    let mut command =
        support::gearc_command(&["run", "--local", "examples/fighters.gear", "--url", &url]);
    command.env_remove("GEARC_PYTHON");
    for (k, v) in envs {
        command.env(k, v);
    }
    command.output().expect("run gearc")
}

#[test]
fn an_interpreter_that_does_not_exist_is_named_with_where_it_came_from() {
    let out = run_local_with(&[("GEARC_PYTHON", "/no/such/python3")]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    let err = unwrapped(&out.stderr);
    assert!(err.contains("gearc::engine::no_python"), "{err}");
    assert!(
        err.contains("`/no/such/python3` (named by GEARC_PYTHON) was not found"),
        "{err}"
    );
    assert!(!err.contains("bug in gearc"), "{err}");

    // without GEARC_PYTHON, `python3` is looked up on PATH (here: a folder without one)
    let empty = tempfile::tempdir().unwrap();
    let out = run_local_with(&[("PATH", empty.path().to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    let err = unwrapped(&out.stderr);
    assert!(
        err.contains("`python3` (looked up on PATH) was not found"),
        "{err}"
    );
    assert!(err.contains("GEARC_PYTHON"), "the help names it: {err}");
}

#[test]
fn a_shim_that_starts_no_interpreter_is_reported_as_that_naming_gearc_python() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // what pyenv's shim does when the selected version is not installed
    let shim = dir.path().join("python3");
    std::fs::write(
        &shim,
        "#!/bin/sh\necho \"pyenv: version '3.9.9' is not installed\" >&2\nexit 127\n",
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let shim = shim.display().to_string();
    let out = run_local_with(&[("GEARC_PYTHON", &shim)]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    let err = unwrapped(&out.stderr);
    assert!(err.contains("gearc::engine::python_failed"), "{err}");
    assert!(
        err.contains(&format!(
            "`{shim}` (named by GEARC_PYTHON) did not start a Python interpreter (exit status 127)"
        )),
        "{err}"
    );
    // the shim's own words come first, and no crash of the engine is claimed
    assert!(err.contains("version '3.9.9' is not installed"), "{err}");
    assert!(!err.contains("bug in gearc"), "{err}");

    // the same shim first on PATH, with no GEARC_PYTHON
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let out = run_local_with(&[("PATH", &path)]);
    assert_eq!(out.status.code(), Some(2), "{}", support::report(&out));
    let err = unwrapped(&out.stderr);
    assert!(
        err.contains("`python3` (looked up on PATH) did not start a Python interpreter"),
        "{err}"
    );
    assert!(err.contains("GEARC_PYTHON"), "the help names it: {err}");
}

#[test]
fn a_reader_that_stops_early_ends_compile_quietly() {
    // Far more than a pipe holds, so that gearc is still writing when the reader goes.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.gear");
    let pipelines: String = (0..3000)
        .map(|i| format!("keys(\"k{i}:*\") | map(int(value) * {i}) | filter(it > 1) | register\n"))
        .collect();
    std::fs::write(&file, pipelines).unwrap();
    for emit in ["python", "ast"] {
        let file = file.to_str().unwrap();
        // The reader is gone, like `gearc compile FILE | head -c 64`.
        let (start, out) =
            support::gearc_to_a_reader_that_stops(&["compile", "--emit", emit, file], 64);
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "--emit {emit}: {stderr}");
        assert!(
            out.status.success(),
            "--emit {emit}: {:?} {stderr}",
            out.status
        );
        assert!(!text(&start).trim().is_empty());
    }
}

#[test]
fn a_reader_that_stops_early_leaves_check_its_own_status() {
    // A closed pipe used to panic in every command that printed with `println!`. The
    // diagnostics of 2,000 unknown names are far more JSON than a pipe holds.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.gear");
    let items: String = (0..2000)
        .map(|i| format!("keys(\"k{i}:*\") | map(missing_{i}) | register\n"))
        .collect();
    std::fs::write(&file, items).unwrap();
    let file = file.to_str().unwrap();
    let (start, out) =
        support::gearc_to_a_reader_that_stops(&["check", "--message-format", "json", file], 64);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.is_empty(),
        "a closed pipe is not an error to report: {stderr}"
    );
    // The file has errors: the status says so, whether or not the reader stayed.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(text(&start).starts_with('{'), "{}", text(&start));
}
