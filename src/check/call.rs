//! Calls (language.md section 5): arguments, `fn`s, Python functions, builtins, and
//! names that are not functions at all.

use super::args;
use super::builtins;
use super::error::CheckError;
use super::report::plural;
use super::scope::{FnBody, Global, GlobalDef, Scope};
use super::suggest;
use super::Checker;
use crate::ir::{TArg, TExpr, TExprKind, Type};
use crate::syntax::ast::{self, Arg, ExprKind};
use crate::syntax::Span;

impl Checker<'_> {
    /// Types the arguments of a call. `no_spread` names a callee that takes a fixed
    /// number of parameters, where `...spread` cannot work.
    pub(super) fn call_args(
        &mut self,
        args: &[Arg],
        scope: &Scope,
        no_spread: Option<&str>,
    ) -> Vec<TArg> {
        args.iter()
            .map(|a| match a {
                Arg::Positional(e) => TArg::Positional(self.expr(e, scope)),
                Arg::Named { name, value } => {
                    TArg::Named(name.name.clone(), self.expr(value, scope))
                }
                Arg::Spread { value, span } => {
                    let value = self.expr(value, scope);
                    if let Some(callee) = no_spread {
                        self.error(CheckError::SpreadNotAllowed {
                            callee: callee.to_string(),
                            span: *span,
                        });
                    } else if value.ty.element().is_none() {
                        self.type_error("a spread value", "a list", &value);
                    }
                    TArg::Spread(value)
                }
            })
            .collect()
    }

    pub(super) fn call(
        &mut self,
        callee: &ast::Expr,
        args: &[Arg],
        span: Span,
        scope: &Scope,
    ) -> TExpr {
        let ExprKind::Name(name) = &callee.kind else {
            let callee = self.expr(callee, scope);
            if !callee.ty.is_any() {
                self.type_error("a called value", "a function", &callee);
            }
            let args = self.call_args(args, scope, None);
            let kind = TExprKind::CallValue {
                callee: Box::new(callee),
                args,
            };
            return TExpr {
                kind,
                ty: Type::Any,
                span,
            };
        };
        let shadowed = scope
            .record
            .as_ref()
            .is_some_and(|r| r.field(name).is_some())
            || scope.local(name).is_some();
        if !shadowed {
            if let Some(def) = self.globals.get(name).cloned() {
                return self.call_global(name, &def, callee.span, args, span, scope);
            }
            if let Some(sig) = builtins::lookup(name) {
                return self.call_builtin(name, sig, args, span, scope);
            }
            {
                // Also inside an operation over records: `lenght(value)` is a call of a
                // function that does not exist, not a read of a field called `lenght`.
                self.unknown_function(name, callee.span, scope);
                let args = self.call_args(args, scope, None);
                let kind = TExprKind::CallFunction {
                    name: name.as_str().into(),
                    args,
                    gear_fn: false,
                };
                return TExpr {
                    kind,
                    ty: Type::Any,
                    span,
                };
            }
        }
        let callee = self.expr(callee, scope);
        let args = self.call_args(args, scope, None);
        let kind = TExprKind::CallValue {
            callee: Box::new(callee),
            args,
        };
        TExpr {
            kind,
            ty: Type::Any,
            span,
        }
    }

    fn unknown_function(&mut self, name: &str, span: Span, scope: &Scope) {
        // The globals are offered by `nearest_name`, indexed once per file.
        let mut candidates: Vec<&str> = builtins::NAMES.to_vec();
        candidates.extend(scope.locals.iter().map(|(n, _)| n.as_str()));
        let help = self
            .python_only_help(name)
            .or_else(|| {
                self.nearest_name(name, candidates.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
            })
            .unwrap_or_else(|| {
                "define it with `fn NAME(…) = …` or in a `python \"\"\"…\"\"\"` block".to_string()
            });
        self.error(CheckError::UnknownFunction {
            name: name.to_string(),
            span,
            help,
        });
    }

    fn call_global(
        &mut self,
        name: &str,
        def: &GlobalDef,
        name_span: Span,
        args: &[Arg],
        span: Span,
        scope: &Scope,
    ) -> TExpr {
        let global = &def.global;
        let fixed_arity = !matches!(global, Global::PythonFn { .. } | Global::PythonConst);
        let targs = self.call_args(args, scope, fixed_arity.then_some(name));
        let has_spread = targs.iter().any(|a| matches!(a, TArg::Spread(_)));
        let ty = match global {
            Global::Fn { body } => {
                let params = &*self.fn_params(body);
                let positional = targs
                    .iter()
                    .filter(|a| matches!(a, TArg::Positional(_)))
                    .count();
                let named: Vec<&String> = targs
                    .iter()
                    .filter_map(|a| match a {
                        TArg::Named(n, _) => Some(n),
                        _ => None,
                    })
                    .collect();
                for (n, a) in targs.iter().filter_map(|a| match a {
                    TArg::Named(n, e) => Some((n, e)),
                    _ => None,
                }) {
                    if !params.contains(n) {
                        self.error(CheckError::UnknownArgument {
                            name: n.clone(),
                            callee: name.to_string(),
                            span: a.span,
                            help: suggest::did_you_mean(
                                n,
                                &params.iter().map(String::as_str).collect::<Vec<_>>(),
                            ),
                        });
                    }
                }
                if has_spread {
                    // Already reported as `spread_not_allowed`: the count is unknown.
                    Type::Any
                } else if positional + named.len() != params.len() {
                    self.error(CheckError::ArgumentCount {
                        callee: name.to_string(),
                        expected: plural(params.len(), "argument"),
                        found: (positional + named.len()).to_string(),
                        span,
                        help: Some(format!("`{name}({})`", params.join(", "))),
                    });
                    Type::Any
                } else {
                    let arg_types = targs.iter().map(|a| a.expr().ty.clone()).collect();
                    self.fn_result(name, def.order, params, body, arg_types)
                }
            }
            Global::PythonFn {
                min_arity,
                max_arity,
            } => {
                let n = targs.len();
                let too_few = n < *min_arity && !has_spread;
                let too_many = max_arity.is_some_and(|m| n > m);
                if too_few || too_many {
                    let expected = match max_arity {
                        Some(m) if m == min_arity => plural(*m, "argument"),
                        Some(m) => format!("{min_arity} to {m} arguments"),
                        None => format!("at least {}", plural(*min_arity, "argument")),
                    };
                    self.error(CheckError::ArgumentCount {
                        callee: name.to_string(),
                        expected,
                        found: n.to_string(),
                        span,
                        help: Some("see its `def` in the python block".to_string()),
                    });
                }
                Type::Any
            }
            Global::Const { ty, .. } => {
                if !ty.is_any() {
                    self.error(CheckError::ArgumentType {
                        what: format!("`{name}`"),
                        expected: "a function to be called".to_string(),
                        found: ty.to_string(),
                        span: name_span,
                        help: None,
                    });
                }
                Type::Any
            }
            Global::PythonConst => Type::Any,
        };
        let kind = TExprKind::CallFunction {
            name: name.into(),
            args: targs,
            gear_fn: matches!(global, Global::Fn { .. }),
        };
        TExpr { kind, ty, span }
    }

    /// The result type of `fn` `name`, defined by item `order`, for these argument
    /// types: its body re-checked with them, silently (its own mistakes were reported
    /// at its definition).
    pub(super) fn fn_result(
        &mut self,
        name: &str,
        order: usize,
        params: &[String],
        body: &FnBody,
        arg_types: Vec<Type>,
    ) -> Type {
        let key = (order, arg_types.clone().into_boxed_slice());
        if let Some(t) = self.fn_results.get(&key) {
            return t.clone();
        }
        if self.in_progress.iter().any(|n| n == name) || self.in_progress.len() > 32 {
            return Type::Any;
        }
        let Some(body) = self.fn_body(body) else {
            // Its syntax error is reported at its item; other calls need not parse it again.
            let _ = self.fn_results.insert(key, Type::Any);
            return Type::Any;
        };
        self.in_progress.push(name.to_string());
        let saved = std::mem::take(&mut self.diags);
        let locals = params.iter().cloned().zip(arg_types).collect();
        let body = self.expr(&body, &Scope::params(locals));
        let failed = self.diags.iter().any(|d| !d.is_warning());
        self.diags = saved;
        self.in_progress.pop();
        let ty = if failed { Type::Any } else { body.ty };
        // Not there: looked up above, and a call of this `fn` in its own body gives
        // `Any` without an entry (`in_progress`).
        let _ = self.fn_results.insert(key, ty.clone());
        ty
    }

    fn call_builtin(
        &mut self,
        name: &str,
        sig: builtins::Signature,
        args: &[Arg],
        span: Span,
        scope: &Scope,
    ) -> TExpr {
        let builtin = sig.builtin;
        let targs: Vec<TArg> = if sig.variadic {
            let targs = self.call_args(args, scope, None);
            for a in &targs {
                if let TArg::Named(n, e) = a {
                    self.error(CheckError::UnknownArgument {
                        name: n.clone(),
                        callee: name.to_string(),
                        span: e.span,
                        help: format!("`{name}` takes positional arguments only"),
                    });
                }
            }
            targs
        } else {
            // Bind by parameter name, then keep the user's order for evaluation.
            let bound = args::bind(name, span, sig.params, args, &mut self.diags);
            sig.params
                .iter()
                .filter_map(|p| bound.get(p.name).map(|e| (p, e)))
                .map(|(p, e)| {
                    let t = self.expr(e, scope);
                    if p.positional {
                        TArg::Positional(t)
                    } else {
                        TArg::Named(p.name.to_string(), t)
                    }
                })
                .collect()
        };
        let ty = self.builtin_type(name, builtin, &targs, span);
        let kind = TExprKind::CallBuiltin {
            builtin,
            args: targs,
        };
        TExpr { kind, ty, span }
    }
}
