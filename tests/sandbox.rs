//! `gearc run --local --sandbox`: a throwaway redis-server seeded with the file's
//! example data, so an example shows its result with nothing set up.

mod support;

use std::process::Command;

fn gearc(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(args)
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("gearc")
}

#[test]
fn sandbox_runs_an_example_on_its_own_data() {
    let out = gearc(&["run", "--local", "--sandbox", "examples/fighters.gear"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1337\n");
    // each run gets a fresh server: deleting keys in one run leaves the next one whole
    for _ in 0..2 {
        let out = gearc(&[
            "run",
            "--local",
            "--sandbox",
            "examples/delete_by_prefix.gear",
        ]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n");
    }
}

#[test]
fn sandbox_names_a_bad_example_data_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.gear");
    std::fs::write(&path, "# redis: [\"SET\", 1]\nkeys | count | run\n").unwrap();
    let out = gearc(&["run", "--local", "--sandbox", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 1: `# redis:` must be followed by a JSON list of strings"),
        "{stderr}"
    );
}

#[test]
fn sandbox_without_redis_server_says_how_to_get_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", "--local", "--sandbox", "examples/fighters.gear"])
        .current_dir(support::root())
        .env("REDIS_SERVER", "/nonexistent/redis-server")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("apt install redis-server"));
}
