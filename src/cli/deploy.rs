//! `gearc deploy` and `gearc undeploy`: a file's registrations as one RedisGears session.

use std::path::Path;

use gearc::compile::TerminalKind;
use gearc::submit::server::deploy::{self as session, valid_session_id};
use gearc::submit::server::{self, Connection};
use gearc::submit::{module_with_only, SubmitError};
use gearc::syntax::span::LineIndex;
use gearc::{Compiled, PipelineInfo};

use super::args::{DeployArgs, UndeployArgs};
use super::input::{self, Source};
use super::output::outln;
use super::{exit, manage};

/// One file ready to deploy.
struct Deployable {
    source: Source,
    compiled: Compiled,
    session: String,
    module: String,
}

pub fn deploy(args: DeployArgs) -> u8 {
    if args.id.is_some() && args.files.len() > 1 {
        eprintln!("error: --id names one session; deploy one file at a time with it");
        return exit::TROUBLE;
    }
    let mut files = Vec::new();
    for path in &args.files {
        match prepare(path, args.id.as_deref()) {
            Ok(file) => files.push(file),
            Err(status) => return status,
        }
    }
    args.connect.with_connection(async |con: &mut Connection| {
        server::check_cluster(con).await?;
        let mut status = exit::OK;
        for file in &files {
            if args.dry_run {
                dry_run(con, file).await?;
                continue;
            }
            let registrations = session::deploy(
                con,
                &file.module,
                &file.compiled.requirements,
                &file.session,
                &format!("deployed by gearc from {}", file.source.name),
            )
            .await;
            match registrations {
                Ok(registrations) => {
                    eprintln!(
                        "deployed {} as session `{}` on {}: {}",
                        file.source.name,
                        file.session,
                        con.target,
                        count(registrations.len(), "registration")
                    );
                    manage::print_registrations(&registrations, args.json);
                }
                Err(SubmitError::ModuleRejected { message }) => {
                    let error =
                        gearc::submit::reply::parse_error(&message, &file.compiled.line_map);
                    eprintln!(
                        "error: the server rejected {}; its session `{}` is unchanged",
                        file.source.name, file.session
                    );
                    super::output::print_errors_of(
                        super::output::Stage::Load,
                        &[error],
                        &file.source,
                        input::style(),
                    );
                    status = exit::ERRORS;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(status)
    })
}

/// Reads and compiles one file and works out its session.
fn prepare(path: &Path, id: Option<&str>) -> Result<Deployable, u8> {
    let (source, compiled) = input::load(path)?;
    let session = match id {
        Some(id) => id.to_string(),
        None => stem(path),
    };
    if !valid_session_id(&session) {
        eprintln!(
            "error: `{session}` cannot be a session id (RedisGears allows letters, digits, `_` and `-`); name one with --id"
        );
        return Err(exit::TROUBLE);
    }
    let registers = compiled
        .pipelines
        .iter()
        .filter(|p| p.terminal == TerminalKind::Register)
        .count();
    if registers == 0 {
        eprintln!(
            "error: {} has no `register` pipeline, so there is nothing to deploy; `gearc run {}` runs it",
            source.name, source.name
        );
        return Err(exit::ERRORS);
    }
    if compiled.run_pipeline().is_some() {
        eprintln!(
            "note: deploy leaves out the `run` pipeline of {}; `gearc run {}` runs it",
            source.name, source.name
        );
    }
    let module = module_with_only(&compiled, TerminalKind::Register);
    Ok(Deployable {
        source,
        compiled,
        session,
        module,
    })
}

/// The session a file deploys to by default: its stem.
pub fn session_of(path: &Path) -> String {
    stem(path)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a deploy would change, and the module it would send; changes nothing.
async fn dry_run(con: &mut Connection, file: &Deployable) -> Result<(), SubmitError> {
    session::require_upgrade_support(con).await?;
    let held = session::session_registrations(con, &file.session).await?;
    let index = LineIndex::new(&file.source.text);
    outln!(
        "dry run: session `{}` from {} on {} (nothing is changed)",
        file.session,
        file.source.name,
        con.target
    );
    let new: Vec<&PipelineInfo> = file
        .compiled
        .pipelines
        .iter()
        .filter(|p| p.terminal == TerminalKind::Register)
        .collect();
    let mut replaced = vec![false; held.len()];
    for p in &new {
        let prefix = registered_prefix(&file.compiled, p);
        let (line, col) = index.line_col(p.span.start);
        let at = format!("{}:{line}:{col}", file.source.name);
        let what = describe(p.reader, prefix.as_deref());
        let old = held.iter().enumerate().position(|(i, r)| {
            !replaced[i] && r.reader == p.reader && r.prefix.as_deref() == prefix.as_deref()
        });
        match old {
            Some(i) => {
                replaced[i] = true;
                outln!("  replace  {}  {what}  (pipeline at {at})", held[i].id);
            }
            None => outln!("  add      {what}  (pipeline at {at})"),
        }
    }
    for (r, _) in held.iter().zip(&replaced).filter(|(_, done)| !**done) {
        outln!(
            "  remove   {}  {}",
            r.id,
            describe(&r.reader, r.prefix.as_deref())
        );
    }
    outln!("--- module");
    super::output::print(format_args!("{}", file.module));
    Ok(())
}

fn describe(reader: &str, prefix: Option<&str>) -> String {
    let what = if reader == "CommandReader" {
        "trigger"
    } else {
        "prefix"
    };
    match prefix {
        Some(p) => format!("{reader} {what} '{p}'"),
        None => reader.to_string(),
    }
}

/// The prefix, trigger or hook a register pipeline passes, read from the literal in its
/// lowered `register(…)` call (absent when it is not a literal: then it is shown as
/// unknown and matched with nothing).
fn registered_prefix(compiled: &Compiled, p: &PipelineInfo) -> Option<String> {
    let (first, last) = p.python_lines;
    let text: String = compiled
        .python
        .lines()
        .skip(first.saturating_sub(1))
        .take(last + 1 - first)
        .collect::<Vec<_>>()
        .join("\n");
    let call = &text[text.rfind(".register(")?..];
    let default = (p.reader != "CommandReader").then(|| "*".to_string());
    ["prefix=\"", "trigger=\"", "hook=\""]
        .iter()
        .find_map(|arg| {
            let rest = &call[call.find(arg)? + arg.len()..];
            let mut out = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => return Some(out),
                    '\\' => out.push(chars.next()?),
                    c => out.push(c),
                }
            }
            None
        })
        .or(default)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

pub fn undeploy(args: UndeployArgs) -> u8 {
    let path = Path::new(&args.session);
    let id = if args.session.ends_with(".gear") || path.is_file() {
        stem(path)
    } else {
        args.session.clone()
    };
    args.connect.with_connection(async |con: &mut Connection| {
        let removed = session::undeploy(con, &id).await?;
        if removed.is_empty() {
            eprintln!(
                "error: {} has no session `{id}` (`gearc registrations` lists the sessions)",
                con.target
            );
            return Ok(exit::ERRORS);
        }
        eprintln!(
            "undeployed session `{id}` from {}: removed {}",
            con.target,
            count(removed.len(), "registration")
        );
        for r in &removed {
            outln!("{}", r.id);
        }
        Ok(exit::OK)
    })
}
