//! The management commands: the server's registrations, executions, requirements and
//! cluster view, each as a table or as JSON lines (`--json`, one object per line).

use comfy_table::{presets, Table};
use serde::Serialize;

use gearc::submit::server::replies::{self, Registration};
use gearc::submit::server::{self, Connection};
use gearc::submit::SubmitError;

use super::args::{ExecutionArgs, ListArgs, RegistrationsArgs, TriggerArgs, UnregisterArgs};
use super::exit;
use super::output::outln;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING).set_header(header.to_vec());
    t
}

/// Prints a table without its padding's trailing blanks (stable for pipes and snapshots).
fn print_table(t: &Table) {
    for line in t.to_string().lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        outln!("{}", line.trim_end());
    }
}

fn print_json<T: Serialize>(items: &[T]) {
    for item in items {
        match serde_json::to_string(item) {
            Ok(line) => outln!("{line}"),
            Err(e) => eprintln!("error: cannot write JSON: {e}"),
        }
    }
}

/// The table or JSON lines of registrations (also what `gearc deploy` prints).
pub fn print_registrations(registrations: &[Registration], json: bool) {
    if json {
        return print_json(registrations);
    }
    let mut t = table(&[
        "id",
        "session",
        "reader",
        "prefix/trigger",
        "mode",
        "triggered",
        "success",
        "failures",
        "last error",
    ]);
    for r in registrations {
        t.add_row(vec![
            r.id.clone(),
            r.session.clone().unwrap_or_else(|| "-".into()),
            r.reader.clone(),
            r.prefix.clone().unwrap_or_else(|| "-".into()),
            r.mode.clone(),
            r.triggered.to_string(),
            r.success.to_string(),
            r.failures.to_string(),
            r.last_error.as_deref().map_or("-".into(), last_line),
        ]);
    }
    print_table(&t);
}

/// The exception line of a traceback text (the repr of a list of lines, as the server
/// keeps `lastError`).
fn last_line(error: &str) -> String {
    let parsed = gearc::submit::reply::parse_error(error, &Default::default());
    parsed.message
}

pub fn registrations(args: RegistrationsArgs) -> u8 {
    // the deployed files, to place their sessions' last errors in the source
    let mut files = Vec::new();
    for path in &args.files {
        match super::input::load(path) {
            Ok(loaded) => files.push((super::deploy::session_of(path), loaded)),
            Err(status) => return status,
        }
    }
    args.connect.with_connection(async |con: &mut Connection| {
        let all = server::registrations(con).await?;
        print_registrations(&all, args.json);
        if args.json {
            return Ok(exit::OK);
        }
        for r in &all {
            let (Some(error), Some(session)) = (&r.last_error, &r.session) else {
                continue;
            };
            let Some((_, (source, compiled))) = files.iter().find(|(s, _)| s == session) else {
                continue;
            };
            let parsed = gearc::submit::reply::parse_error(error, &compiled.line_map);
            eprintln!("last error of {} (session `{session}`):", r.id);
            super::output::print_errors(&[parsed], source, super::input::style());
        }
        Ok(exit::OK)
    })
}

pub fn unregister(args: UnregisterArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let ids: Vec<String> = if args.all {
            server::registrations(con)
                .await?
                .into_iter()
                .map(|r| r.id)
                .collect()
        } else {
            args.ids.clone()
        };
        let mut status = exit::OK;
        for id in &ids {
            match server::simple(con, &["RG.UNREGISTER", id]).await {
                Ok(_) => outln!("unregistered {id}"),
                Err(SubmitError::Command { message, .. }) => {
                    eprintln!("error: {id}: {message}");
                    status = exit::ERRORS;
                }
                Err(e) => return Err(e),
            }
        }
        if ids.is_empty() {
            eprintln!("no registrations on {}", con.target);
        }
        Ok(status)
    })
}

pub fn trigger(args: TriggerArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let mut argv = vec!["RG.TRIGGER", args.name.as_str()];
        argv.extend(args.args.iter().map(String::as_str));
        match server::simple(con, &argv).await {
            Ok(reply) => {
                let values = match replies::to_json(&reply) {
                    serde_json::Value::Array(items) => items,
                    other => vec![other],
                };
                // gearc's own records are JSON text (`[1337]`): show what they carry
                let decoded: Vec<serde_json::Value> = values
                    .iter()
                    .map(gearc::submit::reply::decode_record)
                    .collect();
                if args.json {
                    print_json(&decoded);
                } else {
                    for v in &decoded {
                        outln!("{}", super::output::plain(v));
                    }
                }
                Ok(exit::OK)
            }
            Err(SubmitError::Command { message, .. })
                if message.contains("subcommand not found") =>
            {
                eprintln!(
                    "error: {} has no trigger `{}` (`gearc registrations` lists the triggers)",
                    con.target, args.name
                );
                Ok(exit::ERRORS)
            }
            Err(SubmitError::Command { message, .. }) => {
                // the first error of the execution, usually a traceback
                let error = gearc::submit::reply::parse_error(&message, &Default::default());
                eprintln!(
                    "error: the trigger `{}` failed: {}",
                    args.name, error.message
                );
                if error.traceback.trim() != error.message {
                    eprintln!("{}", error.traceback.trim_end());
                }
                Ok(exit::ERRORS)
            }
            Err(e) => Err(e),
        }
    })
}

pub fn executions(args: ListArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let list = replies::executions(&server::simple(con, &["RG.DUMPEXECUTIONS"]).await?);
        if args.json {
            print_json(&list);
        } else {
            let mut t = table(&["id", "status", "registered"]);
            for e in &list {
                t.add_row(vec![
                    e.id.clone(),
                    e.status.clone(),
                    if e.registered { "yes" } else { "no" }.to_string(),
                ]);
            }
            print_table(&t);
        }
        Ok(exit::OK)
    })
}

pub fn execution(args: ExecutionArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let reply = match server::simple(con, &["RG.GETEXECUTION", &args.id]).await {
            Ok(reply) => reply,
            Err(e) => return missing_execution(e, &args.id),
        };
        let plans = replies::execution_plans(&reply);
        if args.json {
            print_json(&plans);
            return Ok(exit::OK);
        }
        for plan in &plans {
            outln!("execution {} on shard {}", args.id, plan.shard);
            outln!("status:    {}", plan.status);
            outln!("results:   {}", plan.results);
            outln!("errors:    {}", plan.errors.len());
            outln!("duration:  {} ms", plan.total_duration_ms);
            let mut t = table(&["step", "type", "name", "duration (ms)"]);
            for (i, s) in plan.steps.iter().enumerate() {
                t.add_row(vec![
                    (i + 1).to_string(),
                    s.kind.clone(),
                    s.name.clone(),
                    s.duration_ms.to_string(),
                ]);
            }
            print_table(&t);
            for e in &plan.errors {
                let error = gearc::submit::reply::parse_error(e, &Default::default());
                outln!("error: {}", error.message);
            }
        }
        Ok(exit::OK)
    })
}

/// An unknown execution id is the user's mistake (exit 1), said plainly.
fn missing_execution(e: SubmitError, id: &str) -> Result<u8, SubmitError> {
    match e {
        SubmitError::Command { message, url, .. } if message.contains("does not exist") => {
            eprintln!("error: {url} has no execution {id} (`gearc executions` lists them)");
            Ok(exit::ERRORS)
        }
        SubmitError::Command { message, .. } => {
            eprintln!("error: {id}: {message}");
            Ok(exit::ERRORS)
        }
        other => Err(other),
    }
}

pub fn abort(args: ExecutionArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        match server::simple(con, &["RG.ABORTEXECUTION", &args.id]).await {
            Ok(_) => {
                outln!("aborted {}", args.id);
                Ok(exit::OK)
            }
            Err(e) => missing_execution(e, &args.id),
        }
    })
}

pub fn drop_execution(args: ExecutionArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        match server::simple(con, &["RG.DROPEXECUTION", &args.id]).await {
            Ok(_) => {
                outln!("dropped {}", args.id);
                Ok(exit::OK)
            }
            Err(e) => missing_execution(e, &args.id),
        }
    })
}

#[derive(Serialize)]
struct Stats {
    version: Option<String>,
    shards: usize,
    #[serde(flatten)]
    python: replies::PyStats,
}

pub fn stats(args: ListArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let python = replies::py_stats(&server::simple(con, &["RG.PYSTATS"]).await?);
        let version = server::gears_version(con)
            .await
            .map(|(a, b, c)| format!("{a}.{b}.{c}"));
        let shards = con.primaries.len().max(1);
        let stats = Stats {
            version,
            shards,
            python,
        };
        if args.json {
            print_json(&[stats]);
        } else {
            let mut t = table(&["what", "value"]);
            t.add_row(vec![
                "RedisGears".to_string(),
                stats.version.clone().unwrap_or_else(|| "unknown".into()),
            ]);
            t.add_row(vec!["shards".to_string(), stats.shards.to_string()]);
            for (name, bytes) in [
                ("python total allocated", stats.python.total_allocated),
                ("python peak allocated", stats.python.peak_allocated),
                ("python allocated now", stats.python.current_allocated),
            ] {
                t.add_row(vec![name.to_string(), format!("{bytes} bytes")]);
            }
            print_table(&t);
        }
        Ok(exit::OK)
    })
}

pub fn requirements(args: ListArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let list = replies::requirements(&server::simple(con, &["RG.PYDUMPREQS"]).await?);
        if args.json {
            print_json(&list);
        } else {
            let mut t = table(&["requirement", "downloaded", "installed", "wheels"]);
            let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
            for r in &list {
                t.add_row(vec![
                    r.name.clone(),
                    yes(r.downloaded),
                    yes(r.installed),
                    r.wheels.len().to_string(),
                ]);
            }
            print_table(&t);
        }
        Ok(exit::OK)
    })
}

pub fn cluster(args: ListArgs) -> u8 {
    args.connect.with_connection(async |con: &mut Connection| {
        let info = replies::gears_cluster(&server::simple(con, &["RG.INFOCLUSTER"]).await?);
        if args.json {
            if info.shards.is_empty() {
                outln!("{}", serde_json::json!({ "cluster": false }));
            } else {
                print_json(&info.shards);
            }
            return Ok(exit::OK);
        }
        if info.shards.is_empty() {
            outln!("no cluster: {} is a single RedisGears server", con.target);
            return Ok(exit::OK);
        }
        let mut t = table(&["shard", "address", "slots", "this"]);
        for s in &info.shards {
            t.add_row(vec![
                s.id.clone(),
                format!("{}:{}", s.host, s.port),
                format!("{}-{}", s.min_slot, s.max_slot),
                if info.my_id.as_deref() == Some(&s.id) {
                    "*"
                } else {
                    ""
                }
                .to_string(),
            ]);
        }
        print_table(&t);
        if con.is_cluster() {
            server::check_cluster(con).await?;
        }
        Ok(exit::OK)
    })
}
