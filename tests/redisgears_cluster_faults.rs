//! A cluster that loses a node, and a server that dies under a run or a deploy: gearc
//! names what failed, exits non-zero, and a deploy that was cut off leaves a session
//! that is wholly old or wholly new.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{gear_file, gearc, gears, report, spawn_gearc};

#[test]
fn redisgears_a_cluster_node_down_is_named_not_a_partial_result() {
    let cluster = gears::own_cluster();
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(&dir, "count.gear", "keys(\"n:*\") | count | run\n");
    let ok = gearc(&["run", &file, "--url", &cluster.url]);
    assert!(ok.status.success(), "{}", report(&ok));
    assert_eq!(String::from_utf8_lossy(&ok.stdout), "0\n");

    let down = cluster.ports[2];
    cluster.kill_node(down);
    // at once (the cluster has not noticed yet), and after it marks the node failed
    for when in ["at once", "after the cluster noticed"] {
        if when != "at once" {
            std::thread::sleep(Duration::from_secs(6));
        }
        let started = Instant::now();
        let out = gearc(&["run", &file, "--url", &cluster.url]);
        let text = report(&out);
        assert_eq!(out.status.code(), Some(2), "{when}: {text}");
        assert!(text.contains("gearc::server::shard_down"), "{when}: {text}");
        assert!(
            text.contains(&format!("shard 127.0.0.1:{down} does not answer")),
            "{when}: {text}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{when}: took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn redisgears_a_server_that_dies_during_a_run_is_a_clear_error() {
    let mut server = gears::gears_with_args(&[]);
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "slow.gear",
        "python \"\"\"\nimport time\ndef slow():\n    for i in range(300):\n        time.sleep(0.1)\n    yield 1\n\"\"\"\npython(slow) | run\n",
    );
    let url = server.url();
    let child = spawn_gearc(&["run", &file, "--url", &url]);
    std::thread::sleep(Duration::from_millis(800));
    server.kill();
    let out = child.wait_with_output().unwrap();
    let text = report(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("gearc::server::connection_lost"), "{text}");
    assert!(
        text.contains(&format!("lost the connection to {url}")),
        "{text}"
    );
}

#[test]
fn redisgears_a_deploy_cut_off_is_all_or_nothing_and_deploying_again_converges() {
    let server = gears::gears_with_args(&[]);
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let old = "keys(\"cut:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"old\")) | register(mode = \"sync\")\n";
    // the new module takes a second to load (RedisGears loads it on its main thread)
    let new = "python \"\"\"\nimport time\ntime.sleep(1)\n\"\"\"\nkeys(\"cut:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"new\")) | register(mode = \"sync\")\nkeys(\"cut2:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"new\")) | register(mode = \"sync\")\n";
    let file = gear_file(&dir, "cut.gear", old);
    let first = gearc(&["deploy", &file, "--url", &url]);
    assert!(first.status.success(), "{}", report(&first));
    std::fs::write(&file, new).unwrap();
    // gearc is killed while the server loads the new module
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["deploy", &file, "--url", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    // the session holds either the old registration or both new ones, never a mix
    let count = |out: &Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("\"session\":\"cut\""))
            .count()
    };
    std::thread::sleep(Duration::from_millis(1500));
    let held = gearc(&["registrations", "--json", "--url", &url]);
    assert!([1, 2].contains(&count(&held)), "{}", report(&held));
    // deploying again converges on the new file
    let again = gearc(&["deploy", &file, "--url", &url]);
    assert!(again.status.success(), "{}", report(&again));
    let held = gearc(&["registrations", "--json", "--url", &url]);
    assert_eq!(count(&held), 2, "{}", report(&held));
    drop(server);
}

/// The server is killed while it loads a new deploy: gearc says the connection was lost,
/// the server restarts (from the snapshot taken after the first deploy) with the old
/// session whole, and deploying again converges on the new file.
#[test]
fn redisgears_a_server_killed_during_a_deploy_restarts_with_the_old_session_whole() {
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().display().to_string();
    let mut server = gears::gears_with_args(&["--dir", &data_dir]);
    let dir = tempfile::tempdir().unwrap();
    let old = "keys(\"cut:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"old\")) | register(mode = \"sync\")\n";
    // the new module takes two seconds to load (on the server's main thread)
    let new = "python \"\"\"\nimport time\ntime.sleep(2)\n\"\"\"\nkeys(\"cut:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"new\")) | register(mode = \"sync\")\nkeys(\"cut2:*\") | foreach(execute(\"SET\", \"seen-\" + key, \"new\")) | register(mode = \"sync\")\n";
    let file = gear_file(&dir, "cut.gear", old);
    let first = gearc(&["deploy", &file, "--url", &server.url()]);
    assert!(first.status.success(), "{}", report(&first));
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: () = redis::cmd("SAVE").query(&mut con).unwrap();

    std::fs::write(&file, new).unwrap();
    let url = server.url();
    let child = spawn_gearc(&["deploy", &file, "--url", &url]);
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    let out = child.wait_with_output().unwrap();
    let text = report(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("gearc::server::connection_lost"), "{text}");
    assert!(
        text.contains(&format!("lost the connection to {url}")),
        "{text}"
    );

    let server = gears::gears_with_args(&["--dir", &data_dir]);
    let url = server.url();
    let sessions = |out: &Output| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("\"session\":\"cut\""))
            .map(str::to_string)
            .collect()
    };
    let held = gearc(&["registrations", "--json", "--url", &url]);
    let held = sessions(&held);
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(held[0].contains("cut:*"), "{held:?}");
    let again = gearc(&["deploy", &file, "--url", &url]);
    assert!(again.status.success(), "{}", report(&again));
    let held = sessions(&gearc(&["registrations", "--json", "--url", &url]));
    assert_eq!(held.len(), 2, "{held:?}");
}
