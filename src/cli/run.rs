//! `gearc run`: compile, then run the file's `run` pipeline on RedisGears (the default)
//! or with the local engine against a plain Redis (`--local`); one printer for both.

use std::io::IsTerminal;
use std::time::Duration;

use gearc::compile::TerminalKind;
use gearc::submit::local::{LocalOptions, StopHandle};
use gearc::submit::{self, reply, Backend, Event, Job, SubmitError};
use gearc::syntax::span::LineIndex;
use gearc::{Compiled, PipelineInfo};

use super::args::RunArgs;
use super::input::{self, Source};
use super::{connect, exit, output};

pub fn run(args: RunArgs) -> u8 {
    let (source, compiled) = match input::load(&args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
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
        watch: args.watch,
        registers: &registers,
        registered: 0,
        failed: false,
    };
    if args.local {
        run_local(&args, &mut printer)
    } else {
        run_on_server(&args, &mut printer)
    }
}

fn run_local(args: &RunArgs, printer: &mut Printer) -> u8 {
    if printer.compiled.run_pipeline().is_none() && !args.watch {
        for p in printer.registers {
            let at = location(printer.source, printer.index, p);
            println!("not run locally (register): {} pipeline at {at}; add --watch to apply it to live events", p.reader);
        }
        return exit::OK;
    }
    let stop = StopHandle::default();
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
        stop: Some(stop),
    });
    let job = Job {
        module: &printer.compiled.python,
        requirements: &printer.compiled.requirements,
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
    watch: bool,
    /// The file's register pipelines, in the order the engine reports them.
    registers: &'a [&'a PipelineInfo],
    registered: usize,
    failed: bool,
}

impl Printer<'_> {
    /// The exit status of a finished run, with its failure (if any) printed.
    fn finish(&self, result: Result<(), SubmitError>) -> u8 {
        match result {
            Ok(()) if self.failed => exit::ERRORS,
            Ok(()) => exit::OK,
            Err(SubmitError::ModuleRejected { message }) => {
                // A module that fails while loading: its traceback's line in the module
                // maps back to the `.gear` source.
                let error = reply::parse_error(&message, &self.compiled.line_map);
                eprintln!("error: the module failed to load");
                output::print_errors_of(output::Stage::Load, &[error], self.source, input::style());
                exit::ERRORS
            }
            Err(e) => connect::report(&e),
        }
    }

    fn event(&mut self, event: &Event) {
        match event {
            Event::Result { results, errors } => {
                let run = self.compiled.run_pipeline();
                let decoded = reply::decode_results(
                    results,
                    run.and_then(|p| p.empty_result.as_ref()),
                    !errors.is_empty(),
                );
                let result_type = run
                    .map(|p| p.result.clone())
                    .unwrap_or(gearc::ir::Type::Any);
                let sorted = run.is_some_and(|p| p.sorted);
                output::print_results(&decoded, &result_type, sorted, self.json);
                self.report_errors(errors, "the run");
            }
            Event::Registered {
                reader,
                unsupported,
                ..
            } => {
                let at = self.register_location(self.registered);
                self.registered += 1;
                match unsupported {
                    Some(why) => {
                        eprintln!("{reader} registration at {at}: not applied locally: {why}")
                    }
                    None if !self.watch => {
                        eprintln!("not run locally (register): {reader} pipeline at {at}; add --watch to apply it to live events")
                    }
                    None => eprintln!("registered {reader} pipeline at {at}"),
                }
            }
            Event::Watching { registrations } => {
                eprintln!("watching {registrations} registration(s); press Ctrl-C to stop");
            }
            Event::Execution {
                results,
                errors,
                trigger,
                ..
            } => {
                let trigger = output::plain(trigger);
                let decoded: Vec<_> = results.iter().map(reply::decode_record).collect();
                if !self.json {
                    // Empty executions are real: a stream registration's first read of a
                    // stream finds nothing and still counts as an execution on the server.
                    let nothing = results.is_empty() && errors.is_empty();
                    eprintln!(
                        "fired by {trigger}:{}",
                        if nothing { " no records" } else { "" }
                    );
                }
                output::print_results(&decoded, &gearc::ir::Type::Any, false, self.json);
                self.report_errors(errors, "an execution");
            }
            Event::Stopped => eprintln!("stopped; the server's settings are restored"),
            Event::ScriptError { .. } | Event::Fatal { .. } => {}
        }
    }

    fn register_location(&self, i: usize) -> String {
        match self.registers.get(i) {
            Some(p) => location(self.source, self.index, p),
            None => self.source.name.clone(),
        }
    }

    fn report_errors(&mut self, errors: &[String], what: &str) {
        if errors.is_empty() {
            return;
        }
        self.failed = true;
        let parsed: Vec<reply::RunError> = errors
            .iter()
            .map(|e| reply::parse_error(e, &self.compiled.line_map))
            .collect();
        if self.json {
            // For scripts: one object per error, then one that marks the results as
            // incomplete, on stderr (stdout holds only results).
            for e in &parsed {
                eprintln!("{}", output::run_error_json(e, self.source, self.index));
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

/// `FILE:LINE:COL` of a pipeline.
fn location(source: &Source, index: &LineIndex, p: &PipelineInfo) -> String {
    let (line, col) = index.line_col(p.span.start);
    format!("{}:{line}:{col}", source.name)
}
