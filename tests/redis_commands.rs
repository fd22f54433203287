//! The command table that `execute("NAME", …)` is checked against
//! (src/check/redis_commands.txt) is what a real Redis answers to `COMMAND LIST`.

mod support;

use std::collections::BTreeSet;

#[test]
fn the_command_table_matches_the_installed_redis_server() {
    let server = support::RedisServer::start();
    let mut con = server.con();
    let listed: Vec<String> = redis::cmd("COMMAND")
        .arg("LIST")
        .query(&mut con)
        .expect("COMMAND LIST");
    let live: BTreeSet<String> = listed
        .into_iter()
        .filter(|n| !n.contains('|'))
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let table: BTreeSet<String> = gearc::check::commands::names()
        .map(str::to_string)
        .collect();
    assert!(live.len() > 200, "{live:?}");
    let missing: Vec<&String> = live.difference(&table).collect();
    let extra: Vec<&String> = table.difference(&live).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "regenerate src/check/redis_commands.txt as its header says: missing {missing:?}, not in this server {extra:?}"
    );
}

#[test]
fn a_misspelled_command_warns_with_the_nearest_name() {
    let source =
        "keys(\"user:*\", key_types = [\"hash\"]) | map(execute(\"HGTE\", key, \"name\")) | run\n";
    let compiled = gearc::compile(source, "t.gear").expect("a warning, not an error");
    let warning = compiled
        .warnings
        .iter()
        .find(|w| w.code_text() == "gearc::check::unknown_command")
        .expect("unknown_command");
    let help = miette::Diagnostic::help(warning).unwrap().to_string();
    assert_eq!(help, "did you mean `HGET`?");
    // Real commands in any case, and module commands, are not warned about.
    for ok in ["HGET", "hset", "RG.TRIGGER", "JSON.SET"] {
        let source = format!("python([1]) | map(execute(\"{ok}\", \"k\")) | run\n");
        let compiled = gearc::compile(&source, "t.gear").expect("compiles");
        assert!(
            compiled.warnings.is_empty(),
            "{ok}: {:?}",
            compiled.warnings
        );
    }
}
