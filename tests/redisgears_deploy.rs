//! `gearc deploy`, `undeploy`, `trigger` and the management commands against a real
//! RedisGears 1.2.13 (one server for this test binary; each test uses its own keys and
//! session names, and removes its sessions).

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::gears;

fn gearc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(args)
        .current_dir(support::root())
        .env_remove("REDIS_URL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run gearc")
}

fn on_server(args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--url", &gears::single().url]);
    gearc(&all)
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_ok(o: &Output) {
    assert!(o.status.success(), "{}", text(o));
}

/// The registrations of `session` on the server, straight from RG.DUMPREGISTRATIONS.
fn session_registrations(session: &str) -> Vec<String> {
    let mut con = gears::single().con();
    let dump: redis::Value = redis::cmd("RG.DUMPREGISTRATIONS")
        .query(&mut con)
        .expect("RG.DUMPREGISTRATIONS");
    let needle = format!("'sessionName':'{session}'");
    let mut ids = Vec::new();
    if let redis::Value::Array(entries) = dump {
        for entry in entries {
            let text = format!("{entry:?}");
            if text.contains(&needle) {
                if let redis::Value::Array(fields) = entry {
                    if let Some(redis::Value::BulkString(id)) = fields.get(1) {
                        ids.push(String::from_utf8_lossy(id).into_owned());
                    }
                }
            }
        }
    }
    ids
}

/// A `.gear` file in a temporary folder, named `name`.
fn gear_file(dir: &tempfile::TempDir, name: &str, source: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, source).expect("write gear file");
    path.display().to_string()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

fn get(key: &str) -> Option<String> {
    let mut con = gears::single().con();
    redis::cmd("GET").arg(key).query(&mut con).expect("GET")
}

fn set(key: &str, value: &str) {
    let mut con = gears::single().con();
    let _: () = redis::cmd("SET")
        .arg(key)
        .arg(value)
        .query(&mut con)
        .expect("SET");
}

#[test]
fn redisgears_deploy_twice_keeps_one_set_then_a_change_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = "keys(\"dep1:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"v1\")) | register(mode = \"sync\")\n";
    let v2 = "keys(\"dep1:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"v2\")) | register(mode = \"sync\")\nkeys(\"dep1b:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"b\")) | register(mode = \"sync\")\n";
    let file = gear_file(&dir, "redeploy.gear", v1);
    assert_ok(&on_server(&["deploy", &file]));
    let first = session_registrations("redeploy");
    assert_eq!(first.len(), 1, "{first:?}");
    assert_ok(&on_server(&["deploy", &file]));
    let second = session_registrations("redeploy");
    assert_eq!(second.len(), 1, "deploying again duplicated: {second:?}");
    assert_ne!(
        first, second,
        "the registration was replaced, with a new id"
    );
    set("dep1:a", "x");
    assert_eq!(get("seen-dep1:a").as_deref(), Some("v1"));

    // a changed file: the old registration is gone, the new ones fire
    std::fs::write(&file, v2).unwrap();
    let out = on_server(&["deploy", &file]);
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 registrations"),
        "{}",
        text(&out)
    );
    let third = session_registrations("redeploy");
    assert_eq!(third.len(), 2, "{third:?}");
    assert!(third.iter().all(|id| !second.contains(id)));
    set("dep1:a", "y");
    set("dep1b:c", "z");
    assert_eq!(get("seen-dep1:a").as_deref(), Some("v2"));
    assert_eq!(get("seen-dep1b:c").as_deref(), Some("b"));

    // undeploy by file name removes them all
    let out = on_server(&["undeploy", &file]);
    assert_ok(&out);
    assert!(session_registrations("redeploy").is_empty());
    set("dep1:a", "after");
    assert_eq!(
        get("seen-dep1:a").as_deref(),
        Some("v2"),
        "nothing fires after undeploy"
    );
    let again = on_server(&["undeploy", "redeploy"]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stderr).contains("has no session `redeploy`"));
}

#[test]
fn redisgears_dry_run_touches_nothing_and_says_what_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "dry.gear",
        "keys(\"dry:*\") | foreach(execute(\"SET\", \"d-\" + key, \"1\")) | register(mode = \"sync\")\n",
    );
    let before = on_server(&["deploy", &file, "--dry-run"]);
    assert_ok(&before);
    let stdout = String::from_utf8_lossy(&before.stdout).to_string();
    assert!(
        stdout.contains("  add      KeysReader prefix 'dry:*'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("--- module\n# Generated by gearc"),
        "{stdout}"
    );
    assert!(
        session_registrations("dry").is_empty(),
        "--dry-run deployed"
    );

    assert_ok(&on_server(&["deploy", &file]));
    let held = session_registrations("dry");
    std::fs::write(
        &file,
        "keys(\"dry2:*\") | foreach(execute(\"SET\", \"d-\" + key, \"1\")) | register(mode = \"sync\")\n",
    )
    .unwrap();
    let plan = on_server(&["deploy", &file, "--dry-run"]);
    assert_ok(&plan);
    let stdout = String::from_utf8_lossy(&plan.stdout).to_string();
    assert!(
        stdout.contains("  add      KeysReader prefix 'dry2:*'"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "  remove   {}  KeysReader prefix 'dry:*'",
            held[0]
        )),
        "{stdout}"
    );
    assert_eq!(
        session_registrations("dry"),
        held,
        "--dry-run changed the server"
    );
    assert_ok(&on_server(&["undeploy", "dry"]));
}

#[test]
fn redisgears_seed_register_examples_fire_on_real_writes() {
    // automatic expiry: every written key gets a TTL of an hour
    assert_ok(&on_server(&["deploy", "examples/automatic_expiry.gear"]));
    set("expiry-probe", "1");
    let mut con = gears::single().con();
    let ttl: i64 = redis::cmd("TTL")
        .arg("expiry-probe")
        .query(&mut con)
        .unwrap();
    assert!((3590..=3600).contains(&ttl), "TTL {ttl}");
    assert_ok(&on_server(&["undeploy", "automatic_expiry"]));

    // stream to hash: each entry becomes a hash named after its id
    assert_ok(&on_server(&["deploy", "examples/stream_to_hash.gear"]));
    let id: String = redis::cmd("XADD")
        .arg("mystream")
        .arg("*")
        .arg("name")
        .arg("ryu")
        .query(&mut con)
        .unwrap();
    wait_for("the hash of the stream entry", || {
        let name: Option<String> = redis::cmd("HGET")
            .arg(&id)
            .arg("name")
            .query(&mut con)
            .unwrap();
        name.as_deref() == Some("ryu")
    });
    assert_ok(&on_server(&["undeploy", "stream_to_hash"]));

    // reliable notifications: an HSET on person:* becomes a stream entry
    assert_ok(&on_server(&[
        "deploy",
        "examples/reliable_notifications.gear",
    ]));
    let _: () = redis::cmd("HSET")
        .arg("person:7")
        .arg("name")
        .arg("ken")
        .query(&mut con)
        .unwrap();
    let len: i64 = redis::cmd("XLEN")
        .arg("notifications-stream")
        .query(&mut con)
        .unwrap();
    assert_eq!(len, 1, "sync registration wrote the notification");
    assert_ok(&on_server(&["undeploy", "reliable_notifications"]));

    // keyspace notifications: an expired key lands in the expired:{tag} stream, which the
    // second registration processes (it logs) and trims
    assert_ok(&on_server(&[
        "deploy",
        "examples/keyspace_notifications.gear",
    ]));
    let _: () = redis::cmd("SET")
        .arg("short-lived")
        .arg("1")
        .arg("PX")
        .arg("50")
        .query(&mut con)
        .unwrap();
    let registrations = on_server(&["registrations", "--json"]);
    assert_ok(&registrations);
    wait_for("the stream registration to process the expiry", || {
        let out = on_server(&["registrations", "--json"]);
        String::from_utf8_lossy(&out.stdout).lines().any(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["session"] == "keyspace_notifications"
                && v["reader"] == "StreamReader"
                && v["success"].as_i64() >= Some(1)
        })
    });
    assert_ok(&on_server(&["undeploy", "keyspace_notifications"]));
}

#[test]
fn redisgears_trigger_answers_typed_results_and_errors() {
    // cache_get without its `requirements` line: a cached URL never imports requests,
    // so the test needs no network (and installs nothing on the server)
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(support::root().join("examples/cache_get.gear"))
        .unwrap()
        .replace("requirements \"requests\"", "");
    let file = gear_file(&dir, "cache_get.gear", &source);
    assert_ok(&on_server(&["deploy", &file]));
    set("http://cached.example/", "hello from the cache");
    let out = on_server(&["trigger", "cache_get", "http://cached.example/"]);
    assert_ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello from the cache\n"
    );
    let json = on_server(&["trigger", "cache_get", "http://cached.example/", "--json"]);
    assert_eq!(
        String::from_utf8_lossy(&json.stdout),
        "\"hello from the cache\"\n"
    );
    // a miss needs `requests`, which this server does not have: the callback's error
    let miss = on_server(&["trigger", "cache_get", "http://not-cached.example/"]);
    assert_eq!(miss.status.code(), Some(1), "{}", text(&miss));
    assert!(
        String::from_utf8_lossy(&miss.stderr)
            .contains("failed: ModuleNotFoundError: No module named 'requests'"),
        "{}",
        text(&miss)
    );
    // a failing callback is the user's problem (exit 1), shown with its exception
    let boom = gear_file(
        &dir,
        "boom.gear",
        "command(\"boom\") | map(int(it[1])) | register(mode = \"sync\")\n",
    );
    assert_ok(&on_server(&["deploy", &boom]));
    let failed = on_server(&["trigger", "boom", "x"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains(
            "the trigger `boom` failed: ValueError: invalid literal for int() with base 10: 'x'"
        ),
        "{}",
        text(&failed)
    );
    let ok = on_server(&["trigger", "boom", "41", "--json"]);
    // a register pipeline's records reach RG.TRIGGER as RedisGears' str() of them
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "\"41\"\n",
        "{}",
        text(&ok)
    );
    assert_ok(&on_server(&["undeploy", "boom"]));
    let unknown = on_server(&["trigger", "no_such_trigger"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("has no trigger `no_such_trigger`"));

    // a second session cannot take the same trigger
    let other = gear_file(&dir, "other_cache.gear", &source);
    let taken = on_server(&["deploy", &other]);
    assert_eq!(taken.status.code(), Some(2), "{}", text(&taken));
    assert!(
        String::from_utf8_lossy(&taken.stderr)
            .contains("the trigger `cache_get` is already registered by session `cache_get`"),
        "{}",
        text(&taken)
    );
    assert_ok(&on_server(&["undeploy", "cache_get"]));
}

#[test]
fn redisgears_registrations_show_counters_and_the_last_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "failing.gear",
        "keys(\"fail:*\") | map(int(value)) | register(mode = \"sync\")\n",
    );
    assert_ok(&on_server(&["deploy", &file]));
    set("fail:1", "12");
    set("fail:2", "not a number");
    let out = on_server(&["registrations", "--json"]);
    assert_ok(&out);
    let mine: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["session"] == "failing")
        .collect();
    assert_eq!(mine.len(), 1);
    let r = &mine[0];
    assert_eq!(
        (
            r["reader"].as_str(),
            r["prefix"].as_str(),
            r["mode"].as_str()
        ),
        (Some("KeysReader"), Some("fail:*"), Some("sync"))
    );
    assert_eq!(
        (
            r["triggered"].as_i64(),
            r["success"].as_i64(),
            r["failures"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert!(
        r["last_error"].as_str().unwrap().contains("ValueError"),
        "{r}"
    );

    let table = on_server(&["registrations"]);
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("id") && header.contains("last error"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.contains("failing"))
        .expect("the row");
    assert!(
        row.contains("ValueError: invalid literal for int() with base 10: 'not a number'"),
        "{row}"
    );
    // given the deployed file, the last error is shown at the .gear step that raised it
    let placed = on_server(&["registrations", &file]);
    assert_ok(&placed);
    let stderr = String::from_utf8_lossy(&placed.stderr);
    assert!(stderr.contains("gearc::run::callback_failed"), "{stderr}");
    assert!(stderr.contains("failing.gear:1:18"), "{stderr}");
    assert!(stderr.contains("raised here"), "{stderr}");
    assert_ok(&on_server(&["undeploy", "failing"]));
}

#[test]
fn redisgears_management_commands_print_tables_and_json() {
    let g = gears::single();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"0{40}-\d+", "[EXECUTION-ID]");
    settings.add_filter(&format!("127.0.0.1:{}", g.port()), "127.0.0.1:[PORT]");
    settings.add_filter(
        r#""(total|peak|current)_allocated":\d+"#,
        r#""${1}_allocated":[BYTES]"#,
    );
    settings.add_filter(r"\d+ bytes", "[BYTES] bytes");
    settings.add_filter(r"(duration:\s+)\d+", "${1}[MS]");
    settings.add_filter(r#"("\w*duration_ms":)\d+"#, "${1}[MS]");
    settings.add_filter(r"(?m)^(\d+\s+\w+\s+\S+\s+)\d+$", "${1}[MS]");
    settings.add_filter(r"0x[0-9a-f]+", "0x[ADDRESS]");
    let _guard = settings.bind_to_scope();

    // a run leaves no execution behind (gearc drops it): make one that stays, with
    // RG.PYEXECUTE UNBLOCKING and no fetch
    let mut con = g.con();
    let id: String = redis::cmd("RG.PYEXECUTE")
        .arg("GB('ShardsIDReader').map(lambda x: 'probe').run()")
        .arg("UNBLOCKING")
        .query(&mut con)
        .unwrap();
    wait_for("the execution to finish", || {
        let v: redis::Value = redis::cmd("RG.GETRESULTS")
            .arg(&id)
            .query(&mut con)
            .unwrap_or(redis::Value::Nil);
        v != redis::Value::Nil
    });
    for (name, args) in [
        ("stats", vec!["stats"]),
        ("stats_json", vec!["stats", "--json"]),
        ("cluster", vec!["cluster"]),
        ("cluster_json", vec!["cluster", "--json"]),
        ("execution", vec!["execution", &id]),
        ("execution_json", vec!["execution", &id, "--json"]),
        ("requirements", vec!["requirements"]),
    ] {
        let out = on_server(&args);
        assert_ok(&out);
        insta::assert_snapshot!(
            format!("manage_{name}"),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // a session of this test's own, so the listing holds only what it deployed
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "listed.gear",
        "keys(\"listed:*\", event_types = [\"set\"]) | register(mode = \"sync\")\ncommand(\"listed_trigger\") | register(mode = \"async_local\")\n",
    );
    assert_ok(&on_server(&["deploy", &file]));
    for (name, args) in [
        ("registrations", vec!["registrations"]),
        ("registrations_json", vec!["registrations", "--json"]),
    ] {
        let out = on_server(&args);
        assert_ok(&out);
        let mine: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("id ") || l.contains("listed"))
            // column widths depend on the other tests' registrations: one gap each
            .map(|l| {
                format!(
                    "{}\n",
                    l.split("  ")
                        .filter(|c| !c.is_empty())
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join("  ")
                )
            })
            .collect();
        insta::assert_snapshot!(format!("manage_{name}"), mine);
    }
    assert_ok(&on_server(&["undeploy", "listed"]));
    let executions = on_server(&["executions", "--json"]);
    assert!(
        String::from_utf8_lossy(&executions.stdout).contains(&format!(
            "{{\"id\":\"{id}\",\"status\":\"done\",\"registered\":false}}"
        ))
    );
    let table = on_server(&["executions"]);
    assert!(String::from_utf8_lossy(&table.stdout)
        .lines()
        .any(|l| l.starts_with(&id) && l.contains("done")));
    assert_ok(&on_server(&["drop", &id]));
    let gone = on_server(&["execution", &id]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains(&format!("has no execution {id}")));
    let abort = on_server(&["abort", &id]);
    assert_eq!(abort.status.code(), Some(1), "{}", text(&abort));
}

#[test]
fn redisgears_unregister_removes_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "unreg.gear",
        "keys(\"unreg:*\") | register(mode = \"sync\")\n",
    );
    assert_ok(&on_server(&["deploy", &file]));
    let ids = session_registrations("unreg");
    let out = on_server(&["unregister", &ids[0]]);
    assert_ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("unregistered {}\n", ids[0])
    );
    assert!(session_registrations("unreg").is_empty());
    let again = on_server(&["unregister", &ids[0]]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("execution is not registered"));
}

#[test]
fn redisgears_deploy_refuses_what_cannot_be_deployed() {
    let run_only = on_server(&["deploy", "examples/fighters.gear"]);
    assert_eq!(run_only.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run_only.stderr).contains("has no `register` pipeline"));
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(&dir, "bad.name.gear", "keys(\"x:*\") | register\n");
    let bad = on_server(&["deploy", &file]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot be a session id"));
    assert!(Path::new(&file).exists());
}
