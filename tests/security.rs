//! Security basics, each provoked for real (docs/limits.md, "Security"):
//! - a password in `--url` never appears in any output or error of any command, on
//!   success and on failure (wrong password, nothing listening, TLS failure, timeout),
//!   nor in the local engine's process arguments;
//! - `rediss://` verifies the server's certificate unless `--tls-insecure` says not to;
//! - no text of a `.gear` file (nor its name) becomes code in the module;
//! - the local engine writes no key that the program does not write.

mod support;

#[path = "support/generate/mod.rs"]
mod generate;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{gear_file, gearc, gears, report, RedisServer};

const PASSWORD: &str = "Pw-never-shown-7f3a";
const WRONG: &str = "Wrong-pw-also-hidden-91c";

/// Fails when `secret` is anywhere in the output.
fn assert_hidden(o: &Output, what: &str) {
    let text = report(o);
    for secret in [PASSWORD, WRONG] {
        assert!(!text.contains(secret), "{what}: the password shows\n{text}");
    }
}

fn url_with(password: &str, port: u16) -> String {
    format!("redis://gearc:{password}@127.0.0.1:{port}")
}

/// `--requirepass` for the default user and an ACL user `gearc` with the same password.
fn password_args() -> Vec<String> {
    vec![
        "--requirepass".into(),
        PASSWORD.into(),
        // redis-server joins the words after `--user` into one config line
        "--user".into(),
        "gearc".into(),
        "on".into(),
        format!(">{PASSWORD}"),
        "~*".into(),
        "&*".into(),
        "+@all".into(),
    ]
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn passwords_never_show_with_the_local_engine() {
    let args = password_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = RedisServer::start_with(&args);
    let right = url_with(PASSWORD, server.port);
    let mut con = redis::Client::open(right.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    for (k, v) in [("n:1", "1"), ("n:2", "2"), ("w:1", "word")] {
        let _: () = redis::cmd("SET").arg(k).arg(v).query(&mut con).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let sum = gear_file(
        &dir,
        "sum.gear",
        "keys(\"n:*\") | map(int(value)) | aggregate(0, add) | run\n",
    );
    let failing = gear_file(
        &dir,
        "failing.gear",
        "keys(\"w:*\") | map(execute(\"INCR\", key)) | run\n",
    );

    let out = gearc(&["run", "--local", &sum, "--url", &right]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "3\n",
        "{}",
        report(&out)
    );
    assert_hidden(&out, "run --local");
    let out = gearc(&["run", "--local", "--json", &sum, "--url", &right]);
    assert!(out.status.success(), "{}", report(&out));
    assert_hidden(&out, "run --local --json");
    let out = gearc(&["run", "--local", &failing, "--url", &right]);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert_hidden(&out, "run --local with a failing record");

    let wrong = url_with(WRONG, server.port);
    let out = gearc(&["run", "--local", &sum, "--url", &wrong]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        report(&out).contains(&format!("gearc@127.0.0.1:{}", server.port)),
        "{}",
        report(&out)
    );
    assert_hidden(&out, "run --local, wrong password");

    let nobody = url_with(PASSWORD, free_port());
    let out = gearc(&["run", "--local", &sum, "--url", &nobody]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert_hidden(&out, "run --local, nothing listening");

    let tls = format!("rediss://gearc:{PASSWORD}@127.0.0.1:{}", server.port);
    let out = gearc(&["run", "--local", &sum, "--url", &tls]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert_hidden(&out, "run --local, rediss://");
}

/// The pids of every process under `root` (from /proc's parent links).
fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold spaces, so read after the last `)`
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found
}

#[test]
fn the_password_is_not_in_any_process_arguments_and_watch_hides_it() {
    let args = password_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = RedisServer::start_with(&args);
    let right = url_with(PASSWORD, server.port);
    let dir = tempfile::tempdir().unwrap();
    let file = gear_file(
        &dir,
        "watch.gear",
        "keys(\"w:*\") | foreach(execute(\"SET\", \"seen:\" + key, value)) | register\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_gearc"))
        // the URL in REDIS_URL, as docs/limits.md advises: then no argument of any
        // process holds the password
        .args(["run", "--local", "--watch", &file])
        .env("REDIS_URL", &right)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("watching") {
                let _ = tx.send(());
            }
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("gearc --watch never said `watching`");
    // every process under gearc (the engine, its Python) is readable by any user through
    // /proc/PID/cmdline: none may hold the password
    let under = descendants(child.id());
    assert!(under.len() >= 2, "the engine is not running: {under:?}");
    for pid in &under {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(
            !cmdline.contains(PASSWORD),
            "process {pid} shows the password in its arguments: {cmdline}"
        );
    }
    // the server dies under --watch: the error names the URL without its password
    server.kill();
    let status = child.wait().unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let stderr = reader.join().unwrap();
    assert_eq!(status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!("gearc@127.0.0.1:{}", server.port)),
        "{stderr}"
    );
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "{stdout}{stderr}"
    );
}

#[test]
fn redisgears_passwords_never_show_in_any_command() {
    let args = password_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = gears::gears_with_args(&args);
    let right = url_with(PASSWORD, server.port);
    let dir = tempfile::tempdir().unwrap();
    let run = gear_file(
        &dir,
        "sum.gear",
        "python(range(4)) | aggregate(0, add) | run\n",
    );
    let failing = gear_file(
        &dir,
        "failing.gear",
        "python([\"word\"]) | map(int(it)) | run\n",
    );
    let deploy = gear_file(
        &dir,
        "secured.gear",
        "command(\"secured_echo\") | map(it) | register\nkeys(\"sec:*\") | foreach(execute(\"SET\", \"seen:\" + key, \"1\")) | register\n",
    );
    let slow = gear_file(
        &dir,
        "slow.gear",
        "python \"\"\"\nimport time\ndef slow():\n    for i in range(100):\n        time.sleep(0.1)\n    yield 1\n\"\"\"\npython(slow) | run\n",
    );
    let (run, deploy) = (run.as_str(), deploy.as_str());
    let ok: Vec<Vec<&str>> = vec![
        vec!["run", run],
        vec!["run", "--json", run],
        vec!["deploy", "--dry-run", deploy],
        vec!["deploy", deploy],
        vec!["deploy", deploy],
        vec!["registrations"],
        vec!["registrations", "--json"],
        vec!["trigger", "secured_echo", "x"],
        vec!["executions"],
        vec!["executions", "--json"],
        vec!["stats"],
        vec!["stats", "--json"],
        vec!["requirements"],
        vec!["cluster"],
        vec!["undeploy", "secured"],
    ];
    for args in &ok {
        let mut all = args.clone();
        all.extend(["--url", &right]);
        let out = gearc(&all);
        assert!(out.status.success(), "{args:?}: {}", report(&out));
        assert_hidden(&out, &format!("{args:?}"));
    }
    // failures that show the URL or the server's words
    let out = gearc(&["run", &failing, "--url", &right]);
    assert_eq!(out.status.code(), Some(1), "{}", report(&out));
    assert_hidden(&out, "a failing run");
    let out = gearc(&["run", &slow, "--url", &right, "--timeout", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        report(&out).contains("gearc::server::timeout"),
        "{}",
        report(&out)
    );
    assert_hidden(&out, "a run past its --timeout");

    let wrong = url_with(WRONG, server.port);
    let nobody = url_with(PASSWORD, free_port());
    let tls = format!("rediss://gearc:{PASSWORD}@127.0.0.1:{}", server.port);
    for (url, code) in [
        (&wrong, "gearc::server::auth"),
        (&nobody, "gearc::server::unreachable"),
        (&tls, "gearc::server::tls"),
    ] {
        for args in &ok {
            let mut all = args.clone();
            all.extend(["--url", url, "--connect-timeout", "3"]);
            let out = gearc(&all);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", report(&out));
            assert!(report(&out).contains(code), "{args:?}: {}", report(&out));
            assert!(
                report(&out).contains("gearc:***@127.0.0.1"),
                "{args:?}: {}",
                report(&out)
            );
            assert_hidden(&out, &format!("{args:?} with {code}"));
        }
    }
}

/// A self-signed certificate for 127.0.0.1 made by `openssl`: (cert, key) paths.
fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}); install it (apt install openssl)"));
    assert!(out.status.success(), "{}", report(&out));
    (cert, key)
}

/// `redis-server` arguments for a TLS port with the certificate (clients need none).
fn tls_args(port: u16, cert: &Path, key: &Path) -> Vec<String> {
    vec![
        "--tls-port".into(),
        port.to_string(),
        "--tls-cert-file".into(),
        cert.display().to_string(),
        "--tls-key-file".into(),
        key.display().to_string(),
        "--tls-ca-cert-file".into(),
        cert.display().to_string(),
        "--tls-auth-clients".into(),
        "no".into(),
    ]
}

#[test]
fn tls_verifies_the_certificate_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let tls_port = free_port();
    let mut args = tls_args(tls_port, &cert, &key);
    args.extend(password_args());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let _server = RedisServer::start_with(&args);
    let url = format!("rediss://gearc:{PASSWORD}@127.0.0.1:{tls_port}");
    let file = gear_file(
        &dir,
        "sum.gear",
        "python(range(4)) | aggregate(0, add) | run\n",
    );

    // by default the self-signed certificate is refused
    let out = gearc(&["run", &file, "--url", &url, "--connect-timeout", "5"]);
    let text = report(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("gearc::server::tls"), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert_hidden(&out, "TLS verification failure");

    // --tls-insecure connects, authenticates and asks the server for RedisGears (a
    // plain Redis has none: the answer proves that the TLS session works)
    let out = gearc(&["run", &file, "--url", &url, "--tls-insecure"]);
    let text = report(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("gearc::server::no_redisgears"), "{text}");
    assert_hidden(&out, "TLS without verification");
}

#[test]
fn redisgears_runs_over_tls_only_with_tls_insecure_for_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(dir.path());
    let tls_port = free_port();
    let args = tls_args(tls_port, &cert, &key);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let _server = gears::gears_with_args(&args);
    let url = format!("rediss://127.0.0.1:{tls_port}");
    let file = gear_file(
        &dir,
        "sum.gear",
        "python(range(4)) | aggregate(0, add) | run\n",
    );
    let out = gearc(&["run", &file, "--url", &url]);
    assert_eq!(out.status.code(), Some(2), "{}", report(&out));
    assert!(
        report(&out).contains("gearc::server::tls"),
        "{}",
        report(&out)
    );
    let out = gearc(&["run", &file, "--url", &url, "--tls-insecure"]);
    assert!(out.status.success(), "{}", report(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "6\n");
}

/// Strings that would run code if gearc pasted them into the module as text: each,
/// executed as Python, creates `MARKER` (a folder named by the test).
fn hostile(marker: &Path) -> Vec<String> {
    let m = marker.display().to_string();
    let act = format!("__import__('os').makedirs({m:?}, exist_ok=True)");
    vec![
        format!("\"); {act} #"),
        format!("'); {act} #"),
        format!("\"\"\"); {act} #"),
        format!("'''); {act} #"),
        format!("\n{act}\n#"),
        format!("\r{act}\r#"),
        format!("\\\"); {act} #"),
        format!("{{{act}}}"),
        format!("{{0.__class__}}{{{act}!r}}"),
        format!("\u{2028}{act}\u{2029}#"),
        format!("\u{85}{act}\u{c}#"),
        format!("%s%(x)s {act}"),
        format!("\\N{{{act}}}"),
        format!("\0{act}"),
    ]
}

/// `c` as Gear writes it inside a string literal.
fn gear_char(c: char) -> String {
    match c {
        '\\' => "\\\\".to_string(),
        '"' => "\\\"".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\0' => "\\0".to_string(),
        c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
        c => c.to_string(),
    }
}

/// `value` as a Gear string literal.
fn gear_literal(value: &str) -> String {
    format!("\"{}\"", value.chars().map(gear_char).collect::<String>())
}

/// `value` as the text of a Gear f-string (its braces doubled, escapes as in a literal).
fn fstring_text(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '{' => "{{".to_string(),
            '}' => "}}".to_string(),
            c => gear_char(c),
        })
        .collect()
}

#[test]
fn no_text_of_a_gear_file_becomes_code() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    for (i, h) in hostile(&marker).iter().enumerate() {
        let lit = gear_literal(h);
        let f = fstring_text(h);
        // every place a string can stand in a `run` pipeline: a comment, a constant, a
        // function, a reader's list, a dict's key and value, an f-string, a comparison,
        // a command's key and value, a key pattern
        let comment = h.replace(
            ['\n', '\r', '\0', '\u{85}', '\u{2028}', '\u{2029}', '\u{c}'],
            " ",
        );
        let source = format!(
            "# {comment}\n\
             let H = {lit}\n\
             fn tag(x) = x + {lit}\n\
             python([H, {lit}])\n\
             \x20 | map({{{lit}: it, \"f\": f\"<{f}>{{it}}\", \"t\": tag(it)}})\n\
             \x20 | filter(it[{lit}] == H and it[\"f\"] == \"<\" + H + \">\" + H and it[\"t\"] == H + H)\n\
             \x20 | foreach(execute(\"SET\", {lit}, it[{lit}]))\n\
             \x20 | map(execute(\"GET\", {lit}) == H)\n\
             \x20 | run\n\
             keys({lit}) | map(key) | register\n"
        );
        let file = gear_file(&dir, &format!("hostile{i}.gear"), &source);
        let compiled = gearc::compile(&source, "hostile.gear")
            .unwrap_or_else(|d| panic!("hostile string {i} {h:?}: {d:?}\n{source}"));
        support::check_python37_syntax(&compiled.python)
            .unwrap_or_else(|e| panic!("hostile string {i}: {e}"));
        assert!(
            !calls_makedirs(&compiled.python),
            "hostile string {i} {h:?} became code"
        );
        let out = gearc(&["run", "--local", &file, "--url", &server.url()]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "true\ntrue\n",
            "hostile string {i} {h:?}: {}\n{source}",
            report(&out)
        );
        assert!(!marker.exists(), "hostile string {i} {h:?} ran as code");
    }
}

/// Whether the module calls `makedirs` anywhere (python3's own parser decides).
fn calls_makedirs(module: &str) -> bool {
    let (ok, out) = support::run_python(
        Path::new("python3"),
        &[
            "-c",
            "import ast, sys\n\
             tree = ast.parse(sys.stdin.read())\n\
             print(any(isinstance(n, ast.Attribute) and n.attr == 'makedirs' for n in ast.walk(tree)))",
        ],
        module,
    );
    assert!(ok, "{out}");
    out.trim() == "True"
}

/// The places a `run` cannot show: requirements (a comment of the module and the
/// server's pip), a registration's prefix, description and trigger.
#[test]
fn no_text_of_a_register_or_requirement_becomes_code() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    for (i, h) in hostile(&marker).iter().enumerate() {
        let lit = gear_literal(h);
        let source = format!(
            "requirements {lit}\n\
             keys({lit}) | foreach(execute(\"SET\", {lit}, key)) | register(desc = {lit})\n\
             command({lit}) | map(it) | register\n\
             python([1]) | run\n"
        );
        match gearc::compile(&source, "hostile.gear") {
            Ok(compiled) => {
                support::check_python37_syntax(&compiled.python)
                    .unwrap_or_else(|e| panic!("hostile string {i}: {e}"));
                assert!(
                    !calls_makedirs(&compiled.python),
                    "hostile string {i} {h:?} became code:\n{}",
                    compiled.python
                );
            }
            // a trigger or requirement that cannot be one is refused: also safe
            Err(diags) => assert!(!diags.is_empty()),
        }
    }
}

#[test]
fn a_file_name_never_becomes_code() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    // a relative marker (a file name cannot hold `/`): gearc and its engine run in `dir`
    let marker = Path::new("pwned-by-name");
    let gearc_in_dir = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gearc"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("REDIS_URL")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    for (i, h) in hostile(marker).iter().enumerate() {
        if h.contains('\0') || h.contains('/') {
            continue; // not in a file name
        }
        let name = format!("n{i}{h}.gear");
        std::fs::write(dir.path().join(&name), "python([1, 2]) | count | run\n").unwrap();
        let out = gearc_in_dir(&["compile", &name]);
        assert!(out.status.success(), "{name:?}: {}", report(&out));
        let module = String::from_utf8_lossy(&out.stdout);
        support::check_python37_syntax(&module)
            .unwrap_or_else(|e| panic!("file name {name:?}: {e}"));
        assert!(!calls_makedirs(&module), "file name {name:?} became code");
        let out = gearc_in_dir(&["run", "--local", &name, "--url", &server.url()]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "2\n",
            "{name:?}: {}",
            report(&out)
        );
        assert!(
            !dir.path().join(marker).exists(),
            "file name {name:?} ran as code"
        );
    }
}

/// The commands a server received while `work` ran, through MONITOR: each as its
/// words (command name first), the client's own connection left out.
fn monitored(server: &RedisServer, work: impl FnOnce()) -> Vec<Vec<String>> {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream.write_all(b"MONITOR\r\n").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert_eq!(first.trim(), "+OK");
    work();
    // a sentinel from another connection marks the end of what `work` caused
    let sentinel = "gearc-security-monitor-end";
    let mut con = server.con();
    let _: String = redis::cmd("ECHO").arg(sentinel).query(&mut con).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut commands = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "MONITOR never showed the sentinel"
        );
        let mut line = String::new();
        reader.read_line(&mut line).expect("a MONITOR line");
        let words = monitor_words(&line);
        if words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("ECHO"))
            && words.get(1).map(String::as_str) == Some(sentinel)
        {
            break;
        }
        if !words.is_empty() {
            commands.push(words);
        }
    }
    commands
}

/// The quoted words of a MONITOR line: `+1700000000.1 [0 127.0.0.1:5000] "SET" "k" "v"`.
fn monitor_words(line: &str) -> Vec<String> {
    let Some((_, rest)) = line.split_once("] ") else {
        return Vec::new();
    };
    let mut words = Vec::new();
    let mut chars = rest.trim_end().chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('x') => {
                        let hex: String = chars.by_ref().take(2).collect();
                        word.push(u8::from_str_radix(&hex, 16).map_or('?', char::from));
                    }
                    Some('n') => word.push('\n'),
                    Some('r') => word.push('\r'),
                    Some('t') => word.push('\t'),
                    Some(other) => word.push(other),
                    None => {}
                },
                c => word.push(c),
            }
        }
        words.push(word);
    }
    words
}

/// Every key and its value (`DUMP`, which covers every type).
fn keyspace(server: &RedisServer) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut con = server.con();
    let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut con).unwrap();
    keys.into_iter()
        .map(|k| {
            let dump: Vec<u8> = redis::cmd("DUMP").arg(&k).query(&mut con).unwrap();
            (k, dump)
        })
        .collect()
}

/// Whether Redis flags `command` as one that writes keys.
fn writes_keys(con: &mut redis::Connection, command: &str) -> bool {
    let info: redis::Value = redis::cmd("COMMAND")
        .arg("INFO")
        .arg(command)
        .query(con)
        .unwrap();
    let text = format!("{info:?}").to_lowercase();
    // a flag is the word alone; an ACL category is `@write`
    text.contains("\"write\"")
}

#[test]
fn the_local_engine_writes_no_key_that_the_program_does_not_write() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let seed = generate::data::seed_commands();
    let mut con = server.con();
    let mut is_write: BTreeMap<String, bool> = BTreeMap::new();
    let mut checked = 0;
    // the generator's programs that write: they write `out:{…}` keys and nothing else
    let mut n = 0;
    while checked < 25 {
        n += 1;
        let program = generate::program_for_seed(n, generate::Options::default());
        if !program.writes {
            continue;
        }
        checked += 1;
        let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
        for command in &seed {
            let mut cmd = redis::cmd(&command[0]);
            for arg in &command[1..] {
                cmd.arg(arg);
            }
            let _: redis::Value = cmd.query(&mut con).unwrap();
        }
        let before = keyspace(&server);
        let file = gear_file(&dir, "generated.gear", &program.source);
        let commands = monitored(&server, || {
            let _ = gearc(&["run", "--local", &file, "--url", &server.url()]);
        });
        let after = keyspace(&server);
        let changed: BTreeSet<String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect();
        for key in &changed {
            assert!(
                key.starts_with("out:"),
                "seed {n}: key {key:?} changed; the program writes only out: keys\n{}",
                program.source
            );
        }
        for words in &commands {
            let name = words[0].to_uppercase();
            let writes = *is_write
                .entry(name.clone())
                .or_insert_with(|| writes_keys(&mut con, &name));
            if name == "PUBLISH" {
                // the engine's documented marker channel only
                assert!(
                    words
                        .get(1)
                        .is_some_and(|c| c.starts_with("__gearc_local__:")),
                    "seed {n}: {words:?}"
                );
            }
            if writes && !matches!(name.as_str(), "MULTI" | "EXEC") {
                let key = words.get(1).map(String::as_str).unwrap_or("");
                assert!(
                    key.starts_with("out:") || program.source.contains("execute(\"INCR\""),
                    "seed {n}: the engine sent {words:?}\n{}",
                    program.source
                );
            }
        }
    }
    assert_eq!(checked, 25);
}
