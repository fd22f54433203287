//! `gearc compile --emit ast|ir` shows what the parser built and what the checker
//! inferred (the type of every expression); snapshotted for a few examples so a change
//! in inference shows up in review.

mod support;

use std::process::Command;

fn emit(stage: &str, file: &str) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["compile", "--emit", stage, file])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .output()
        .expect("gearc runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn emit_ast_and_ir_of_examples() {
    let _guard = support::corpus_snapshot_settings().bind_to_scope();
    for example in ["fighters.gear", "average_age.gear"] {
        for stage in ["ast", "ir"] {
            let (ok, stdout, stderr) = emit(stage, &format!("examples/{example}"));
            assert!(ok, "--emit {stage} {example}: {stderr}");
            insta::assert_snapshot!(format!("emit_{stage}@{example}"), stdout);
        }
    }
}

#[test]
fn emit_ir_shows_the_inferred_types() {
    let (ok, ir, _) = emit("ir", "examples/fighters.gear");
    assert!(ok);
    // `int(value)` is typed `int`, and so is each record after the map.
    assert!(ir.contains("builtin: Int"), "{ir}");
    assert!(ir.contains("result: Int"), "{ir}");
}

#[test]
fn emit_ast_of_a_file_that_does_not_check_still_shows_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.gear");
    std::fs::write(&file, "keys | map(nothing_here) | run\n").unwrap();
    let (ok, ast, _) = emit("ast", file.to_str().unwrap());
    assert!(ok);
    assert!(ast.contains("\"nothing_here\""), "{ast}");
    let (ok, ir, stderr) = emit("ir", file.to_str().unwrap());
    assert!(!ok, "{ir}");
    assert!(stderr.contains("gearc::check::unknown_field"), "{stderr}");
}

#[test]
fn emit_python_is_the_default() {
    let plain = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["compile", "examples/fighters.gear"])
        .current_dir(support::root())
        .output()
        .unwrap();
    let (ok, python, _) = emit("python", "examples/fighters.gear");
    assert!(ok && plain.status.success());
    assert_eq!(String::from_utf8_lossy(&plain.stdout), python);
    assert!(python.contains("GB(\"KeysReader\")"), "{python}");
}
