//! Consecutive `map` and `filter` steps as one Python function, so that RedisGears
//! calls Python once per record for the whole run of steps instead of once per step.
//!
//! Measured on RedisGears 1.2.13 (docs/performance.md, "Generated modules"): on 100k
//! keys, `map | filter | map` as one `flatmap` took as long as the three hand-written
//! lambdas without gearc's result envelope, and 7 % less than the three steps with it;
//! `map | map` as one `map` 7 % less than two. Each step keeps its own line in the
//! function, with its `.gear` location, so an error still points at its step.
//!
//! A run of only maps becomes one `map`, of only filters one `filter`, of both one
//! `flatmap` that returns `[]` for a record a filter drops and `[record]` otherwise
//! (a one-element list, so RedisGears' flatmap emits exactly that record).

use super::expr::{prec, ExprCtx};
use super::Lowerer;
use crate::ir::{Callback, Op, OpKind, TExpr, TExprKind, Type};
use crate::syntax::Span;

/// The record parameter, as in every lambda gearc writes.
const RECORD: &str = "it";

/// The expression of a `map` or `filter` that can share a function with its
/// neighbours: it is the step's own expression (not a named function, whose result
/// RedisGears awaits when it is a coroutine), it calls nothing that may return a
/// coroutine (a user function or an `any` value), and holds no lambda (which would
/// see the record variable after the later steps of the run reassigned it).
pub(super) fn fusable(op: &Op) -> Option<&TExpr> {
    let (OpKind::Map(Callback::Expr(e)) | OpKind::Filter(Callback::Expr(e))) = &op.kind else {
        return None;
    };
    let mut plain = true;
    e.walk(&mut |x| match &x.kind {
        TExprKind::CallFunction { .. } | TExprKind::CallValue { .. } | TExprKind::Lambda { .. } => {
            plain = false
        }
        TExprKind::Method { target, .. } if target.ty == Type::Any => plain = false,
        _ => {}
    });
    plain.then_some(e)
}

impl Lowerer<'_> {
    /// Writes the function of a run of two or more fusable steps (each with whether it
    /// sees key names standing for `keys(…)` records) before the pipeline's statement;
    /// returns its step (`flatmap(NAME)`, …) and the span the step stands for.
    pub(super) fn fused_steps(&mut self, run: &[(&Op, bool)]) -> (String, Span) {
        let filters = run
            .iter()
            .filter(|(op, _)| matches!(op.kind, OpKind::Filter(_)))
            .count();
        let (step, dropped) = match filters {
            0 => ("map", ""),
            n if n == run.len() => ("filter", "False"),
            _ => ("flatmap", "[]"),
        };
        let first = run[0].0.span;
        let name = self.fused_name(first);
        self.out.line(&format!("def {name}({RECORD}):"), None);
        self.out.define(&name);
        for (i, (op, key_names)) in run.iter().enumerate() {
            let e = fusable(op).expect("only fusable steps are fused");
            let mut ctx = ExprCtx::record(RECORD);
            ctx.key_name = *key_names;
            let (text, precedence) = self.expr_prec(e, &ctx);
            let last = i + 1 == run.len();
            match (&op.kind, last) {
                (OpKind::Map(_), false) => {
                    self.out
                        .line(&format!("    {RECORD} = {text}"), Some(op.span));
                }
                (OpKind::Map(_), true) if step == "flatmap" => {
                    self.out
                        .line(&format!("    return [{text}]"), Some(op.span));
                }
                (OpKind::Filter(_), true) if step == "filter" => {
                    self.out.line(&format!("    return {text}"), Some(op.span));
                }
                (OpKind::Map(_), true) => {
                    self.out.line(&format!("    return {text}"), Some(op.span));
                }
                _ => {
                    let test = if precedence >= prec::POSTFIX {
                        text
                    } else {
                        format!("({text})")
                    };
                    self.out.line(&format!("    if not {test}:"), Some(op.span));
                    self.out.line(&format!("        return {dropped}"), None);
                    if last {
                        self.out.line(&format!("    return [{RECORD}]"), None);
                    }
                }
            }
        }
        self.out.line("", None);
        let last = run[run.len() - 1].0.span;
        let span = Span {
            start: first.start,
            end: last.end,
        };
        (format!("{step}({name})"), span)
    }

    /// `gearc_line_N_steps` after the `.gear` line of the run's first step, made free
    /// of the file's globals and of the functions of earlier runs.
    fn fused_name(&self, first: Span) -> String {
        let (line, _) = self.out.index.line_col(first.start);
        self.function_name(&format!("gearc_line_{line}_steps"))
    }
}

#[cfg(test)]
mod tests {
    use crate::lower::tests::bound_twice;

    fn python(source: &str) -> String {
        match crate::compile::compile(source, "t.gear") {
            Ok(compiled) => compiled.python,
            Err(_) => panic!("{source} does not compile"),
        }
    }

    #[test]
    fn a_run_of_maps_and_filters_is_one_step() {
        let py = python("keys(\"n:*\") | map(int(value)) | filter(it > 2) | map(it * 2) | run\n");
        assert!(py.contains("def gearc_line_1_steps(it):"), "{py}");
        assert!(py.contains(".flatmap(gearc_line_1_steps)"), "{py}");
        assert!(!py.contains(".filter("), "{py}");
    }

    #[test]
    fn what_may_return_a_coroutine_or_capture_the_record_is_not_fused() {
        // A Python-block function may be `async def`: RedisGears awaits what a step
        // returns, not what a line inside a fused function computes.
        let block = "python \"\"\"\nasync def slow(x):\n    return x\n\"\"\"\n";
        let py = python(&format!(
            "{block}keys(\"n:*\") | map(slow(value)) | map(it) | run\n"
        ));
        assert!(!py.contains("gearc_line_"), "{py}");
        let py = python("keys(\"n:*\") | map(value) | map(|x| x + \"!\") | run\n");
        assert!(!py.contains("gearc_line_"), "{py}");
    }

    #[test]
    fn a_function_is_not_named_like_one_defined_before_it() {
        // Two runs on line 6, after a Python block (with a nested `def`) and a `fn` that
        // take the names the second run would get otherwise.
        let py = python(concat!(
            "python \"\"\"\n",
            "def outer():\n",
            "    def gearc_line_6_steps_2(x): return x\n",
            "\"\"\"\n",
            "fn gearc_line_6_steps_3(x) = x\n",
            "keys(\"n:*\") | map(value) | map(it + \"a\") | distinct | map(it) | map(it) | run\n",
        ));
        assert!(py.contains(".map(gearc_line_6_steps)"), "{py}");
        assert!(py.contains(".map(gearc_line_6_steps_4)"), "{py}");
        // A string that reads like a definition defines nothing.
        let py = python(concat!(
            "keys(\"a:*\") | map(\"def gearc_line_2_steps(\") | register\n",
            "keys(\"n:*\") | map(value) | map(it + \"a\") | run\n",
        ));
        assert!(py.contains(".map(gearc_line_2_steps)"), "{py}");
    }

    #[test]
    fn a_function_is_not_named_like_a_global_defined_after_it() {
        // Two runs on line 1 (`gearc_line_1_steps`, then `_2` when free), and below them
        // a global of each kind named like the second: the lowering writes the pipeline
        // before it reaches that global, so only the file's globals can tell.
        let pipeline =
            "keys(\"n:*\") | map(value) | map(it + \"a\") | distinct | map(it) | map(it) | run\n";
        for global in [
            "fn gearc_line_1_steps_2(x) = x\n",
            "let gearc_line_1_steps_2 = 1\n",
            "python \"\"\"\ngearc_line_1_steps_2 = 1\n\"\"\"\n",
            "python \"\"\"\ndef gearc_line_1_steps_2(x):\n    return x\n\"\"\"\n",
            "python \"\"\"\nimport gearc_line_1_steps_2\n\"\"\"\n",
            "python \"\"\"\nif True:\n    class gearc_line_1_steps_2: pass\n\"\"\"\n",
        ] {
            let py = python(&format!("{pipeline}{global}"));
            assert_eq!(bound_twice(&py), Vec::<&str>::new(), "{global}{py}");
            assert!(py.contains(".map(gearc_line_1_steps)"), "{py}");
            assert!(py.contains(".map(gearc_line_1_steps_3)"), "{py}");
        }
        // The first run's own name, taken by a later `fn`: the run's name gets a `_`.
        let py = python(&format!("{pipeline}fn gearc_line_1_steps(x) = x\n"));
        assert_eq!(bound_twice(&py), Vec::<&str>::new(), "{py}");
        assert!(py.contains("def gearc_line_1_steps(x): return x"), "{py}");
        assert!(py.contains(".map(gearc_line_1_steps_)"), "{py}");
        assert!(py.contains(".map(gearc_line_1_steps__2)"), "{py}");
        // Two later globals take `_2` and `_3`: the second run goes on to `_4`.
        let py = python(&format!(
            "{pipeline}fn gearc_line_1_steps_2(x) = x\nlet gearc_line_1_steps_3 = 1\n"
        ));
        assert_eq!(bound_twice(&py), Vec::<&str>::new(), "{py}");
        assert!(py.contains(".map(gearc_line_1_steps_4)"), "{py}");
    }
}
