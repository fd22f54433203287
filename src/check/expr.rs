//! Typing expressions (language.md section 5): names, operators, calls, methods.
//!
//! A mistake is reported once and the expression gets type `any`, so that one
//! error does not cascade into many.

use super::args;
use super::builtins::{self, DICT_METHODS, LIST_METHODS, STR_METHODS};
use super::error::CheckError;
use super::scope::{Global, Scope};
use super::suggest;
use super::Checker;
use crate::ir::{Builtin, FStrPart, LogLevel, TArg, TExpr, TExprKind, Type};
use crate::syntax::ast::{self, Arg, BinaryOp, ExprKind, UnaryOp};
use crate::syntax::Span;

impl Checker {
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> TExpr {
        let (kind, ty) = match &e.kind {
            ExprKind::Int(i) => (TExprKind::Int(*i), Type::Int),
            ExprKind::Float(f) => (TExprKind::Float(*f), Type::Float),
            ExprKind::Str(s) => (TExprKind::Str(s.clone()), Type::Str),
            ExprKind::Bool(b) => (TExprKind::Bool(*b), Type::Bool),
            ExprKind::None => (TExprKind::None, Type::None),
            ExprKind::FStr(parts) => {
                let parts: Vec<FStrPart> = parts
                    .iter()
                    .map(|p| match p {
                        ast::FStrPart::Text(t) => FStrPart::Text(t.clone()),
                        ast::FStrPart::Expr(e) => FStrPart::Expr(self.expr(e, scope)),
                    })
                    .collect();
                self.warn_bare_hashtags(&parts);
                (TExprKind::FStr(parts), Type::Str)
            }
            ExprKind::It => match &scope.record {
                Some(record) => (TExprKind::Record, record.clone()),
                None => {
                    self.error(CheckError::InvalidUse {
                        what: "`it` is only defined inside an operation".to_string(),
                        span: e.span,
                        label: "no current record here".to_string(),
                        help: Some(if scope.locals.is_empty() {
                            "`it` is the record flowing through a pipeline stage such as `map(…)`"
                                .to_string()
                        } else {
                            "inside a lambda or `fn`, use its parameters".to_string()
                        }),
                    });
                    (TExprKind::Record, Type::Any)
                }
            },
            ExprKind::Name(name) => return self.name(name, e.span, scope),
            ExprKind::List(items) => {
                let items: Vec<TExpr> = items.iter().map(|i| self.expr(i, scope)).collect();
                let elem = join_all(items.iter().map(|i| &i.ty));
                (TExprKind::List(items), Type::list(elem))
            }
            ExprKind::Dict(entries) => {
                let entries: Vec<(TExpr, TExpr)> = entries
                    .iter()
                    .map(|(k, v)| (self.expr(k, scope), self.expr(v, scope)))
                    .collect();
                for (k, _) in &entries {
                    if !k.ty.is_hashable() {
                        self.type_error("a dict key", "hashable (not a list, dict or record)", k);
                    }
                }
                let key = join_all(entries.iter().map(|(k, _)| &k.ty));
                let value = join_all(entries.iter().map(|(_, v)| &v.ty));
                (TExprKind::Dict(entries), Type::dict(key, value))
            }
            ExprKind::Unary {
                op,
                op_span,
                operand,
            } => {
                let operand = self.expr(operand, scope);
                let ty = match op {
                    UnaryOp::Not => Type::Bool,
                    UnaryOp::Neg if operand.ty.may_be_numeric() => match operand.ty {
                        Type::Bool => Type::Int,
                        ref t => t.clone(),
                    },
                    UnaryOp::Neg => {
                        self.error(CheckError::OperatorType {
                            op: "unary -".to_string(),
                            lhs: "nothing".to_string(),
                            rhs: operand.ty.to_string(),
                            span: op_span.to(operand.span),
                            help: Some("`-` negates numbers only".to_string()),
                        });
                        Type::Any
                    }
                };
                let kind = TExprKind::Unary {
                    op: *op,
                    operand: Box::new(operand),
                };
                (kind, ty)
            }
            ExprKind::Binary { op, lhs, rhs, .. } => {
                let lhs = self.expr(lhs, scope);
                let rhs = self.expr(rhs, scope);
                let ty = match binary_type(*op, &lhs.ty, &rhs.ty) {
                    Some(t) => t,
                    None => {
                        self.error(CheckError::OperatorType {
                            op: op.symbol().to_string(),
                            lhs: lhs.ty.to_string(),
                            rhs: rhs.ty.to_string(),
                            span: e.span,
                            help: operator_help(*op, &lhs.ty, &rhs.ty),
                        });
                        Type::Any
                    }
                };
                let kind = TExprKind::Binary {
                    op: *op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                };
                (kind, ty)
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.expr(cond, scope);
                let then = self.expr(then, scope);
                let otherwise = self.expr(otherwise, scope);
                let ty = then.ty.join(&otherwise.ty);
                let kind = TExprKind::If {
                    cond: Box::new(cond),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                };
                (kind, ty)
            }
            ExprKind::Lambda { params, body } => {
                let params: Vec<(String, Type)> =
                    params.iter().map(|p| (p.name.clone(), Type::Any)).collect();
                let (params, body) = self.lambda_body(params, body, scope);
                let kind = TExprKind::Lambda {
                    params,
                    body: Box::new(body),
                };
                (kind, Type::Any)
            }
            ExprKind::Call { callee, args } => return self.call(callee, args, e.span, scope),
            ExprKind::Field { target, name } => {
                let target = self.expr(target, scope);
                let ty = self.member_type(&target.ty, name);
                let kind = TExprKind::Member {
                    target: Box::new(target),
                    name: name.name.clone(),
                };
                (kind, ty)
            }
            ExprKind::Method { target, name, args } => {
                let target = self.expr(target, scope);
                let args = self.call_args(args, scope, true);
                let ty = self.method_type(&target.ty, name, &args, e.span);
                let kind = TExprKind::Method {
                    target: Box::new(target),
                    name: name.name.clone(),
                    args,
                };
                (kind, ty)
            }
            ExprKind::Index { target, index } => {
                let target = self.expr(target, scope);
                let index = self.expr(index, scope);
                let ty = self.index_type(&target, &index);
                let kind = TExprKind::Index {
                    target: Box::new(target),
                    index: Box::new(index),
                };
                (kind, ty)
            }
            ExprKind::Slice { target, start, end } => {
                let target = self.expr(target, scope);
                let bound = |b: &Option<Box<ast::Expr>>, me: &mut Self| {
                    b.as_ref().map(|b| {
                        let b = me.expr(b, scope);
                        me.expect(&b, &Type::Int, "a slice bound");
                        Box::new(b)
                    })
                };
                let start = bound(start, self);
                let end = bound(end, self);
                let ty = match &target.ty {
                    Type::Str => Type::Str,
                    Type::List(t) => Type::List(t.clone()),
                    Type::Any => Type::Any,
                    _ => {
                        self.type_error("a sliced value", "a str or a list", &target);
                        Type::Any
                    }
                };
                let kind = TExprKind::Slice {
                    target: Box::new(target),
                    start,
                    end,
                };
                (kind, ty)
            }
        };
        TExpr {
            kind,
            ty,
            span: e.span,
        }
    }

    /// The body of a lambda or `fn`: its parameters, then globals; the record is not in scope.
    pub(super) fn lambda_body(
        &mut self,
        params: Vec<(String, Type)>,
        body: &ast::Expr,
        outer: &Scope,
    ) -> (Vec<String>, TExpr) {
        let names = params.iter().map(|(n, _)| n.clone()).collect();
        let mut locals = outer.locals.clone();
        locals.extend(params);
        let scope = Scope {
            record: None,
            locals,
            defined_before: outer.defined_before,
        };
        (names, self.expr(body, &scope))
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope) -> TExpr {
        let make = |kind, ty| TExpr { kind, ty, span };
        if let Some(field) = scope.record.as_ref().and_then(|r| r.field(name)) {
            return make(TExprKind::RecordField(name.to_string()), field.ty.clone());
        }
        if let Some(ty) = scope.local(name) {
            return make(TExprKind::Local(name.to_string()), ty.clone());
        }
        if let Some(def) = self.globals.get(name).cloned() {
            if let Some(before) = scope.defined_before {
                if def.order >= before {
                    self.error(CheckError::DefinedLater {
                        name: name.to_string(),
                        span,
                        definition: def.span,
                    });
                }
            }
            let ty = match &def.global {
                Global::Const { ty, .. } => ty.clone(),
                _ => Type::Any,
            };
            return make(TExprKind::Global(name.to_string()), ty);
        }
        if builtins::lookup(name).is_some() {
            self.error(CheckError::InvalidUse {
                what: format!("the builtin `{name}` can only be called"),
                span,
                label: "not called".to_string(),
                help: Some(format!("call it: `{name}(…)`")),
            });
        } else {
            self.unknown_name(name, span, scope);
        }
        make(TExprKind::Global(name.to_string()), Type::Any)
    }

    fn unknown_name(&mut self, name: &str, span: Span, scope: &Scope) {
        let mut candidates: Vec<&str> = self.globals.defs.keys().map(String::as_str).collect();
        candidates.extend(scope.locals.iter().map(|(n, _)| n.as_str()));
        candidates.extend(builtins::NAMES);
        if let Some(Type::Record(fields)) = &scope.record {
            candidates.extend(fields.iter().map(|f| f.name.as_str()));
            let record = scope.record.clone().unwrap_or(Type::Any);
            let help = if (name == "value" || name == "type") && record.field("event").is_some() {
                Some("`keys(read_value = false)` records hold only `key` and `event`: drop `read_value = false` to read values".to_string())
            } else {
                suggest::nearest(name, candidates.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
            };
            self.error(CheckError::UnknownField {
                name: name.to_string(),
                record: record.to_string(),
                span,
                help,
            });
            return;
        }
        let help = match &scope.record {
            Some(t) if !t.is_any() && ["key", "value", "id", "type", "event"].contains(&name) => {
                Some(format!(
                    "the records here are `{t}`, not records with fields: use `it` for the record itself"
                ))
            }
            _ => suggest::nearest(name, candidates.iter().copied())
                .map(|s| format!("did you mean `{s}`?")),
        };
        self.error(CheckError::UnknownName {
            name: name.to_string(),
            span,
            help,
        });
    }

    pub(super) fn call_args(&mut self, args: &[Arg], scope: &Scope, spread_ok: bool) -> Vec<TArg> {
        args.iter()
            .map(|a| match a {
                Arg::Positional(e) => TArg::Positional(self.expr(e, scope)),
                Arg::Named { name, value } => TArg::Named(name.name.clone(), self.expr(value, scope)),
                Arg::Spread { value, span } => {
                    let value = self.expr(value, scope);
                    if !spread_ok {
                        self.error(CheckError::InvalidUse {
                            what: "`...` spreads a list into the arguments of a variadic call".to_string(),
                            span: *span,
                            label: "not allowed here".to_string(),
                            help: Some("spread works for `execute`, `min`, `max`, `range` and Python functions".to_string()),
                        });
                    } else if value.ty.element().is_none() {
                        self.type_error("a spread value", "a list", &value);
                    }
                    TArg::Spread(value)
                }
            })
            .collect()
    }

    fn call(&mut self, callee: &ast::Expr, args: &[Arg], span: Span, scope: &Scope) -> TExpr {
        let ExprKind::Name(name) = &callee.kind else {
            let callee = self.expr(callee, scope);
            if !callee.ty.is_any() {
                self.type_error("a called value", "a function", &callee);
            }
            let args = self.call_args(args, scope, true);
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
                return self.call_global(name, &def.global, callee.span, args, span, scope);
            }
            if let Some(sig) = builtins::lookup(name) {
                return self.call_builtin(name, sig, args, span, scope);
            }
            if !matches!(scope.record, Some(Type::Record(_))) {
                self.unknown_function(name, callee.span, scope);
                let args = self.call_args(args, scope, true);
                let kind = TExprKind::CallFunction {
                    name: name.clone(),
                    args,
                };
                return TExpr {
                    kind,
                    ty: Type::Any,
                    span,
                };
            }
        }
        let callee = self.expr(callee, scope);
        let args = self.call_args(args, scope, true);
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
        let mut candidates: Vec<&str> = self.globals.defs.keys().map(String::as_str).collect();
        candidates.extend(builtins::NAMES);
        candidates.extend(scope.locals.iter().map(|(n, _)| n.as_str()));
        let help = suggest::nearest(name, candidates.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| {
                Some(
                    "define it with `fn NAME(…) = …` or in a `python \"\"\"…\"\"\"` block"
                        .to_string(),
                )
            });
        self.error(CheckError::UnknownName {
            name: name.to_string(),
            span,
            help,
        });
    }

    fn call_global(
        &mut self,
        name: &str,
        global: &Global,
        name_span: Span,
        args: &[Arg],
        span: Span,
        scope: &Scope,
    ) -> TExpr {
        let spread_ok = matches!(global, Global::PythonFn { .. } | Global::PythonConst);
        let targs = self.call_args(args, scope, spread_ok);
        let has_spread = targs.iter().any(|a| matches!(a, TArg::Spread(_)));
        let ty = match global {
            Global::Fn { params, body } => {
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
                if positional + named.len() != params.len() {
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
                    self.fn_result(name, params, body, arg_types)
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
            name: name.to_string(),
            args: targs,
        };
        TExpr { kind, ty, span }
    }

    /// The result type of a `fn` for these argument types: its body re-checked
    /// with them, silently (its own mistakes were reported at its definition).
    pub(super) fn fn_result(
        &mut self,
        name: &str,
        params: &[String],
        body: &ast::Expr,
        arg_types: Vec<Type>,
    ) -> Type {
        let key = (
            name.to_string(),
            arg_types.iter().map(Type::to_string).collect::<Vec<_>>(),
        );
        if let Some(t) = self.fn_results.get(&key) {
            return t.clone();
        }
        if self.in_progress.iter().any(|n| n == name) || self.in_progress.len() > 32 {
            return Type::Any;
        }
        self.in_progress.push(name.to_string());
        let saved = std::mem::take(&mut self.diags);
        let locals = params.iter().cloned().zip(arg_types).collect();
        let body = self.expr(body, &Scope::params(locals));
        let failed = self.diags.iter().any(|d| !d.is_warning());
        self.diags = saved;
        self.in_progress.pop();
        let ty = if failed { Type::Any } else { body.ty };
        self.fn_results.insert(key, ty.clone());
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
            let targs = self.call_args(args, scope, true);
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

    fn builtin_type(&mut self, name: &str, builtin: Builtin, args: &[TArg], span: Span) -> Type {
        let first = args.first().map(TArg::expr);
        let scalar = [Type::Int, Type::Float, Type::Str, Type::Bool];
        let arg_count = |me: &mut Self, min: usize, max: Option<usize>| {
            let spread = args.iter().any(|a| matches!(a, TArg::Spread(_)));
            let n = args.len();
            if (n < min && !spread) || max.is_some_and(|m| n > m) {
                me.error(CheckError::ArgumentCount {
                    callee: name.to_string(),
                    expected: match max {
                        Some(m) if m == min => plural(m, "argument"),
                        Some(m) => format!("{min} to {m} arguments"),
                        None => format!("at least {}", plural(min, "argument")),
                    },
                    found: n.to_string(),
                    span,
                    help: None,
                });
                false
            } else {
                true
            }
        };
        match builtin {
            Builtin::Int | Builtin::Float => {
                if let Some(x) = first {
                    if !scalar.iter().any(|t| x.ty.fits(t)) {
                        self.type_error(
                            &format!("the argument of `{name}`"),
                            "a number or a str",
                            x,
                        );
                    }
                }
                if builtin == Builtin::Int {
                    Type::Int
                } else {
                    Type::Float
                }
            }
            Builtin::Str => Type::Str,
            Builtin::Bool => Type::Bool,
            Builtin::Len => {
                if let Some(x) = first {
                    if !x.ty.is_sized() {
                        self.type_error("the argument of `len`", "a str, list, set or dict", x);
                    }
                }
                Type::Int
            }
            Builtin::Abs | Builtin::Round => {
                let Some(x) = first else { return Type::Any };
                if !x.ty.may_be_numeric() {
                    self.type_error(&format!("the argument of `{name}`"), "a number", x);
                    return Type::Any;
                }
                if let Some(n) = args.get(1) {
                    self.expect(n.expr(), &Type::Int, "the digits of `round`");
                }
                match (builtin, &x.ty, args.len()) {
                    (Builtin::Round, Type::Float, 1) => Type::Int,
                    (_, Type::Bool, _) => Type::Int,
                    (_, t, _) => t.clone(),
                }
            }
            Builtin::Min | Builtin::Max => {
                if !arg_count(self, 1, None) {
                    return Type::Any;
                }
                if let [TArg::Positional(only)] = args {
                    return match only.ty.element() {
                        Some(t) => t,
                        None => {
                            self.type_error(
                                &format!("the argument of `{name}`"),
                                "a list, or several values",
                                only,
                            );
                            Type::Any
                        }
                    };
                }
                let types: Vec<&Type> = args
                    .iter()
                    .map(|a| match a {
                        TArg::Spread(e) => &e.ty,
                        a => &a.expr().ty,
                    })
                    .collect();
                join_all(types.into_iter())
            }
            Builtin::Sum => {
                let Some(xs) = first else { return Type::Any };
                match xs.ty.element() {
                    Some(t) if t.may_be_numeric() => match t {
                        Type::Bool => Type::Int,
                        t => t,
                    },
                    _ => {
                        self.type_error("the argument of `sum`", "a list of numbers", xs);
                        Type::Any
                    }
                }
            }
            Builtin::Sorted | Builtin::List | Builtin::Set => {
                let Some(xs) = first else { return Type::Any };
                let Some(elem) = xs.ty.element() else {
                    self.type_error(
                        &format!("the argument of `{name}`"),
                        "a list, set, dict or str",
                        xs,
                    );
                    return Type::Any;
                };
                if let Some(TArg::Named(_, r)) = args.get(1) {
                    self.expect(r, &Type::Bool, "`reverse`");
                }
                match builtin {
                    Builtin::Sorted if !elem.is_orderable() => {
                        self.type_error(
                            "the elements given to `sorted`",
                            "orderable (numbers or strings)",
                            xs,
                        );
                        Type::list(elem)
                    }
                    Builtin::Set if !elem.is_hashable() => {
                        self.type_error(
                            "the elements given to `set`",
                            "hashable (not lists, dicts or records)",
                            xs,
                        );
                        Type::Set(Box::new(elem))
                    }
                    Builtin::Set => Type::Set(Box::new(elem)),
                    _ => Type::list(elem),
                }
            }
            Builtin::Range => {
                if arg_count(self, 1, Some(3)) {
                    for a in args {
                        if let TArg::Positional(e) = a {
                            self.expect(e, &Type::Int, "an argument of `range`");
                        }
                    }
                }
                Type::list(Type::Int)
            }
            Builtin::Pairs => {
                if let Some(d) = first {
                    if !matches!(d.ty, Type::Dict(..) | Type::Record(_) | Type::Any) {
                        self.type_error("the argument of `pairs`", "a dict or a record", d);
                    }
                }
                Type::list(Type::Any)
            }
            Builtin::Json => Type::Str,
            Builtin::ParseJson => {
                if let Some(s) = first {
                    self.expect(s, &Type::Str, "the argument of `parse_json`");
                }
                Type::Any
            }
            Builtin::Execute => {
                if arg_count(self, 1, None) {
                    if let Some(TArg::Positional(cmd)) = args.first() {
                        self.expect(cmd, &Type::Str, "the command of `execute`");
                    }
                }
                Type::Any
            }
            Builtin::Log => {
                if let Some(m) = first {
                    self.expect(m, &Type::Str, "the message of `log`");
                }
                if let Some(level) = args.get(1).map(TArg::expr) {
                    self.expect(level, &Type::Str, "the level of `log`");
                    if let TExprKind::Str(word) = &level.kind {
                        self.word::<LogLevel>(word, level.span);
                    }
                }
                Type::None
            }
            Builtin::ConfigGet | Builtin::GearsConfigGet => {
                if let Some(k) = first {
                    self.expect(k, &Type::Str, "a configuration key");
                }
                Type::Any
            }
            Builtin::Hashtag => Type::Str,
            Builtin::Time => Type::Float,
        }
    }

    fn member_type(&mut self, target: &Type, name: &ast::Ident) -> Type {
        match target {
            Type::Record(fields) => match target.field(&name.name) {
                Some(f) => f.ty.clone(),
                None => {
                    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                    self.error(CheckError::UnknownField {
                        name: name.name.clone(),
                        record: target.to_string(),
                        span: name.span,
                        help: Some(suggest::did_you_mean(&name.name, &names)),
                    });
                    Type::Any
                }
            },
            Type::Dict(k, v) if Type::Str.fits(k) => (**v).clone(),
            Type::Any => Type::Any,
            other => {
                self.error(CheckError::InvalidUse {
                    what: format!("`{other}` has no fields"),
                    span: name.span,
                    label: format!("`.{}` on a `{other}`", name.name),
                    help: Some(
                        if matches!(other, Type::Str | Type::List(_) | Type::Dict(..)) {
                            "a method needs parentheses: `.name(…)`".to_string()
                        } else {
                            "`.name` reads a field of a record or a dict".to_string()
                        },
                    ),
                });
                Type::Any
            }
        }
    }

    /// The result type of `target.name(args)`.
    fn method_type(&mut self, target: &Type, name: &ast::Ident, args: &[TArg], span: Span) -> Type {
        let n = args.len();
        let m = name.name.as_str();
        let arity = |me: &mut Self, min: usize, max: usize| {
            if n < min || n > max {
                me.error(CheckError::ArgumentCount {
                    callee: format!(".{m}"),
                    expected: if min == max {
                        plural(min, "argument")
                    } else {
                        format!("{min} to {max} arguments")
                    },
                    found: n.to_string(),
                    span,
                    help: None,
                });
            }
        };
        let (known, result): (&[&str], Option<Type>) = match target {
            Type::Any => return Type::Any,
            Type::Str => (
                STR_METHODS,
                match m {
                    "split" | "rsplit" => {
                        arity(self, 0, 2);
                        Some(Type::list(Type::Str))
                    }
                    "lower" | "upper" | "isdigit" => {
                        arity(self, 0, 0);
                        Some(if m == "isdigit" {
                            Type::Bool
                        } else {
                            Type::Str
                        })
                    }
                    "strip" | "lstrip" | "rstrip" => {
                        arity(self, 0, 1);
                        Some(Type::Str)
                    }
                    "startswith" | "endswith" => {
                        arity(self, 1, 3);
                        Some(Type::Bool)
                    }
                    "replace" => {
                        arity(self, 2, 3);
                        Some(Type::Str)
                    }
                    "find" | "rfind" | "count" => {
                        arity(self, 1, 3);
                        Some(Type::Int)
                    }
                    "join" => {
                        arity(self, 1, 1);
                        if let Some(xs) = args.first().map(TArg::expr) {
                            if !xs.ty.element().is_some_and(|e| e.fits(&Type::Str)) {
                                self.type_error("the argument of `.join`", "a list of str", xs);
                            }
                        }
                        Some(Type::Str)
                    }
                    "format" => Some(Type::Str),
                    _ => None,
                },
            ),
            Type::Dict(..) | Type::Record(_) => {
                let (k, v) = match target {
                    Type::Dict(k, v) => ((**k).clone(), (**v).clone()),
                    _ => (Type::Str, Type::Any),
                };
                (
                    DICT_METHODS,
                    match m {
                        "get" => {
                            arity(self, 1, 2);
                            Some(match args.get(1) {
                                Some(d) => v.join(&d.expr().ty),
                                None => v,
                            })
                        }
                        "keys" => {
                            arity(self, 0, 0);
                            Some(Type::list(k))
                        }
                        "values" => {
                            arity(self, 0, 0);
                            Some(Type::list(v))
                        }
                        "items" => {
                            arity(self, 0, 0);
                            Some(Type::list(Type::Any))
                        }
                        _ => None,
                    },
                )
            }
            Type::List(_) => (
                LIST_METHODS,
                match m {
                    "index" | "count" => {
                        arity(self, 1, 1);
                        Some(Type::Int)
                    }
                    _ => None,
                },
            ),
            _ => (&[], None),
        };
        match result {
            Some(t) => t,
            None => {
                self.error(CheckError::UnknownMethod {
                    name: m.to_string(),
                    ty: target.to_string(),
                    span: name.span,
                    help: if known.is_empty() {
                        format!("`{target}` values have no methods in Gear")
                    } else {
                        suggest::did_you_mean(m, known)
                    },
                });
                Type::Any
            }
        }
    }

    fn index_type(&mut self, target: &TExpr, index: &TExpr) -> Type {
        match &target.ty {
            Type::List(t) => {
                self.expect(index, &Type::Int, "a list index");
                (**t).clone()
            }
            Type::Str => {
                self.expect(index, &Type::Int, "a string index");
                Type::Str
            }
            Type::Dict(k, v) => {
                self.expect(index, k, "a dict key");
                (**v).clone()
            }
            Type::Record(_) => match &index.kind {
                TExprKind::Str(name) => match target.ty.field(name) {
                    Some(f) => f.ty.clone(),
                    None => {
                        self.error(CheckError::UnknownField {
                            name: name.clone(),
                            record: target.ty.to_string(),
                            span: index.span,
                            help: None,
                        });
                        Type::Any
                    }
                },
                _ => {
                    self.expect(index, &Type::Str, "a record key");
                    Type::Any
                }
            },
            Type::Any => Type::Any,
            _ => {
                self.type_error("an indexed value", "a list, str or dict", target);
                Type::Any
            }
        }
    }

    /// Reports an `ArgumentType` unless `e` fits `expected`.
    pub(super) fn expect(&mut self, e: &TExpr, expected: &Type, what: &str) -> bool {
        if e.ty.fits(expected) {
            return true;
        }
        self.error(CheckError::ArgumentType {
            what: what.to_string(),
            expected: format!("`{expected}`"),
            found: e.ty.to_string(),
            span: e.span,
            help: conversion_help(&e.ty, expected),
        });
        false
    }

    pub(super) fn type_error(&mut self, what: &str, expected: &str, e: &TExpr) {
        self.error(CheckError::ArgumentType {
            what: what.to_string(),
            expected: expected.to_string(),
            found: e.ty.to_string(),
            span: e.span,
            help: None,
        });
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(super) fn join_all<'a>(mut types: impl Iterator<Item = &'a Type>) -> Type {
    let Some(first) = types.next() else {
        return Type::Any;
    };
    types.fold(first.clone(), |acc, t| acc.join(t))
}

/// The type of `lhs op rhs`, or `None` when Python would raise a TypeError.
pub fn binary_type(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<Type> {
    use Type::{Any, Bool, Dict, Float, Int, List, Record, Set, Str};
    let numeric = |t: &Type| t.is_numeric();
    let number_join = |a: &Type, b: &Type| match a.join(b) {
        Bool => Int,
        t => t,
    };
    match op {
        BinaryOp::Eq | BinaryOp::NotEq => Some(Bool),
        BinaryOp::And | BinaryOp::Or => Some(if lhs == rhs { lhs.clone() } else { Any }),
        BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq => {
            let ok = match (lhs, rhs) {
                (Any, _) | (_, Any) => true,
                (a, b) if numeric(a) && numeric(b) => true,
                (Str, Str) => true,
                (List(a), List(b)) => a.fits(b) || b.fits(a),
                _ => false,
            };
            ok.then_some(Bool)
        }
        BinaryOp::In | BinaryOp::NotIn => {
            let ok = match rhs {
                Any => true,
                Str => lhs.fits(&Str),
                List(_) | Set(_) => true,
                Dict(k, _) => lhs.fits(k),
                Record(_) => lhs.fits(&Str),
                _ => false,
            };
            ok.then_some(Bool)
        }
        BinaryOp::Add => match (lhs, rhs) {
            (Any, _) | (_, Any) => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            (Str, Str) => Some(Str),
            (List(a), List(b)) => Some(Type::list(a.join(b))),
            _ => None,
        },
        BinaryOp::Mul => match (lhs, rhs) {
            (Any, _) | (_, Any) => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            (Str, Int) | (Int, Str) => Some(Str),
            (List(t), Int) | (Int, List(t)) => Some(List(t.clone())),
            _ => None,
        },
        BinaryOp::Mod if matches!(lhs, Str) => Some(Str),
        BinaryOp::Div => (lhs.may_be_numeric() && rhs.may_be_numeric()).then_some(Float),
        BinaryOp::Sub | BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow => match (lhs, rhs) {
            (Any, b) if b.may_be_numeric() => Some(Any),
            (a, Any) if a.may_be_numeric() => Some(Any),
            (a, b) if numeric(a) && numeric(b) => Some(number_join(a, b)),
            _ => None,
        },
    }
}

fn operator_help(op: BinaryOp, lhs: &Type, rhs: &Type) -> Option<String> {
    use Type::{Float, Int, Str};
    match (op, lhs, rhs) {
        (BinaryOp::Add, Str, Int | Float) => Some(
            "convert the number first: `… + str(x)`, or use an f-string `f\"…{x}\"`".to_string(),
        ),
        (BinaryOp::Add, Int | Float, Str) => {
            Some("convert the string first: `… + int(s)` (or `float(s)`)".to_string())
        }
        (BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq, _, _) => {
            Some("only numbers with numbers, and strings with strings, can be ordered".to_string())
        }
        (BinaryOp::In | BinaryOp::NotIn, _, _) => {
            Some("`in` looks into a list, set, dict or str".to_string())
        }
        _ => None,
    }
}

fn conversion_help(found: &Type, expected: &Type) -> Option<String> {
    match (found, expected) {
        (Type::Str, Type::Int) => Some("convert it with `int(…)`".to_string()),
        (Type::Str, Type::Float) => Some("convert it with `float(…)`".to_string()),
        (Type::Int | Type::Float, Type::Str) => Some("convert it with `str(…)`".to_string()),
        _ => None,
    }
}
