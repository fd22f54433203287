//! `run` and `register` (language.md section 6).

use super::args;
use super::error::CheckError;
use super::scope::Scope;
use super::Checker;
use crate::ir::registration::{STREAM_ONLY_PARAMS, TERMINAL_PARAMS};
use crate::ir::{
    Action, FailurePolicy, Mode, Reader, ReaderKind, Registration, Terminal, TerminalKind, Type,
    Word,
};
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn terminal(&mut self, t: &ast::Terminal, reader: Option<&Reader>) -> Terminal {
        let keyword = t.kind.spelling();
        let bound = args::bind(keyword, t.span, TERMINAL_PARAMS, &t.args, &mut self.diags);
        let globals = Scope::default();
        let desc = bound.get("desc").map(|desc| {
            let desc = self.expr(desc, &globals);
            self.expect(&desc, &Type::Str, "`desc`");
            Box::new(desc)
        });
        let terminal = |action| Terminal {
            span: t.span,
            desc,
            action,
        };
        if t.kind == TerminalKind::Run {
            for param in TERMINAL_PARAMS.iter().filter(|p| p.name != "desc") {
                let name = param.name;
                if let Some(span) = bound.arg_span(name) {
                    self.error(CheckError::ArgumentNotForTerminal {
                        name: name.to_string(),
                        applies_to: TerminalKind::Register.to_string(),
                        terminal: keyword.to_string(),
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
            return terminal(Action::Run { empty_result: None });
        }
        let reader_kind = reader.map(Reader::kind);
        let given_mode = bound.get("mode").and_then(|m| {
            let m = self.expr(m, &globals);
            self.literal_word::<Mode>(&m, "mode")
        });
        let mode = given_mode.unwrap_or(Mode::default_for(reader_kind.unwrap_or(ReaderKind::Keys)));
        let on_failed_policy = bound.get("on_failed_policy").and_then(|p| {
            let p = self.expr(p, &globals);
            let policy = self.literal_word::<FailurePolicy>(&p, "on_failed_policy")?;
            if !mode.allows(policy) {
                self.error(CheckError::PolicyNeedsAsync {
                    mode: mode.to_string(),
                    span: p.span,
                });
            }
            Some(policy)
        });
        let on_failed_retry_interval = bound.get("on_failed_retry_interval").map(|i| {
            let i = self.expr(i, &globals);
            self.expect(&i, &Type::Int, "`on_failed_retry_interval`");
            Box::new(i)
        });
        if reader_kind.is_some_and(|r| r != ReaderKind::Stream) {
            for &name in STREAM_ONLY_PARAMS {
                if let Some(span) = bound.arg_span(name) {
                    self.error(CheckError::StreamOnlyArgument {
                        name: name.to_string(),
                        span,
                    });
                }
            }
        }
        let on_registered = bound
            .get("on_registered")
            .and_then(|cb| self.on_registered(cb));
        terminal(Action::Register(Registration {
            mode,
            on_registered,
            on_failed_policy,
            on_failed_retry_interval,
        }))
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
}
