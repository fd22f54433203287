//! `gearc run`: compile, then run the file's `run` pipeline on RedisGears (the default)
//! or with the local engine against a plain Redis (`--local`); one printer for both.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use gearc::compile::TerminalKind;
use gearc::submit::local::{LocalOptions, StopHandle};
use gearc::submit::{self, reply, Backend, Event, Job, SubmitError};
use gearc::syntax::span::LineIndex;
use gearc::{Compiled, PipelineInfo};

use super::args::RunArgs;
use super::input::{self, Source};
use super::output::outln;
use super::{connect, exit, output};

pub fn run(args: RunArgs) -> u8 {
    let (source, compiled) = match input::load(&args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    // --watch prints the records of each execution: its register pipelines end with the
    // run's JSON envelope, so that the records arrive typed, as a run's results do.
    let compiled = if args.local && args.watch {
        let options = gearc::lower::Options {
            typed_registrations: true,
        };
        match gearc::compile::compile_with(&source.text, &source.name, options) {
            Ok(typed) => typed,
            Err(_) => compiled, // it compiled a moment ago; the records then print as text
        }
    } else {
        compiled
    };
    let index = LineIndex::new(&source.text);
    let registers: Vec<&PipelineInfo> = compiled
        .pipelines
        .iter()
        .filter(|p| p.terminal == TerminalKind::Register)
        .collect();
    let mut printer = Printer {
        source: &source,
        compiled: &compiled,
        index: &index,
        json: args.json,
        local: args.local,
        watch: args.watch,
        registers: &registers,
        registered: 0,
        registrations: Vec::new(),
        not_run: Vec::new(),
        failed: false,
        run_results: None,
        stdout: Stdout::Open,
        stop: None,
    };
    if args.local {
        run_local(&args, &mut printer)
    } else {
        run_on_server(&args, &mut printer)
    }
}

fn run_local(args: &RunArgs, printer: &mut Printer) -> u8 {
    if printer.compiled.run_pipeline().is_none() && !args.watch {
        let not_run: Vec<NotRun> = printer
            .registers
            .iter()
            .map(|p| NotRun {
                reader: p.reader.to_string(),
                at: p.span.start,
                why: None,
            })
            .collect();
        for line in not_run_lines(&not_run, printer.source, printer.index) {
            outln!("{line}");
        }
        return exit::OK;
    }
    let stop = StopHandle::default();
    printer.stop = Some(stop.clone());
    if args.watch {
        // gearc waits for the engine to restore the server's settings. A Ctrl-C in a
        // terminal reaches the engine too; a signal sent to gearc alone is passed on,
        // after a moment so that it does not interrupt a restore already under way.
        let handle = stop.clone();
        let installed = ctrlc::set_handler(move || {
            std::thread::sleep(Duration::from_millis(500));
            handle.stop();
        });
        if installed.is_err() {
            eprintln!(
                "warning: cannot catch Ctrl-C; stopping may leave notify-keyspace-events changed"
            );
        }
    }
    // --sandbox: a private server for this run, seeded with the file's example data
    let sandbox = if args.sandbox {
        let seed = match gearc::fixture::seed_commands(&printer.source.text) {
            Ok(seed) => seed,
            Err(e) => {
                eprintln!("error: {}: {e}", printer.source.name);
                return exit::ERRORS;
            }
        };
        match super::sandbox::Sandbox::start(&seed) {
            Ok(sandbox) => Some(sandbox),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::TROUBLE;
            }
        }
    } else {
        None
    };
    let url = sandbox
        .as_ref()
        .map_or_else(|| args.connect.url.clone(), |s| s.url.clone());
    let backend = Backend::Local(LocalOptions {
        url,
        python: None,
        watch: args.watch,
        trust_server_config: args.trust_server_config,
        connect_timeout: args.connect.connect_timeout(),
        stop: Some(stop),
    });
    let job = Job {
        module: &printer.compiled.python,
        requirements: &printer.compiled.requirements,
        stream_key: None,
    };
    let result = submit::run(&backend, &job, &mut |_| {}, |event| printer.event(event));
    printer.finish(result)
}

fn run_on_server(args: &RunArgs, printer: &mut Printer) -> u8 {
    let file = printer.source.name.clone();
    let registers = printer.registers.len();
    let registrations = match registers {
        1 => "its register pipeline".to_string(),
        n => format!("its {n} register pipelines"),
    };
    if printer.compiled.run_pipeline().is_none() {
        eprintln!("{file} has no `run` pipeline; {registrations} are installed with `gearc deploy {file}`");
        return exit::OK;
    }
    if registers > 0 {
        eprintln!("note: `run` leaves out {registrations}; `gearc deploy {file}` installs them");
    }
    let options = match args.connect.server_options(args.timeout) {
        Ok(options) => options,
        Err(e) => return connect::report(&e),
    };
    let module = submit::module_with_only(printer.compiled, TerminalKind::Run);
    let job = Job {
        module: &module,
        requirements: &printer.compiled.requirements,
        stream_key: printer
            .compiled
            .run_pipeline()
            .and_then(|p| p.stream_key.as_deref()),
    };
    let spinner = Spinner::default();
    let mut started = |id: &str| spinner.start(id);
    let result = submit::run(&Backend::Server(options), &job, &mut started, |event| {
        spinner.stop();
        printer.event(event)
    });
    spinner.stop();
    printer.finish(result)
}

/// Elapsed time on stderr while a server run goes on, when stderr is a terminal.
#[derive(Default)]
struct Spinner {
    bar: std::cell::RefCell<Option<indicatif::ProgressBar>>,
}

impl Spinner {
    fn start(&self, execution: &str) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} running {msg} ({elapsed}); Ctrl-C aborts it",
        ) {
            bar.set_style(style);
        }
        bar.set_message(execution.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.bar.borrow_mut() = Some(bar);
    }

    fn stop(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

struct Printer<'a> {
    source: &'a Source,
    compiled: &'a Compiled,
    index: &'a LineIndex,
    json: bool,
    /// `--local`: the local engine runs the module.
    local: bool,
    watch: bool,
    /// The file's register pipelines, in the order the engine reports them.
    registers: &'a [&'a PipelineInfo],
    registered: usize,
    /// What the engine said of each registration, in the order of `registers`.
    registrations: Vec<Registration>,
    /// Registrations that the local engine does not run, said together (in one line
    /// when there are several) before whatever comes next.
    not_run: Vec<NotRun>,
    failed: bool,
    /// The run's results while they arrive (`Records` events), until its `Result`.
    run_results: Option<output::Results>,
    stdout: Stdout,
    /// Stops the local engine (when stdout is closed, nobody reads its results).
    stop: Option<StopHandle>,
}

/// Whether gearc can still print results.
#[derive(Debug)]
enum Stdout {
    Open,
    /// Its reader is gone (`gearc run … | head`): the reader's choice, not a failure.
    Closed,
    /// Writing failed otherwise (a full disk): said once the run ends.
    Failed(std::io::Error),
}

/// From this many records on, a server run's result is worth a note (docs/limits.md): the
/// server built it whole before it answered, and gearc holds the reply whole too.
const HUGE_RESULT: usize = 1_000_000;

/// The note for a server run's result of `records` records, when it is huge.
fn huge_result_note(records: usize) -> Option<String> {
    (records >= HUGE_RESULT).then(|| {
        format!(
            "note: the server answered with {records} records in one reply, which it built whole in its memory before answering and gearc received whole too (docs/limits.md); \
             to keep a result this large out of memory, reduce it on the server (`count`, `aggregate`, `limit`) or write it into Redis with `foreach(execute(…))`"
        )
    })
}

/// A registration as the engine reported it.
struct Registration {
    id: String,
    reader: String,
    desc: Option<String>,
}

/// A registration the local engine leaves out: without --watch (`why` is `None`), or
/// one it cannot apply (`why`).
struct NotRun {
    reader: String,
    /// Byte offset of its pipeline in the source.
    at: usize,
    why: Option<String>,
}

/// The lines that say which registrations are not run locally: each on its own line
/// when it is the only one of its kind of reason, else one summary line per reason
/// (how many, of which readers, at which lines), so that a file of many registrations
/// does not fill the screen before its results.
fn not_run_lines(not_run: &[NotRun], source: &Source, index: &LineIndex) -> Vec<String> {
    let mut reasons: Vec<&Option<String>> = Vec::new();
    for n in not_run {
        if !reasons.contains(&&n.why) {
            reasons.push(&n.why);
        }
    }
    let at = |n: &NotRun| {
        let (line, col) = index.line_col(n.at);
        (line, col)
    };
    let mut out = Vec::new();
    for why in reasons {
        let group: Vec<&NotRun> = not_run.iter().filter(|n| &n.why == why).collect();
        if let [one] = group.as_slice() {
            let (line, col) = at(one);
            let place = format!("{}:{line}:{col}", source.name);
            out.push(match why {
                None => format!("not run locally (register): {} pipeline at {place}; add --watch to apply it to live events", one.reader),
                Some(why) => format!("{} registration at {place}: not applied locally: {why}", one.reader),
            });
            continue;
        }
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for n in &group {
            match kinds.iter_mut().find(|(k, _)| *k == n.reader) {
                Some((_, count)) => *count += 1,
                None => kinds.push((&n.reader, 1)),
            }
        }
        let kinds = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        const SHOWN: usize = 10;
        let mut lines: Vec<String> = group
            .iter()
            .take(SHOWN)
            .map(|n| at(n).0.to_string())
            .collect();
        if group.len() > SHOWN {
            lines.push(format!("and {} more", group.len() - SHOWN));
        }
        let (count, lines) = (group.len(), lines.join(", "));
        out.push(match why {
            None => format!("not run locally (register): {count} pipelines ({kinds}) at {} lines {lines}; add --watch to apply them to live events", source.name),
            Some(why) => format!("{count} registrations ({kinds}) at {} lines {lines}: not applied locally: {why}", source.name),
        });
    }
    out
}

impl<'a> Printer<'a> {
    /// The exit status of a finished run, with its failure (if any) printed.
    fn finish(&mut self, result: Result<(), SubmitError>) -> u8 {
        self.say_not_run();
        match std::mem::replace(&mut self.stdout, Stdout::Open) {
            Stdout::Open => {}
            // The engine was stopped for it: how the run ended is of no interest now.
            Stdout::Closed => return if self.failed { exit::ERRORS } else { exit::OK },
            Stdout::Failed(e) => {
                eprintln!("error: cannot write the results to stdout: {e}");
                return exit::TROUBLE;
            }
        }
        // A run that fails after some of its records were printed (Redis went away): the
        // failure as always, then that the records printed are not all of them.
        let printed = self.run_results.as_ref().map_or(0, |r| r.count);
        if let (Err(e), 1.., Some(mut results)) = (&result, printed, self.run_results.take()) {
            self.write(|| results.finish()); // a key/value table held so far
            let status = connect::report(e);
            if self.json {
                eprintln!(
                    "{}",
                    serde_json::json!({ "incomplete": true, "records": printed, "in": "the run" })
                );
            } else {
                eprintln!("the run stopped after the {printed} records above; they are not its whole result");
            }
            return status;
        }
        match result {
            Ok(()) if self.failed => exit::ERRORS,
            Ok(()) => exit::OK,
            Err(SubmitError::ModuleRejected { message }) => {
                // A module that fails while loading: its traceback's line in the module
                // maps back to the `.gear` source.
                let error = reply::parse_error(&message, &self.compiled.line_map);
                let help = missing_package_help(&error, &self.compiled.requirements, self.local);
                if self.json {
                    let json = output::run_error_json(
                        &error,
                        output::Stage::Load,
                        self.source,
                        self.index,
                    );
                    eprintln!("{}", with_help(json, help.as_deref()));
                    eprintln!(
                        "{}",
                        serde_json::json!({ "incomplete": true, "failed": 1, "in": "loading the module" })
                    );
                    return exit::ERRORS;
                }
                eprintln!("error: the module failed to load");
                output::print_errors_with(
                    output::Stage::Load,
                    &[error],
                    self.source,
                    input::style(),
                    help.as_deref(),
                );
                exit::ERRORS
            }
            Err(e) => connect::report(&e),
        }
    }

    fn event(&mut self, event: &Event) {
        if !matches!(event, Event::Registered { .. }) {
            self.say_not_run();
        }
        match event {
            Event::Records { results } => {
                let mut printer = self.run_results.take().unwrap_or_else(|| self.results());
                self.write(|| printer.print(results.iter().map(reply::decode_record)));
                self.run_results = Some(printer);
            }
            Event::Result { results, errors } => {
                let run = self.compiled.run_pipeline();
                let mut printer = self.run_results.take().unwrap_or_else(|| self.results());
                // The empty result is filled in only when no record came at all.
                let decoded = if printer.count == 0 {
                    reply::decode_results(
                        results,
                        run.and_then(|p| p.empty_result.as_ref()),
                        !errors.is_empty(),
                    )
                } else {
                    results.iter().map(reply::decode_record).collect()
                };
                if printer.count == 0 && decoded.is_empty() && errors.is_empty() && !self.json {
                    // Said on stderr: stdout holds results only, and there are none.
                    eprintln!("no records");
                }
                self.write(|| printer.print(decoded));
                self.write(|| printer.finish());
                if !self.local {
                    if let Some(note) = huge_result_note(printer.count) {
                        eprintln!("{note}");
                    }
                }
                self.report_errors(errors, "the run", run);
            }
            Event::Registered {
                id,
                reader,
                desc,
                unsupported,
                ..
            } => {
                let pipeline = self.registers.get(self.registered).copied();
                let at = self.register_location(self.registered);
                self.registrations.push(Registration {
                    id: id.clone(),
                    reader: reader.clone(),
                    desc: desc.clone(),
                });
                self.registered += 1;
                let offset = pipeline.map_or(0, |p| p.span.start);
                // Without --watch no registration runs, whatever the reason another one
                // would have under --watch. `unsupported` is what the engine cannot do of
                // a registration: all of a CommandReader's (it is not applied), part of a
                // KeysReader's (`commands=`: it is applied, and fires on more events).
                match unsupported {
                    _ if !self.watch => self.not_run.push(NotRun {
                        reader: reader.clone(),
                        at: offset,
                        why: None,
                    }),
                    Some(why) if reader == "CommandReader" => self.not_run.push(NotRun {
                        reader: reader.clone(),
                        at: offset,
                        why: Some(why.clone()),
                    }),
                    Some(why) => {
                        eprintln!("registered {reader} pipeline at {at}, applied in part: {why}")
                    }
                    None => eprintln!("registered {reader} pipeline at {at}"),
                }
            }
            Event::Backlog {
                registration,
                streams,
                entries,
                exact,
                trim,
            } => {
                let at = match self.pipeline_of(registration) {
                    Some(p) => location(self.source, self.index, p),
                    None => registration.clone(),
                };
                eprintln!("{}", backlog_line(&at, *streams, *entries, *exact, *trim));
            }
            Event::Watching { registrations } => {
                eprintln!("watching {registrations} registration(s); press Ctrl-C to stop");
            }
            Event::Execution {
                registration,
                results,
                errors,
                trigger,
                status,
                event,
                key,
                ids,
            } => {
                let pipeline = self.pipeline_of(registration);
                let decoded: Vec<_> = results.iter().map(reply::decode_record).collect();
                let result_type = pipeline.map_or(gearc::ir::Type::Any, |p| p.result.clone());
                if self.json {
                    let execution = self.execution_json(
                        registration,
                        pipeline,
                        (event.as_deref(), key.as_deref(), ids.as_deref()),
                        decoded,
                        errors,
                        status.as_deref(),
                    );
                    self.write(|| {
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "{execution}")?;
                        out.flush()
                    });
                    if !errors.is_empty() {
                        self.failed = true;
                    }
                    return;
                }
                // Empty executions are real: a stream registration's first read of a
                // stream finds nothing and still counts as an execution on the server.
                let nothing = results.is_empty() && errors.is_empty();
                eprintln!(
                    "fired by {}:{}",
                    output::plain(trigger),
                    if nothing { " no records" } else { "" }
                );
                let mut printer = output::Results::new(&result_type, false, false);
                self.write(|| printer.print(decoded));
                self.write(|| printer.finish());
                self.report_errors(errors, "an execution", pipeline);
            }
            Event::Stopped => eprintln!("stopped; the server's settings are restored"),
            Event::ScriptError { .. } | Event::Fatal { .. } => {}
        }
    }

    /// The printer of the run's results.
    fn results(&self) -> output::Results {
        let run = self.compiled.run_pipeline();
        let result_type = run
            .map(|p| p.result.clone())
            .unwrap_or(gearc::ir::Type::Any);
        output::Results::new(&result_type, run.is_some_and(|p| p.sorted), self.json)
    }

    /// Prints with `print` while stdout takes it. Once it does not, nothing more is
    /// printed and the local engine is stopped: nobody would read what it sends.
    fn write(&mut self, print: impl FnOnce() -> std::io::Result<()>) {
        if !matches!(self.stdout, Stdout::Open) {
            return;
        }
        if let Err(e) = print() {
            self.stdout = if e.kind() == std::io::ErrorKind::BrokenPipe {
                Stdout::Closed
            } else {
                Stdout::Failed(e)
            };
            if let Some(stop) = &self.stop {
                stop.stop();
            }
        }
    }

    /// The registrations not run locally, said once what comes after them arrives.
    fn say_not_run(&mut self) {
        if self.not_run.is_empty() {
            return;
        }
        for line in not_run_lines(&self.not_run, self.source, self.index) {
            eprintln!("{line}");
        }
        self.not_run.clear();
    }

    /// The register pipeline of the engine's registration `id`.
    fn pipeline_of(&self, id: &str) -> Option<&'a PipelineInfo> {
        let registers: &'a [&'a PipelineInfo] = self.registers;
        self.registrations
            .iter()
            .position(|r| r.id == id)
            .and_then(|i| registers.get(i).copied())
    }

    /// One execution of `--watch --json`: the registration (the engine's id, its reader
    /// and `desc`, and the `.gear` place of its pipeline), what fired it (a keyspace
    /// event and its key, or a stream and the ids of its entries), its records as typed
    /// JSON values, and its errors as the objects `gearc run --json` writes.
    fn execution_json(
        &self,
        id: &str,
        pipeline: Option<&PipelineInfo>,
        (event, key, ids): (Option<&str>, Option<&str>, Option<&[String]>),
        records: Vec<serde_json::Value>,
        errors: &[String],
        status: Option<&str>,
    ) -> serde_json::Value {
        let registration = self.registrations.iter().find(|r| r.id == id);
        let place = pipeline.map(|p| {
            let (line, column) = self.index.line_col(p.span.start);
            (line, column, p.span)
        });
        let errors: Vec<serde_json::Value> = self
            .located_errors(errors, pipeline)
            .iter()
            .map(|error| {
                let json =
                    output::run_error_json(error, output::Stage::Run, self.source, self.index);
                json["error"].clone()
            })
            .collect();
        serde_json::json!({
            "execution": {
                "registration": {
                    "id": id,
                    "reader": registration.map(|r| r.reader.as_str()),
                    "desc": registration.and_then(|r| r.desc.as_deref()),
                    "file": self.source.name,
                    "line": place.map(|p| p.0),
                    "column": place.map(|p| p.1),
                    "span": place.map(|p| serde_json::json!({"start": p.2.start, "end": p.2.end})),
                },
                "event": event,
                "key": key,
                "ids": ids,
                "records": records,
                "errors": errors,
                "status": status,
            }
        })
    }

    fn register_location(&self, i: usize) -> String {
        match self.registers.get(i) {
            Some(p) => location(self.source, self.index, p),
            None => self.source.name.clone(),
        }
    }

    /// The errors RedisGears (or the engine) reported, each moved to the `.gear`
    /// operation or reader of `pipeline` that raised it.
    fn located_errors(
        &self,
        errors: &[String],
        pipeline: Option<&PipelineInfo>,
    ) -> Vec<reply::RunError> {
        errors
            .iter()
            .map(|e| {
                let mut error = reply::parse_error(e, &self.compiled.line_map);
                if let Some(p) = pipeline {
                    reply::locate(&mut error, self.compiled, p);
                }
                error
            })
            .collect()
    }

    /// Prints the errors of the run or of an execution of `pipeline`.
    fn report_errors(&mut self, errors: &[String], what: &str, pipeline: Option<&PipelineInfo>) {
        if errors.is_empty() {
            return;
        }
        self.failed = true;
        let parsed = self.located_errors(errors, pipeline);
        if self.json {
            // For scripts: one object per error, then one that marks the results as
            // incomplete, on stderr (stdout holds only results).
            for e in &parsed {
                let json = output::run_error_json(e, output::Stage::Run, self.source, self.index);
                eprintln!("{json}");
            }
            eprintln!(
                "{}",
                serde_json::json!({ "incomplete": true, "failed": parsed.len(), "in": what })
            );
            return;
        }
        output::print_errors(&parsed, self.source, input::style());
        if parsed
            .iter()
            .any(|e| e.message == "Execution max idle reached")
        {
            // RedisGears' ExecutionMaxIdleTime: a shard stopped answering mid-run.
            eprintln!("a shard of the cluster stopped answering during {what}; the results above are only the other shards'");
            return;
        }
        let failed_in = parsed.iter().find_map(|e| match e.raised {
            reply::Raised::Reader => Some("the reader".to_string()),
            reply::Raised::Operation(op) => Some(format!("RedisGears' own `{op}`")),
            reply::Raised::Callback | reply::Raised::Load => None,
        });
        if let Some(step) = failed_in {
            eprintln!("{what} failed in {step}; the results above are incomplete");
            return;
        }
        eprintln!(
            "{} of {what} failed; the results above are incomplete",
            if parsed.len() == 1 {
                "1 record".to_string()
            } else {
                format!("{} records", parsed.len())
            }
        );
    }
}

/// What to do about a module that failed to load because a package is missing: a
/// `requirements` line is for a server (RedisGears installs it with pip); `--local`
/// imports from its own interpreter, so the package is installed there or GEARC_PYTHON
/// names another. The interpreter is not named by path, so a message is the same
/// whichever interpreter ran.
fn missing_package_help(
    error: &reply::RunError,
    requirements: &[String],
    local: bool,
) -> Option<String> {
    let rest = error
        .message
        .strip_prefix("ModuleNotFoundError: No module named ")
        .or_else(|| error.message.strip_prefix("ImportError: No module named "))?;
    let module = rest.trim().trim_matches(|c| c == '\'' || c == '"');
    let package = module.split('.').next().unwrap_or(module);
    let wanted = requirements
        .iter()
        .find(|r| requirement_name(r) == package.to_lowercase().replace('-', "_"));
    let install = "install it for the local engine's interpreter (GEARC_PYTHON, else python3), e.g. `python3 -m pip install";
    Some(match wanted {
        Some(r) if local => format!("`{r}` is in the file's requirements, which a RedisGears server installs with pip; `gearc run --local` installs nothing: it imports from the local engine's interpreter, which has no `{module}`. Install it there (`python3 -m pip install '{r}'`, with the interpreter gearc runs), or set GEARC_PYTHON to an interpreter that has it (e.g. a virtualenv's bin/python)"),
        Some(r) => format!("`{r}` is in the file's requirements, yet the server's Python cannot import `{module}`: check that the package provides that module (`gearc requirements` lists what the server installed)"),
        // The same words on both back ends: the module fails the same way on each.
        None => format!("no `{package}` where the module ran: for a RedisGears server, add `requirements \"{package}\"` (the package's name on PyPI) and RedisGears installs it with pip; for `gearc run --local`, {install} {package}`, or point GEARC_PYTHON at an interpreter that has it"),
    })
}

/// The distribution name of a pip requirement (`requests>=2` → `requests`), lower case
/// with `-` as `_`, as it would be imported (mostly).
fn requirement_name(requirement: &str) -> String {
    requirement
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>()
        .to_lowercase()
        .replace('-', "_")
}

/// A JSON error object with a help of gearc's own, when there is one.
fn with_help(mut json: serde_json::Value, help: Option<&str>) -> serde_json::Value {
    if let Some(help) = help {
        json["error"]["help"] = serde_json::Value::from(help);
    }
    json
}

/// `FILE:LINE:COL` of a pipeline.
fn location(source: &Source, index: &LineIndex, p: &PipelineInfo) -> String {
    let (line, col) = index.line_col(p.span.start);
    format!("{}:{line}:{col}", source.name)
}

/// What a stream registration is about to do with the entries already in its streams,
/// said before it does it: a first `--watch` on a long stream processes all of it, and
/// trims it unless `trim_stream = false`.
fn backlog_line(at: &str, streams: usize, entries: u64, exact: bool, trim: bool) -> String {
    let streams = match streams {
        0 => "no stream matches yet".to_string(),
        1 => "1 matching stream".to_string(),
        n => format!("{n} matching streams"),
    };
    if entries == 0 {
        return format!("stream registration at {at}: no existing entries to process ({streams})");
    }
    let count = if exact {
        entries.to_string()
    } else {
        format!("up to {entries}")
    };
    let noun = if entries == 1 { "entry" } else { "entries" };
    let then = if trim {
        "trimming each from its stream once processed (trim_stream = false keeps them)"
    } else {
        "keeping them in the stream (trim_stream = false)"
    };
    format!(
        "stream registration at {at}: processing {count} existing {noun} of {streams} now, {then}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_result_gets_a_note_from_a_million_records_on() {
        assert_eq!(huge_result_note(HUGE_RESULT - 1), None);
        let note = huge_result_note(HUGE_RESULT).expect("a note");
        assert!(note.contains("1000000 records in one reply"), "{note}");
        assert!(note.contains("`count`, `aggregate`, `limit`"), "{note}");
    }
}
