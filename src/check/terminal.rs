//! `run` and `register` (language.md section 6).

use super::args::{self, named, Param};
use super::error::CheckError;
use super::expr::enum_help;
use super::scope::Scope;
use super::types::Type;
use super::Checker;
use crate::ir::{Reader, TExpr, TExprKind, Terminal};
use crate::syntax::ast::{self, TerminalKind};

const PARAMS: &[Param] = &[
    named("mode"),
    named("on_registered"),
    named("on_failed_policy"),
    named("on_failed_retry_interval"),
    named("desc"),
];

pub const MODES: &[&str] = &["async", "sync", "async_local"];
pub const FAILURE_POLICIES: &[&str] = &["continue", "abort", "retry"];

impl Checker {
    pub(super) fn terminal(&mut self, t: &ast::Terminal, reader: Option<&Reader>) -> Terminal {
        let keyword = match t.kind {
            TerminalKind::Run => "run",
            TerminalKind::Register => "register",
        };
        let bound = args::bind(keyword, t.span, PARAMS, &t.args, &mut self.diags);
        let globals = Scope::default();
        let mut terminal = Terminal {
            kind: t.kind,
            span: t.span,
            mode: None,
            desc: None,
            on_registered: None,
            on_failed_policy: None,
            on_failed_retry_interval: None,
            empty_result: None,
        };
        if let Some(desc) = bound.get("desc") {
            let desc = self.expr(desc, &globals);
            self.expect(&desc, &Type::Str, "`desc`");
            terminal.desc = Some(desc);
        }
        if t.kind == TerminalKind::Run {
            for name in [
                "mode",
                "on_registered",
                "on_failed_policy",
                "on_failed_retry_interval",
            ] {
                if let Some(span) = bound.arg_span(name) {
                    self.error(CheckError::ArgumentNotForTerminal {
                        name: name.to_string(),
                        applies_to: "register".to_string(),
                        terminal: "run".to_string(),
                        span,
                        terminal_span: t.keyword_span,
                        help: if name == "mode" {
                            "a run's mode follows its reader: `python(gen, per_shard = true)` runs on every shard".to_string()
                        } else {
                            format!("remove `{name}`, or end the pipeline with `register`")
                        },
                    });
                }
            }
            return terminal;
        }
        let is_stream = matches!(reader, Some(Reader::Stream { .. }));
        if let Some(m) = bound.get("mode") {
            let m = self.expr(m, &globals);
            terminal.mode = self.literal_enum(&m, "mode", "execution mode", MODES);
        }
        if let Some(p) = bound.get("on_failed_policy") {
            let p = self.expr(p, &globals);
            terminal.on_failed_policy =
                self.literal_enum(&p, "on_failed_policy", "failure policy", FAILURE_POLICIES);
            if terminal.mode.as_deref() == Some("sync")
                && terminal
                    .on_failed_policy
                    .as_deref()
                    .is_some_and(|p| p != "continue")
            {
                self.error(CheckError::InvalidUse {
                    what: "a `sync` registration can only `continue` after a failure".to_string(),
                    span: p.span,
                    label: "not allowed with mode = \"sync\"".to_string(),
                    help: Some(
                        "use `on_failed_policy = \"continue\"`, or `mode = \"async\"`".to_string(),
                    ),
                });
            }
        }
        if let Some(i) = bound.get("on_failed_retry_interval") {
            let i = self.expr(i, &globals);
            self.expect(&i, &Type::Int, "`on_failed_retry_interval`");
            terminal.on_failed_retry_interval = Some(i);
        }
        for name in ["on_failed_policy", "on_failed_retry_interval"] {
            if let (Some(span), false, Some(_)) = (bound.arg_span(name), is_stream, reader) {
                self.error(CheckError::InvalidUse {
                    what: format!("`{name}` only applies to stream registrations"),
                    span,
                    label: "not a stream reader".to_string(),
                    help: Some(format!("remove `{name}`")),
                });
            }
        }
        if let Some(cb) = bound.get("on_registered") {
            terminal.on_registered = self.on_registered(cb);
        }
        terminal
    }

    fn on_registered(&mut self, e: &ast::Expr) -> Option<String> {
        if let ast::ExprKind::Name(n) = &e.kind {
            match self.globals.function_arity(n) {
                Some((0, _)) => return Some(n.clone()),
                Some((min, _)) => {
                    self.error(CheckError::ArgumentCount {
                        callee: n.clone(),
                        expected: "no arguments".to_string(),
                        found: min.to_string(),
                        span: e.span,
                        help: Some(
                            "`on_registered` is called with no arguments on every shard"
                                .to_string(),
                        ),
                    });
                    return None;
                }
                None => {}
            }
        }
        let t = self.expr(e, &Scope::default());
        self.type_error(
            "`on_registered`",
            "the name of a `fn` or `def` with no parameters",
            &t,
        );
        None
    }

    /// A string literal from `allowed`; anything else is reported.
    fn literal_enum(
        &mut self,
        t: &TExpr,
        arg: &str,
        what: &str,
        allowed: &[&str],
    ) -> Option<String> {
        match &t.kind {
            TExprKind::Str(s) => self.check_enum(t, what, allowed).then(|| s.clone()),
            _ => {
                self.error(CheckError::InvalidUse {
                    what: format!("`{arg}` must be a string literal"),
                    span: t.span,
                    label: "not a literal".to_string(),
                    help: Some(enum_help("", allowed)),
                });
                None
            }
        }
    }
}
