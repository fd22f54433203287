//! Typing expressions (language.md section 5): literals, names, operators, lambdas,
//! indexing and slicing. Calls are in `call.rs`, builtins in `builtins.rs`, fields and
//! methods in `methods.rs`, operator rules in `operators.rs`.
//!
//! A mistake is reported once and the expression gets type `any`, so that one
//! error does not cascade into many.

use super::builtins;
use super::error::CheckError;
use super::operators::{binary_type, operator_help};
use super::report::join_all;
use super::scope::{Global, Scope};
use super::suggest;
use super::Checker;
use crate::ir::{FStrPart, TExpr, TExprKind, Type};
use crate::syntax::ast::{self, ExprKind, UnaryOp};
use crate::syntax::Span;

impl Checker<'_> {
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
                    self.error(CheckError::ItOutsideOperation {
                        span: e.span,
                        help: if scope.locals.is_empty() {
                            "`it` is the record flowing through a pipeline stage such as `map(…)`"
                                .to_string()
                        } else {
                            "inside a lambda or `fn`, use its parameters".to_string()
                        },
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
                            help: operator_help(*op, &lhs, &rhs),
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
                let kind = TExprKind::Lambda { params, body };
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
                let args = self.call_args(args, scope, None);
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
    ) -> (Vec<String>, Box<TExpr>) {
        let names = params.iter().map(|(n, _)| n.clone()).collect();
        let mut locals = outer.locals.clone();
        locals.extend(params);
        let scope = Scope {
            record: None,
            locals,
            defined_before: outer.defined_before,
        };
        (names, Box::new(self.expr(body, &scope)))
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
            self.error(CheckError::BuiltinNotCalled {
                name: name.to_string(),
                span,
            });
        } else {
            self.unknown_name(name, span, scope);
        }
        make(TExprKind::Global(name.to_string()), Type::Any)
    }

    fn unknown_name(&mut self, name: &str, span: Span, scope: &Scope) {
        if let Some(gear) = python_constant(name) {
            self.error(CheckError::UnknownName {
                name: name.to_string(),
                span,
                help: Some(format!("Gear writes `{gear}` in lower case")),
            });
            return;
        }
        // The globals are offered by `nearest_name`, indexed once per file.
        let mut candidates: Vec<&str> = scope.locals.iter().map(|(n, _)| n.as_str()).collect();
        candidates.extend(builtins::NAMES);
        if let Some(Type::Record(fields)) = &scope.record {
            candidates.extend(fields.iter().map(|f| f.name.as_str()));
            let record = scope.record.clone().unwrap_or(Type::Any);
            let help = if (name == "value" || name == "type") && record.field("event").is_some() {
                Some("`keys(read_value = false)` records hold only `key` and `event`: drop `read_value = false` to read values".to_string())
            } else {
                self.python_only_help(name).or_else(|| {
                    self.nearest_name(name, candidates.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                })
            };
            let help = help.unwrap_or_else(|| {
                "a bare name is a field of the record, a parameter, or a `let`, `fn` or \
                 Python-block name of the file"
                    .to_string()
            });
            self.error(CheckError::UnknownField {
                name: name.to_string(),
                record: record.to_string(),
                span,
                help: Some(help),
            });
            return;
        }
        if let Some(help) = self.python_only_help(name) {
            self.error(CheckError::UnknownName {
                name: name.to_string(),
                span,
                help: Some(help),
            });
            return;
        }
        let help = match &scope.record {
            Some(t) if !t.is_any() && ["key", "value", "id", "type", "event"].contains(&name) => {
                Some(format!(
                    "the records here are `{t}`, not records with fields: use `it` for the record itself"
                ))
            }
            _ => self.nearest_name(name, candidates.iter().copied())
                .map(|s| format!("did you mean `{s}`?")),
        };
        let help = help.unwrap_or_else(|| {
            "a name is `it`, a parameter, or a `let`, `fn` or Python-block name of the file"
                .to_string()
        });
        self.error(CheckError::UnknownName {
            name: name.to_string(),
            span,
            help: Some(help),
        });
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
            Type::Record(fields) => match &index.kind {
                TExprKind::Str(name) => match target.ty.field(name) {
                    Some(f) => f.ty.clone(),
                    None => {
                        let fields: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                        self.error(CheckError::UnknownField {
                            name: name.clone(),
                            record: target.ty.to_string(),
                            span: index.span,
                            help: Some(suggest::did_you_mean(name, &fields)),
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
}

/// Python's constants, which Gear spells in lower case.
fn python_constant(name: &str) -> Option<&'static str> {
    match name {
        "None" => Some("none"),
        "True" => Some("true"),
        "False" => Some("false"),
        _ => None,
    }
}
