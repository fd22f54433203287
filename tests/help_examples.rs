//! The example commands shown by `gearc --help` and by every `gearc COMMAND --help`
//! are read out of the help text and run, as a user would copy them:
//! - every command has examples, and every `.gear` file they name exists;
//! - those that need no RedisGears run here (against a plain redis-server this test
//!   starts, where they need one);
//! - those that need RedisGears run in `redisgears_help_examples_run` against a real
//!   RedisGears 1.2.13 (skipped by name, and said so, where it is missing).
//!
//! What the test changes in an example, and only that: the server (`--url`, added or
//! replaced by the test server's), a file the example writes (`-o OUT`, `> OUT`: moved
//! to a temporary folder), and an execution or registration id (the server makes those:
//! replaced by one this server made). Each example must exit 0; where its output is
//! known (fighters prints 1337), the output is checked too.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{gears, report, RedisServer};

/// One example line of a help text, split as a shell would.
#[derive(Debug)]
struct Example {
    /// The line as the help shows it, without its `(comment)`.
    line: String,
    /// gearc's arguments (a glob expanded as the shell would).
    args: Vec<String>,
    /// What `echo '…' |` before it feeds to gearc.
    stdin: Option<String>,
    /// Where `> FILE` after it sends standard output.
    redirect: Option<String>,
}

impl Example {
    fn command(&self) -> &str {
        &self.args[0]
    }

    fn has(&self, flag: &str) -> bool {
        self.args.iter().any(|a| a == flag)
    }

    /// Run by a RedisGears server (everything but the offline commands and the local engine).
    fn needs_redisgears(&self) -> bool {
        match self.command() {
            "compile" | "check" | "explain" | "completions" => false,
            "run" => !self.has("--local"),
            _ => true,
        }
    }
}

fn gearc_text(args: &[&str]) -> String {
    let out = support::gearc(args);
    assert!(out.status.success(), "gearc {args:?}: {}", report(&out));
    String::from_utf8(out.stdout).expect("utf-8 help")
}

/// The commands `gearc --help` lists (without `help`).
fn commands() -> Vec<String> {
    let help = gearc_text(&["--help"]);
    let listed: Vec<String> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(
        listed.len() > 10,
        "the command list was not found in:\n{help}"
    );
    listed
}

/// The lines of the `Example:` section of a help text, up to the blank line after it.
fn example_lines(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Example:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
        .collect()
}

/// `gearc check examples/*.gear`, `echo 'x' | gearc compile -`, `gearc completions bash > F`.
fn parse(line: &str) -> Example {
    // A trailing `(…)` explains the example; it is not typed.
    let line = line.split(" (").next().unwrap_or(line).trim().to_string();
    let (stdin, command) = match line.split_once(" | gearc ") {
        Some((echo, rest)) => {
            let text = echo
                .strip_prefix("echo '")
                .and_then(|e| e.strip_suffix('\''))
                .unwrap_or_else(|| panic!("`{line}`: only `echo '…' |` is understood"));
            (Some(format!("{text}\n")), rest.to_string())
        }
        None => {
            let rest = line
                .strip_prefix("gearc ")
                .unwrap_or_else(|| panic!("`{line}` is not a gearc command"));
            (None, rest.to_string())
        }
    };
    let (command, redirect) = match command.split_once(" > ") {
        Some((c, target)) => (c.to_string(), Some(target.trim().to_string())),
        None => (command, None),
    };
    assert!(
        !command.contains(['\'', '"', '$', '|', '>', '<', ';']),
        "`{line}`: this test splits examples at spaces; quote nothing"
    );
    let args = command.split_whitespace().flat_map(expand).collect();
    Example {
        line,
        args,
        stdin,
        redirect,
    }
}

/// A word as the shell hands it over: `examples/*.gear` becomes the sorted files.
fn expand(word: &str) -> Vec<String> {
    let Some((dir, pattern)) = word.rsplit_once('/').filter(|_| word.contains('*')) else {
        return vec![word.to_string()];
    };
    let (prefix, suffix) = pattern.split_once('*').expect("one *");
    let mut files: Vec<String> = std::fs::read_dir(support::root().join(dir))
        .unwrap_or_else(|e| panic!("`{word}`: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "`{word}` matches no file");
    files
}

/// Every example of `gearc --help` and of each command's help, with the command's name.
fn all_examples() -> Vec<(String, Example)> {
    let mut found = Vec::new();
    let top = example_lines(&gearc_text(&["--help"]));
    assert!(!top.is_empty(), "`gearc --help` shows no example");
    found.extend(top.iter().map(|l| ("gearc".to_string(), parse(l))));
    for command in commands() {
        let lines = example_lines(&gearc_text(&[&command, "--help"]));
        assert!(
            !lines.is_empty(),
            "`gearc {command} --help` shows no example"
        );
        for l in &lines {
            let example = parse(l);
            assert_eq!(
                example.command(),
                command,
                "`{l}` in `gearc {command} --help`"
            );
            found.push((command.clone(), example));
        }
    }
    found
}

#[test]
fn every_command_has_examples_and_they_name_files_that_exist() {
    let examples = all_examples();
    for (_, e) in &examples {
        for word in e.args.iter().filter(|w| w.ends_with(".gear")) {
            assert!(
                support::root().join(word).is_file(),
                "`{}` names {word}, which does not exist",
                e.line
            );
        }
    }
    // the parser is not vacuous: it saw the shapes the helps use
    assert!(examples.iter().any(|(_, e)| e.stdin.is_some()));
    assert!(examples.iter().any(|(_, e)| e.redirect.is_some()));
    assert!(examples.iter().any(|(_, e)| e.args.len() > 10), "a glob");
}

/// Runs gearc with `args` from the repository root, feeding `stdin`.
fn run(args: &[String], stdin: Option<&str>) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    support::gearc_with_stdin(&args, stdin.unwrap_or(""))
}

/// The example's arguments aimed at `url` (its own `--url` replaced, or one added).
fn at_server(args: &[String], url: &str) -> Vec<String> {
    let mut args = args.to_vec();
    match args.iter().position(|a| a == "--url") {
        Some(i) => args[i + 1] = url.to_string(),
        None => args.extend(["--url".to_string(), url.to_string()]),
    }
    args
}

/// `-o OUT` writes into `dir` instead of the repository.
fn output_into(args: &[String], dir: &tempfile::TempDir) -> Vec<String> {
    let mut args = args.to_vec();
    if let Some(i) = args.iter().position(|a| a == "-o" || a == "--output") {
        args[i + 1] = dir.path().join(&args[i + 1]).display().to_string();
    }
    args
}

fn fighters_seed() -> Vec<Vec<String>> {
    let source = std::fs::read_to_string(support::root().join("examples/fighters.gear")).unwrap();
    support::seed_commands(&source)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// A run of examples/fighters.gear prints the sum of its seeded fighters.
fn assert_known_output(e: &Example, out: &Output) {
    if e.command() == "run" && e.has("examples/fighters.gear") {
        assert_eq!(stdout(out), "1337\n", "`{}`: {}", e.line, report(out));
    }
}

#[test]
fn help_examples_that_need_no_redisgears_run() {
    let redis = RedisServer::start();
    redis.seed(&fighters_seed());
    let mut ran = 0;
    for (_, e) in all_examples().iter().filter(|(_, e)| !e.needs_redisgears()) {
        let dir = tempfile::tempdir().unwrap();
        let mut args = output_into(&e.args, &dir);
        if e.command() == "run" && !e.has("--sandbox") {
            args = at_server(&args, &redis.url());
        }
        if e.has("--watch") {
            watch_until_interrupted(e, &args, &redis);
            ran += 1;
            continue;
        }
        let out = run(&args, e.stdin.as_deref());
        assert!(out.status.success(), "`{}`: {}", e.line, report(&out));
        assert_known_output(e, &out);
        if e.redirect.is_some() || e.has("-o") {
            // what it writes is there: on stdout for `>`, in the file for `-o`
            let written = match args.iter().position(|a| a == "-o") {
                Some(i) => std::fs::read_to_string(&args[i + 1]).expect("-o wrote its file"),
                None => stdout(&out),
            };
            assert!(!written.is_empty(), "`{}` wrote nothing", e.line);
        } else if e.command() != "check" {
            // check reports on stderr; every other command answers on stdout
            assert!(!out.stdout.is_empty(), "`{}` printed nothing", e.line);
        }
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} examples ran");
}

/// `gearc run --local FILE --watch` applies the file's registrations until Ctrl-C;
/// automatic_expiry's sets a TTL on a key written meanwhile. Ctrl-C ends it cleanly
/// (exit 0: stopping is how a watch ends), with the server's settings restored.
fn watch_until_interrupted(e: &Example, args: &[String], redis: &RedisServer) {
    assert!(
        e.has("examples/automatic_expiry.gear"),
        "`{}`: this test knows what automatic_expiry does when watched, not this file",
        e.line
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = support::spawn_gearc(&args);
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<String> = Vec::new();
    while !seen.iter().any(|l| l.contains("watching")) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("`{}` never said it is watching: {seen:?}", e.line);
            }
        }
    }
    let mut con = redis.con();
    let _: () = redis::cmd("SET")
        .arg("help:watched")
        .arg("x")
        .query(&mut con)
        .unwrap();
    let mut ttl: i64 = -1;
    while ttl < 0 && Instant::now() < deadline {
        ttl = redis::cmd("TTL")
            .arg("help:watched")
            .query(&mut con)
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    let status = child.wait().unwrap();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        seen.push(line);
    }
    assert!(ttl > 0, "`{}` set no TTL: {seen:?}", e.line);
    assert!(
        status.success(),
        "`{}` after Ctrl-C: {status:?} {seen:?}",
        e.line
    );
}

/// An execution or registration id as RedisGears writes it: 40 hex digits, `-`, a number.
fn is_server_id(word: &str) -> bool {
    word.split_once('-').is_some_and(|(shard, n)| {
        shard.len() == 40
            && shard.chars().all(|c| c.is_ascii_hexdigit())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

fn on_gears(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = run(&at_server(&args, &gears::single().url), None);
    assert!(
        out.status.success(),
        "setup `gearc {args:?}`: {}",
        report(&out)
    );
    out
}

/// The id of the registration `gearc deploy examples/automatic_expiry.gear` made.
fn a_registration_id() -> String {
    on_gears(&["deploy", "examples/automatic_expiry.gear"]);
    let listed = stdout(&on_gears(&["registrations", "--json"]));
    let first: serde_json::Value =
        serde_json::from_str(listed.lines().next().expect("a registration")).unwrap();
    first["id"].as_str().expect("an id").to_string()
}

/// A finished execution the server keeps (not dropped, as `gearc run` drops its own).
fn an_execution_id() -> String {
    let mut con = gears::single().con();
    redis::cmd("RG.PYEXECUTE")
        .arg("GB().run()")
        .arg("UNBLOCKING")
        .query(&mut con)
        .expect("RG.PYEXECUTE")
}

#[test]
fn redisgears_help_examples_run() {
    let g = gears::single();
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for (_, e) in all_examples().iter().filter(|(_, e)| e.needs_redisgears()) {
        // each example starts from an empty server with no registrations
        g.flush();
        on_gears(&["unregister", "--all"]);
        let mut args = e.args.clone();
        let mut expect = None;
        match e.command() {
            "run" => g.seed(&fighters_seed()),
            "undeploy" | "registrations" => {
                on_gears(&["deploy", "examples/automatic_expiry.gear"]);
            }
            "trigger" => {
                // cache_get as deployed, but without pip-installing `requests` (this
                // server has no network); a cached URL is answered without it
                let source =
                    std::fs::read_to_string(support::root().join("examples/cache_get.gear"))
                        .unwrap()
                        .replace("requirements \"requests\"", "");
                let file = support::gear_file(&dir, "cache_get.gear", &source);
                on_gears(&["deploy", &file]);
                let mut con = g.con();
                let _: () = redis::cmd("SET")
                    .arg(&args[2])
                    .arg("the cached body")
                    .query(&mut con)
                    .unwrap();
                expect = Some("the cached body");
            }
            _ => {}
        }
        for word in args.iter_mut().filter(|w| is_server_id(w)) {
            *word = match e.command() {
                "unregister" => a_registration_id(),
                _ => an_execution_id(),
            };
        }
        let out = run(&at_server(&args, &g.url), e.stdin.as_deref());
        assert!(out.status.success(), "`{}`: {}", e.line, report(&out));
        assert_known_output(e, &out);
        if let Some(text) = expect {
            assert!(
                stdout(&out).contains(text),
                "`{}`: {}",
                e.line,
                report(&out)
            );
        }
        ran += 1;
    }
    on_gears(&["unregister", "--all"]);
    assert!(ran >= 15, "only {ran} examples ran");
}
