//! `gearc run --local`: compile, then run with the local engine against a plain Redis.

use std::time::Duration;

use gearc::submit::local::{self as engine, EngineError, Event, LocalOptions, StopHandle};
use gearc::submit::reply;
use gearc::syntax::span::LineIndex;
use gearc::{Compiled, PipelineInfo};

use super::args::RunArgs;
use super::input::{self, Source};
use super::{exit, output};

pub fn run(args: RunArgs) -> u8 {
    if !args.local {
        eprintln!("error: running on a RedisGears server is not available yet; add --local to run against a plain Redis with gearc's local engine");
        return exit::TROUBLE;
    }
    let (source, compiled) = match input::load(&args.file) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let index = LineIndex::new(&source.text);
    let registers: Vec<&PipelineInfo> = compiled
        .pipelines
        .iter()
        .filter(|p| p.terminal == gearc::compile::TerminalKind::Register)
        .collect();
    if compiled.run_pipeline().is_none() && !args.watch {
        for p in &registers {
            let at = location(&source, &index, p);
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
    let options = LocalOptions {
        url: args.url.clone(),
        python: None,
        watch: args.watch,
        stop: Some(stop),
    };
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
    let result = engine::run(&compiled.python, &options, |event| printer.event(event));
    match result {
        Ok(()) if printer.failed => exit::ERRORS,
        Ok(()) => exit::OK,
        Err(EngineError::Script { message }) => {
            // The server's reply for a module that fails while loading: a traceback,
            // whose line in the module maps back to the `.gear` source.
            let error = reply::parse_error(&message, &compiled.line_map);
            eprintln!("error: RedisGears would reject this module when loading it");
            output::print_errors(&[error], &source, input::style());
            exit::ERRORS
        }
        Err(e) => {
            eprint!("{}", render_engine_error(e));
            exit::TROUBLE
        }
    }
}

fn render_engine_error(e: EngineError) -> String {
    let mut text = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    if handler.render_report(&mut text, &e).is_err() {
        text = format!("error: {e}\n");
    }
    text
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
                    .unwrap_or(gearc::check::types::Type::Any);
                output::print_results(&decoded, &result_type, self.json);
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
                output::print_results(&decoded, &gearc::check::types::Type::Any, self.json);
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
        output::print_errors(&parsed, self.source, input::style());
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
