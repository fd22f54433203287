//! A cluster that loses a node, and a server that dies under a run or a deploy: gearc
//! names what failed, exits non-zero, and a deploy that was cut off leaves a session
//! that is wholly old or wholly new.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{gear_file, gearc, gears, report};

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
    let child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        .args(["run", &file, "--url", &url])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
