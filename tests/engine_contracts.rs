//! The contracts between gearc's Rust side and its local engine's Python side,
//! each checked so that the two cannot drift apart unnoticed: the embedded files, the
//! output protocol, the line numbers of the server's GearsBuilder.py, and the globals
//! of a RedisGears script.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gearc::submit::local::files::ENGINE_FILES;
use gearc::submit::local::Event;
use serde_json::{json, Value};
use support::RedisServer;

fn runtime_dir() -> PathBuf {
    support::root().join("src/submit/local/runtime")
}

/// What a Python expression over the engine's modules is, as JSON.
fn python_value(imports: &str, expression: &str) -> Value {
    let code = format!(
        "import json, sys\nsys.path.insert(0, {dir:?})\n{imports}\nprint(json.dumps({expression}))\n",
        dir = runtime_dir().display().to_string()
    );
    let out = Command::new("python3")
        .args(["-c", &code])
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from python3")
}

/// The string literals between `start` and the next `end` in a Rust source file.
fn rust_literals(file: &str, start: &str, end: &str) -> Vec<String> {
    let text = std::fs::read_to_string(support::root().join(file)).expect("read the Rust file");
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {file}"));
    let body = &text[from + start.len()..];
    let body = &body[..body.find(end).expect("the end of the table")];
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .flat_map(|l| {
            l.split('"')
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `.py` file under `dir`, as paths relative to `root`.
fn python_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("read the runtime directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "__pycache__") {
                python_files(root, &path, out);
            }
        } else if path.extension().is_some_and(|e| e == "py") {
            let relative = path.strip_prefix(root).expect("under the root");
            out.insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn every_engine_file_is_embedded() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/submit/local/runtime");
    let mut on_disk = BTreeSet::new();
    python_files(&root, &root, &mut on_disk);
    let embedded: BTreeSet<String> = ENGINE_FILES.iter().map(|(p, _)| p.to_string()).collect();
    assert_eq!(
        embedded, on_disk,
        "src/submit/local/files.rs must list exactly the engine's files"
    );
    for (path, text) in ENGINE_FILES {
        let disk = std::fs::read_to_string(root.join(path)).expect("read an engine file");
        assert_eq!(&disk, text, "{path} is embedded as it is on disk");
    }
}

// ---------------------------------------------------------------------------------------
// The output protocol

/// One `Event` of each kind, with its optional fields (`full`) or without.
fn example_events(full: bool) -> Vec<Event> {
    let some = |s: &str| full.then(|| s.to_string());
    let events = vec![
        Event::Registered {
            id: "0-1".into(),
            reader: "KeysReader".into(),
            args: json!({}),
            desc: None,
            unsupported: some("why"),
            mode_note: some("note"),
        },
        Event::Records { results: vec![] },
        Event::Result {
            results: vec![],
            errors: vec![],
        },
        Event::Backlog {
            registration: "0-1".into(),
            streams: 1,
            entries: 2,
            exact: true,
            trim: true,
        },
        Event::Watching { registrations: 1 },
        Event::Execution {
            registration: "0-1".into(),
            trigger: json!("set k"),
            results: vec![],
            errors: vec![],
            status: some("ABORTED"),
            event: some("set"),
            key: some("k"),
            ids: full.then(|| vec!["1-0".to_string()]),
        },
        Event::Stopped,
        Event::ScriptError {
            message: "m".into(),
        },
        Event::Fatal {
            message: "m".into(),
        },
    ];
    // Every variant must be in the list above: this match fails to compile when one is added.
    for event in &events {
        match event {
            Event::Registered { .. }
            | Event::Records { .. }
            | Event::Result { .. }
            | Event::Backlog { .. }
            | Event::Watching { .. }
            | Event::Execution { .. }
            | Event::Stopped
            | Event::ScriptError { .. }
            | Event::Fatal { .. } => {}
        }
    }
    events
}

/// kind -> its fields, as `Event` serializes them.
fn rust_fields(full: bool) -> BTreeMap<String, BTreeSet<String>> {
    example_events(full)
        .iter()
        .map(|event| {
            let Value::Object(map) = serde_json::to_value(event).expect("serialize") else {
                panic!("an event is an object")
            };
            let kind = map["kind"].as_str().expect("kind").to_string();
            (kind, map.keys().filter(|k| *k != "kind").cloned().collect())
        })
        .collect()
}

/// kind -> (required fields, optional fields) of the engine's table.
fn python_lines() -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
    let table = python_value("from gearc_engine import protocol", "protocol.LINES");
    let names = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .expect("a list of names")
            .iter()
            .map(|n| n.as_str().expect("a name").to_string())
            .collect()
    };
    table
        .as_object()
        .expect("LINES is a dict")
        .iter()
        .map(|(kind, fields)| (kind.clone(), (names(&fields[0]), names(&fields[1]))))
        .collect()
}

#[test]
fn events_have_exactly_the_fields_of_the_engines_protocol_table() {
    let lines = python_lines();
    let required: BTreeMap<_, _> = lines
        .iter()
        .map(|(k, (r, _))| (k.clone(), r.clone()))
        .collect();
    let all: BTreeMap<_, _> = lines
        .iter()
        .map(|(k, (r, o))| (k.clone(), r.union(o).cloned().collect::<BTreeSet<_>>()))
        .collect();
    assert_eq!(rust_fields(false), required, "fields always sent");
    assert_eq!(
        rust_fields(true),
        all,
        "every field, optional ones included"
    );
}

/// The engine run as gearc runs it: the module on stdin, its protocol lines.
fn engine_lines(url: &str, module: &str) -> Vec<String> {
    let mut child = Command::new("python3")
        .arg(runtime_dir())
        .args(["--url", url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the engine");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(module.as_bytes())
        .expect("write the module");
    let out = child.wait_with_output().expect("the engine ends");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect()
}

/// A --watch session: a key event that fires a registration, a stream registration whose
/// execution fails and aborts it, then SIGTERM.
fn watch_lines(server: &RedisServer) -> Vec<String> {
    let module = "GB('StreamReader').map(lambda r: 1 / 0).register('s', onFailedPolicy='abort')\n\
                  GB().register('key', eventTypes=['set'])\n";
    let mut child = Command::new("python3")
        .arg(runtime_dir())
        .args(["--url", &server.url(), "--watch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the engine");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(module.as_bytes())
        .expect("write the module");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut lines: Vec<String> = Vec::new();
    let mut next = |lines: &mut Vec<String>| {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("read a line");
        assert!(read > 0, "the engine ended early: {lines:?}");
        lines.push(line.trim_end().to_string());
    };
    while !lines.last().is_some_and(|l| l.contains("\"watching\"")) {
        next(&mut lines);
    }
    let mut con = server.con();
    let _: () = redis::cmd("SET")
        .arg("key")
        .arg("v")
        .query(&mut con)
        .expect("SET");
    while !lines.last().is_some_and(|l| l.contains("\"event\"")) {
        next(&mut lines);
    }
    let _: String = redis::cmd("XADD")
        .arg("s")
        .arg("*")
        .arg("f")
        .arg("v")
        .query(&mut con)
        .expect("XADD");
    while !lines.last().is_some_and(|l| l.contains("ABORTED")) {
        next(&mut lines);
    }
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(stopped.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).expect("read the rest");
    lines.extend(rest.lines().map(String::from));
    child.wait().expect("the engine ends");
    lines
}

#[test]
fn every_line_the_engine_writes_reads_into_an_event_and_back_unchanged() {
    let server = RedisServer::start();
    let mut lines = engine_lines(
        &server.url(),
        "GB(desc='d').register('k*')\n\
         GB('CommandReader').register(trigger='t')\n\
         GB('KeysReader').register('x*', mode='sync')\n\
         GB().map(lambda r: 1 / 0).run()\n",
    );
    // a result of more than one chunk
    lines.extend(engine_lines(
        &server.url(),
        "GB('ShardsIDReader').flatmap(lambda _: list(range(1500))).run()\n",
    ));
    lines.extend(engine_lines(&server.url(), "GB(\n"));
    lines.extend(engine_lines("redis://127.0.0.1:1", "GB().run()\n"));
    lines.extend(watch_lines(&server));
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in &lines {
        let value: Value = serde_json::from_str(line).expect("a JSON line");
        let event: Event =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line} is not an Event: {e}"));
        assert_eq!(
            serde_json::to_value(&event).expect("serialize"),
            value,
            "a field of this line was dropped (or changed) on the Rust side: {line}"
        );
        let map = value.as_object().expect("an object");
        let kind = map["kind"].as_str().expect("kind").to_string();
        seen.entry(kind)
            .or_default()
            .extend(map.keys().filter(|k| *k != "kind").cloned());
    }
    // The lines above hold every kind and every field of the protocol: a field the engine
    // adds must be added to these runs too.
    let all: BTreeMap<_, _> = python_lines()
        .into_iter()
        .map(|(k, (r, o))| (k, r.union(&o).cloned().collect::<BTreeSet<_>>()))
        .collect();
    assert_eq!(seen, all, "the runs above cover the whole protocol");
}

// ---------------------------------------------------------------------------------------
// GearsBuilder.py's frames and the script's globals

#[test]
fn gearsbuilder_method_frames_are_the_same_on_both_sides() {
    let rust = rust_literals(
        "src/submit/reply.rs",
        "const GEARSBUILDER_METHOD_FRAMES",
        "];",
    );
    // the Rust table is (line, "name") pairs: its names in order, and its numbers
    let text = std::fs::read_to_string(support::root().join("src/submit/reply.rs")).unwrap();
    let table = &text[text.find("const GEARSBUILDER_METHOD_FRAMES").unwrap()..];
    let table = &table[..table.find("];").unwrap()];
    let rust_frames: BTreeSet<(u64, String)> = table
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix('(')?.strip_suffix("),")?;
            let (line, name) = l.split_once(',')?;
            Some((
                line.trim().parse().ok()?,
                name.trim().trim_matches('"').to_string(),
            ))
        })
        .collect();
    assert_eq!(
        rust_frames.len(),
        rust.len(),
        "every row of the Rust table was read"
    );
    let python = python_value(
        "from gearc_engine import gearsbuilder_py",
        "gearsbuilder_py.METHOD_FRAMES",
    );
    let python_frames: BTreeSet<(u64, String)> = python
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            (
                f[1].as_u64().expect("a line"),
                f[0].as_str().expect("a name").to_string(),
            )
        })
        .collect();
    assert_eq!(rust_frames, python_frames);
}

#[test]
fn every_global_of_the_engines_scripts_is_reserved_by_the_lowering() {
    let reserved: BTreeSet<String> = rust_literals(
        "src/ir/python_names.rs",
        "const RESERVED: &[&str] = &[",
        "];",
    )
    .into_iter()
    .collect();
    assert!(
        reserved.contains("GearsBuilder"),
        "RESERVED was read: {reserved:?}"
    );
    let globals = python_value(
        "from gearc_engine import script",
        "sorted(script.module_globals())",
    );
    // Python's own names, and deprecated aliases that gear code never calls (a user global
    // of that name only hides the alias).
    let not_reserved = [
        "__name__",
        "__builtins__",
        "Log",
        "ConfigGet",
        "GearsConfigGet",
    ];
    let missing: Vec<&str> = globals
        .as_array()
        .expect("a list")
        .iter()
        .map(|g| g.as_str().expect("a name"))
        .filter(|g| !not_reserved.contains(g) && !reserved.contains(*g))
        .collect();
    assert!(
        missing.is_empty(),
        "globals of every RedisGears script that src/ir/python_names.rs does not reserve: {missing:?}"
    );
}
