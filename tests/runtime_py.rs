//! The local engine's own tests (tests/runtime/test_*.py, Python unittest against
//! real redis-servers they start themselves), under python3 and under CPython 3.7,
//! the interpreter RedisGears embeds, when this machine has it.

mod support;

use std::path::Path;
use std::process::Command;

fn unittest(python: &Path) {
    let out = Command::new(python)
        .args([
            "-m",
            "unittest",
            "discover",
            "-s",
            "tests/runtime",
            "-t",
            ".",
        ])
        .current_dir(support::root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{} unittest failed:\n{report}",
        python.display()
    );
    // A run that found no tests also exits 0: make sure they ran.
    assert!(
        report.contains("Ran ") && !report.contains("Ran 0 tests"),
        "{report}"
    );
    assert!(
        !report.contains("skipped="),
        "skipped tests do not count as passing:\n{report}"
    );
}

#[test]
fn runtime_tests_pass_under_python3() {
    unittest(Path::new("python3"));
}

#[test]
fn runtime_tests_pass_under_python37() {
    match support::python37() {
        Some(p) => unittest(&p),
        // Not a pass: say so loudly; CI machines have pyenv's 3.7.16.
        None => panic!(
            "CPython 3.7 not found (pyenv prefix 3.7.16); set GEARC_PYTHON37 to its python3.7"
        ),
    }
}
