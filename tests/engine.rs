//! `gearc run --local` on every example that has a `run` pipeline, against a real
//! redis-server seeded with known data: the exact, typed results.

mod support;

use std::process::{Command, Output};

use redis::Commands;
use support::{gear_file, RedisServer};

fn gearc(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gearc"));
    cmd.args(args)
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run gearc")
}

fn run_local(server: &RedisServer, example: &str, extra: &[&str]) -> Output {
    let url = server.url();
    let mut args = vec!["run", "--local", example, "--url", &url];
    args.extend_from_slice(extra);
    gearc(&args, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

#[test]
fn fighters_sum_is_1337() {
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = con
        .mset(&[
            ("Foo-fighter", "2021"),
            ("Bar-fighter", "63"),
            ("Baz-fighter", "-747"),
            ("not-a-fight", "5"),
        ])
        .unwrap();
    let out = run_local(&server, "examples/fighters.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "1337\n");
}

#[test]
fn fighters_on_an_empty_keyspace_prints_the_zero() {
    let server = RedisServer::start();
    let out = run_local(&server, "examples/fighters.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "0\n");
}

#[test]
fn word_count_counts_each_word() {
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = con.set("s1", "the cat sat on the mat").unwrap();
    let _: () = con.set("s2", "the dog").unwrap();
    let out = run_local(&server, "examples/word_count.gear", &[]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "key  value\ncat  1\ndog  1\nmat  1\non   1\nsat  1\nthe  3\n"
    );
}

#[test]
fn word_count_as_json_lines() {
    let server = RedisServer::start();
    let _: () = server.con().set("s1", "a b a").unwrap();
    let out = run_local(&server, "examples/word_count.gear", &["--json"]);
    assert_ok(&out);
    let mut lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines.sort_by_key(|v| v["key"].as_str().unwrap_or_default().to_string());
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"key": "a", "value": 2}),
            serde_json::json!({"key": "b", "value": 1})
        ]
    );
}

#[test]
fn delete_by_prefix_deletes_exactly_those_keys() {
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = con
        .mset(&[
            ("delete_me:1", "a"),
            ("delete_me:2", "b"),
            ("delete_me:3", "c"),
            ("keep:1", "d"),
            ("delete_me", "e"),
        ])
        .unwrap();
    let out = run_local(&server, "examples/delete_by_prefix.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "3\n");
    let mut left: Vec<String> = con.keys("*").unwrap();
    left.sort();
    assert_eq!(left, vec!["delete_me".to_string(), "keep:1".to_string()]);
}

#[test]
fn delete_by_prefix_with_nothing_to_delete_prints_0() {
    let server = RedisServer::start();
    let out = run_local(&server, "examples/delete_by_prefix.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "0\n");
}

#[test]
fn monte_carlo_estimates_pi() {
    let server = RedisServer::start();
    let out = run_local(&server, "examples/monte_carlo_pi.gear", &[]);
    assert_ok(&out);
    let pi: f64 = stdout(&out).trim().parse().expect("a float");
    assert!((3.0..3.3).contains(&pi), "{pi}");
}

#[test]
fn top_scores_highest_first() {
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = con
        .mset(&[
            ("score:a", "10"),
            ("score:b", "50"),
            ("score:c", "30"),
            ("score:d", "40"),
        ])
        .unwrap();
    let _: () = con.hset("score:h", "x", "1000").unwrap();
    let out = run_local(&server, "examples/top_scores.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "50\n40\n30\n");
}

fn seed_users(con: &mut redis::Connection) {
    let _: () = con
        .hset_multiple("user:1", &[("country", "NL"), ("age", "30")])
        .unwrap();
    let _: () = con
        .hset_multiple("user:2", &[("country", "NL"), ("age", "12")])
        .unwrap();
    let _: () = con
        .hset_multiple("user:3", &[("country", "DE"), ("age", "40")])
        .unwrap();
    let _: () = con.hset_multiple("user:4", &[("age", "6")]).unwrap();
    let _: () = con.set("user:count", "4").unwrap();
}

#[test]
fn age_by_country_groups_hashes() {
    let server = RedisServer::start();
    seed_users(&mut server.con());
    let out = run_local(&server, "examples/age_by_country.gear", &[]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "key      value\nDE       40\nNL       42\nunknown  6\n"
    );
}

#[test]
fn average_age_of_hashes() {
    let server = RedisServer::start();
    seed_users(&mut server.con());
    let out = run_local(&server, "examples/average_age.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "22.0\n");
}

#[test]
fn sum_of_squares_with_a_combiner() {
    let server = RedisServer::start();
    let _: () = server
        .con()
        .mset(&[("n:1", "1"), ("n:2", "2"), ("n:3", "3")])
        .unwrap();
    let out = run_local(&server, "examples/sum_of_squares.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "14\n");
}

#[test]
fn distinct_types_in_order() {
    let server = RedisServer::start();
    let mut con = server.con();
    let _: () = con.set("a", "1").unwrap();
    let _: () = con.set("b", "2").unwrap();
    let _: () = con.hset("h", "f", "v").unwrap();
    let _: () = con.rpush("l", "x").unwrap();
    let _: () = con.sadd("s", "x").unwrap();
    let out = run_local(&server, "examples/distinct_types.gear", &[]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "hash\nlist\nset\nstring\n");
}

#[test]
fn a_failing_callback_points_at_its_gear_span_and_fills_in_nothing() {
    let server = RedisServer::start();
    let _: () = server.con().set("Bad-fighter", "lots").unwrap();
    let out = run_local(&server, "examples/fighters.gear", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // No "0": with an error the total is unknown, not zero.
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains("ValueError: invalid literal for int()"),
        "{err}"
    );
    assert!(
        err.contains("fighters.gear:8:21"),
        "the error points at map(int(value)): {err}"
    );
    assert!(err.contains("results above are incomplete"), "{err}");
}

#[test]
fn records_read_before_an_error_are_shown_and_negative_numbers_survive() {
    // RedisGears stops reading once an error reaches the reply; a python reader yields in
    // order, so exactly the records before the failing one come back.
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "divide.gear",
        "python(range(5)) | map(10 // (it - 2)) | run\n",
    );
    let out = run_local(&server, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), "-5\n-10\n");
    let err = stderr(&out);
    assert!(err.contains("ZeroDivisionError"), "{err}");
    assert!(err.contains("divide.gear:1:20"), "{err}");
}

#[test]
fn the_engine_runs_exactly_what_compile_prints() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("ran.py");
    let url = server.url();
    let out = gearc(
        &["run", "--local", "examples/fighters.gear", "--url", &url],
        &[("GEARC_SAVE_MODULE", saved.to_str().unwrap())],
    );
    assert_ok(&out);
    let compiled = gearc(&["compile", "examples/fighters.gear"], &[]);
    assert_ok(&compiled);
    assert_eq!(std::fs::read(&saved).unwrap(), compiled.stdout);
}

#[test]
fn register_only_files_are_reported_not_run() {
    let server = RedisServer::start();
    let out = run_local(&server, "examples/automatic_expiry.gear", &[]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("not run locally (register)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unreachable_redis_names_the_url() {
    let server = RedisServer::start();
    let url = format!("redis://127.0.0.1:{}", server.port);
    drop(server);
    let out = gearc(
        &["run", "--local", "examples/fighters.gear", "--url", &url],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&url), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Traceback"), "{}", stderr(&out));
}

#[test]
fn missing_python_is_a_clear_error() {
    let out = gearc(
        &["run", "--local", "examples/fighters.gear"],
        &[("GEARC_PYTHON", "/nonexistent/python3")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/python3"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_that_does_not_compile_is_not_run() {
    let out = gearc(&["run", "--local", "tests/errors/unknown_reader.gear"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown reader `key`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn watch_applies_registrations_and_restores_the_server_on_stop() {
    use std::io::{BufRead, BufReader};
    use std::time::{Duration, Instant};

    let server = RedisServer::start();
    let mut con = server.con();
    let before: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("notify-keyspace-events")
        .query(&mut con)
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args([
            "run",
            "--local",
            "examples/automatic_expiry.gear",
            "--watch",
            "--url",
            &server.url(),
        ])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.iter().any(|l: &String| l.contains("watching")) {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("engine starts watching");
        seen.push(line);
    }
    let _: () = con.set("session:1", "x").unwrap();
    let mut ttl = -1;
    while ttl < 0 && Instant::now() < deadline {
        ttl = con.ttl("session:1").unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        (3590..=3600).contains(&ttl),
        "EXPIRE from the registration: ttl {ttl}"
    );

    // A signal to gearc alone (not to its process group) still stops the engine cleanly.
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    // The reader thread may still hold the last lines: read until it ends (EOF).
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        seen.push(line);
    }
    assert!(status.success(), "{status:?}: {seen:?}");
    assert!(seen.iter().any(|l| l.contains("stopped")), "{seen:?}");
    let after: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("notify-keyspace-events")
        .query(&mut con)
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn a_module_that_fails_while_loading_points_into_the_python_block() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "load.gear",
        "python \"\"\"\nN = 1 / 0\n\"\"\"\nkeys | count | run\n",
    );
    let out = run_local(&server, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the module failed to load"), "{err}");
    assert!(err.contains("gearc::run::load_failed"), "{err}");
    assert!(err.contains("ZeroDivisionError"), "{err}");
    assert!(
        err.contains("load.gear:2:1"),
        "the python block's line: {err}"
    );
}

#[test]
fn a_requirement_missing_from_the_local_python_says_how_to_install_it() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(&dir, "needs.gear", "requirements \"gearc-missing-requirement==1.0\"\npython \"\"\"\nimport gearc_missing_requirement\n\"\"\"\nkeys | count | run\n");
    let out = run_local(&server, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("gearc::run::load_failed"), "{err}");
    assert!(err.contains("needs.gear:3:1"), "the import's line: {err}");
    // the requirement is named, --local installs nothing, and the two ways out
    let help = err.split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "`gearc-missing-requirement==1.0` is in the file's requirements",
        "`gearc run --local` installs nothing",
        "python3 -m pip install 'gearc-missing-requirement==1.0'",
        "set GEARC_PYTHON to an interpreter that has it",
    ] {
        assert!(help.contains(words), "{words:?} in {err}");
    }
    assert!(!err.contains("would reject"), "{err}");
}

/// The engine directories in a gearc cache.
fn engine_dirs(cache: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(cache)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("engine-"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_engine_and_its_bytecode_are_cached_between_runs() {
    let server = RedisServer::start();
    let cache = tempfile::tempdir().unwrap();
    let url = server.url();
    let cache_dir = cache.path().to_str().unwrap();
    // Python's setting is about the user's files: the engine's bytecode is cached anyway.
    let envs = [
        ("GEARC_CACHE_DIR", cache_dir),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ];
    let args = ["run", "--local", "examples/fighters.gear", "--url", &url];
    let first = gearc(&args, &envs);
    assert_ok(&first);
    assert_eq!(stdout(&first), "0\n");
    let dirs = engine_dirs(cache.path());
    assert_eq!(dirs.len(), 1, "one engine directory: {dirs:?}");
    let bytecode = |dir: &std::path::Path| -> Vec<(String, std::time::SystemTime)> {
        let mut files: Vec<_> = std::fs::read_dir(dir.join("gearc_engine/__pycache__"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| {
                        let modified = e.metadata().and_then(|m| m.modified()).unwrap();
                        (e.file_name().to_string_lossy().to_string(), modified)
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    };
    let cached = bytecode(&dirs[0]);
    assert!(
        cached
            .iter()
            .filter(|(n, _)| n.starts_with("main."))
            .count()
            == 1
            && cached.len() >= 10,
        "the engine's modules are compiled once: {cached:?}"
    );
    let second = gearc(&args, &envs);
    assert_ok(&second);
    assert_eq!(engine_dirs(cache.path()), dirs);
    assert_eq!(
        bytecode(&dirs[0]),
        cached,
        "the second run compiles nothing"
    );
}

#[test]
fn an_unusable_or_changed_cache_is_not_used() {
    let server = RedisServer::start();
    let url = server.url();
    let args = ["run", "--local", "examples/fighters.gear", "--url", &url];
    // the cache path is a file: the engine runs from a temporary directory
    let cache = tempfile::tempdir().unwrap();
    let file = cache.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    let out = gearc(&args, &[("GEARC_CACHE_DIR", file.to_str().unwrap())]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "0\n");
    // a cached engine whose files were changed is left alone and not run
    let cache_dir = cache.path().to_str().unwrap();
    assert_ok(&gearc(&args, &[("GEARC_CACHE_DIR", cache_dir)]));
    let dirs = engine_dirs(cache.path());
    assert_eq!(dirs.len(), 1);
    let main = dirs[0].join("gearc_engine/main.py");
    let changed = format!(
        "{}\nraise SystemExit(9)\n",
        std::fs::read_to_string(&main).unwrap()
    );
    std::fs::write(&main, &changed).unwrap();
    let out = gearc(&args, &[("GEARC_CACHE_DIR", cache_dir)]);
    assert_ok(&out);
    assert_eq!(stdout(&out), "0\n");
    assert_eq!(std::fs::read_to_string(&main).unwrap(), changed);
}

/// The child processes of `pid` (Linux: /proc/PID/task/*/children).
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Whether a process has ended (a zombie nobody reaps has).
fn ended(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rsplit(')').next().unwrap_or("").split_whitespace().next() == Some("Z"))
        .unwrap_or(true)
}

#[test]
fn the_engine_ends_and_restores_when_gearc_is_killed() {
    use std::time::{Duration, Instant};

    let server = RedisServer::start();
    let mut con = server.con();
    let flags = |con: &mut redis::Connection| -> String {
        let reply: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("notify-keyspace-events")
            .query(con)
            .unwrap();
        reply[1].clone()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args([
            "run",
            "--local",
            "examples/automatic_expiry.gear",
            "--watch",
        ])
        .args(["--url", &server.url()])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while flags(&mut con).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the engine did not start watching"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let engines = children(child.id());
    assert_eq!(engines.len(), 1, "one engine process: {engines:?}");
    child.kill().unwrap(); // SIGKILL: gearc cannot pass anything on
    child.wait().unwrap();
    while !ended(engines[0]) {
        assert!(
            Instant::now() < deadline,
            "the engine lives on after gearc was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        flags(&mut con),
        "",
        "the engine restored the server's setting"
    );
    // and it applies no registration any more
    let _: () = redis::cmd("SET")
        .arg("session:1")
        .arg("x")
        .query(&mut con)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let ttl: i64 = redis::cmd("TTL").arg("session:1").query(&mut con).unwrap();
    assert_eq!(ttl, -1);
}

#[test]
fn an_interpreter_that_cannot_start_is_reported_as_that() {
    use std::os::unix::fs::PermissionsExt;
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // what a version manager's shim does when it finds no interpreter
    let shim = dir.path().join("python3");
    std::fs::write(
        &shim,
        "#!/bin/sh\necho 'shim: python3: command not found' >&2\nexit 127\n",
    )
    .unwrap();
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    let url = server.url();
    let out = gearc(
        &["run", "--local", "examples/fighters.gear", "--url", &url],
        &[("GEARC_PYTHON", shim.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("shim: python3: command not found"), "{err}");
    assert!(err.contains("gearc::engine::python_failed"), "{err}");
    assert!(err.contains("exit status 127"), "{err}");
    assert!(!err.contains("bug in gearc"), "{err}");
}

#[test]
fn engine_lines_reach_stderr_whole_between_gearcs_own() {
    use std::io::Read;
    use std::time::{Duration, Instant};

    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.gear");
    // each event logs a line longer than a pipe writes at once, while gearc reports it
    std::fs::write(
        &file,
        "keys(\"k*\") | foreach(log(f\"{key}:\" + \"x\" * 20000)) | register\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", "--local", "--watch", "--url", &server.url()])
        .arg(&file)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stderr.take().unwrap();
    // A slow reader: the pipe fills up, so long lines are written piece by piece, as
    // their reader frees room, while gearc's own lines wait to be written too.
    let reader = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1000));
        let mut text = String::new();
        pipe.read_to_string(&mut text).unwrap();
        text
    });
    let mut con = server.con();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let flags: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("notify-keyspace-events")
            .query(&mut con)
            .unwrap();
        if !flags[1].is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the engine did not start watching"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    for i in 0..40 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(2000));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let text = reader.join().unwrap();
    let logged: Vec<&str> = text.lines().filter(|l| l.contains("xxxx")).collect();
    assert_eq!(logged.len(), 40, "one log line per event");
    for line in logged {
        let rest = line
            .strip_prefix("[notice] GEARS: k")
            .unwrap_or_else(|| panic!("a whole line: {}…", &line[..line.len().min(80)]));
        let (_, xs) = rest.split_once(':').expect("key:x…");
        assert_eq!(xs, "x".repeat(20000), "nothing inside the line");
    }
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("fired by set k"))
            .count(),
        40,
        "gearc's lines whole too"
    );
}

/// A server that asks for a password, and a connection to it.
fn server_with_password(password: &str) -> (RedisServer, redis::Connection) {
    let server = RedisServer::start_with(&["--requirepass", password]);
    let con = redis::Client::open(format!("redis://:{password}@127.0.0.1:{}", server.port))
        .and_then(|c| c.get_connection())
        .expect("connect with the password");
    (server, con)
}

/// Starts `gearc run --local` with `args`, waits until `started` holds, then kills the
/// Redis under it (SIGKILL, a crash): the run ends with a message naming the server,
/// without its password, exit status 2, and no engine process left behind.
fn kill_redis_under(
    args: &[&str],
    mut started: impl FnMut(&mut redis::Connection) -> bool,
) -> Output {
    use std::time::{Duration, Instant};

    let password = "s3cret-pw";
    let (mut server, mut con) = server_with_password(password);
    let url = format!("redis://:{password}@127.0.0.1:{}", server.port);
    let child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", "--local"])
        .args(args)
        .args(["--url", &url])
        .current_dir(support::root())
        .env("NO_COLOR", "1")
        .env_remove("REDIS_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !started(&mut con) {
        assert!(Instant::now() < deadline, "the run did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let engines = children(child.id());
    assert_eq!(engines.len(), 1, "one engine process: {engines:?}");
    server.kill();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    // "lost the connection to Redis at URL", or "cannot connect to Redis at URL" when the
    // engine was opening a connection then
    let shown = format!("to Redis at redis://127.0.0.1:{}/0: ", server.port);
    assert!(err.contains(&shown), "{err}");
    assert!(!err.contains(password), "the password is not shown: {err}");
    assert!(!err.contains("Traceback"), "{err}");
    while !ended(engines[0]) {
        assert!(Instant::now() < deadline, "the engine lives on");
        std::thread::sleep(Duration::from_millis(20));
    }
    out
}

#[test]
fn redis_killed_during_a_run_is_a_clear_error_and_leaves_no_engine() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("forever.gear");
    // gear code that talks to Redis until Redis goes away: the lost connection is the run's
    // end (exit 2), not an error of the gear code (exit 1) that its records would report
    std::fs::write(
        &file,
        "python \"\"\"\nimport time\n\ndef forever():\n    execute(\"SET\", \"started\", \"1\")\n    while True:\n        execute(\"PING\")\n        time.sleep(0.01)\n        yield 1\n\"\"\"\n\npython(forever()) | map(it + 1) | run\n",
    )
    .unwrap();
    kill_redis_under(&[file.to_str().unwrap()], |con| {
        con.exists::<_, bool>("started").unwrap()
    });
}

/// The engine sends records as they are made, so a run that loses Redis may have printed
/// some: the failure is the same (exit 2, the URL), then gearc says how many records
/// were printed and that they are not the whole result (as text, or as the JSON line
/// that marks a --json run's results incomplete).
#[test]
fn redis_killed_after_records_were_printed_says_they_are_not_all() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("counting.gear");
    std::fs::write(
        &file,
        "python \"\"\"\nimport time\n\ndef counting():\n    while True:\n        execute(\"INCR\", \"made\")\n        time.sleep(0.01)\n        yield 1\n\"\"\"\n\npython(counting()) | map(it + 1) | run\n",
    )
    .unwrap();
    // 60 records take 0.6 s: several chunks have left the engine by then (one at least
    // every 0.2 s)
    let made = |con: &mut redis::Connection| con.get::<_, Option<u32>>("made").unwrap() >= Some(60);
    for json in [false, true] {
        let mut args = vec![file.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let out = kill_redis_under(&args, made);
        let (printed, err) = (stdout(&out), stderr(&out));
        let records = printed.lines().count();
        assert!(records > 0, "records were printed before: {err}");
        assert!(printed.lines().all(|l| l == "2"), "{printed}");
        if json {
            let last: serde_json::Value =
                serde_json::from_str(err.lines().last().unwrap_or_default()).unwrap();
            assert_eq!(
                last,
                serde_json::json!({"incomplete": true, "records": records, "in": "the run"}),
                "{err}"
            );
        } else {
            assert!(
                err.ends_with(&format!(
                    "the run stopped after the {records} records above; they are not its whole result\n"
                )),
                "{err}"
            );
        }
    }
}

#[test]
fn redis_killed_under_watch_is_a_clear_error_and_leaves_no_engine() {
    kill_redis_under(&["examples/automatic_expiry.gear", "--watch"], |con| {
        let reply: Vec<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("notify-keyspace-events")
            .query(con)
            .unwrap();
        !reply[1].is_empty() // the engine is watching
    });
}
