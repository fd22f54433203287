//! Stage 2: [`ast::Module`] → typed [`ir::Program`]: name resolution, types,
//! reader/terminal rules, and every diagnostic of language.md section 7.
//!
//! Mistakes are collected, not returned on the first one; the IR is produced only
//! when there are no errors (warnings do not stop compilation).

mod args;
mod builtins;
mod call;
mod callback;
pub mod commands;
mod continuation;
pub mod error;
mod events;
mod expr;
mod hashtag;
mod literals;
mod methods;
mod operations;
mod operators;
mod pipeline;
pub mod python_block;
mod python_syntax;
mod readers;
mod report;
mod retrigger;
mod scope;
pub mod suggest;
mod terminal;

use std::collections::HashMap;

use error::CheckError;
use python_block::PythonName;
use scope::{Global, GlobalDef, Globals, Scope};

use crate::ir::{self, Definition, Type};
use crate::syntax::ast::{self, ItemKind, TerminalKind};
use crate::syntax::Span;

/// What the checker found: the program (when there are no errors) and every diagnostic,
/// warnings included, in source order.
#[derive(Debug)]
pub struct Checked {
    pub program: Option<ir::Program>,
    pub diagnostics: Vec<CheckError>,
}

pub fn check(module: &ast::Module) -> Checked {
    let mut checker = Checker::default();
    checker.collect_globals(module);
    checker.global_names = suggest::GlobalNames::new(checker.globals.defs.keys());
    let program = checker.program(module);
    let has_pipeline = module
        .items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Pipeline(_)));
    // Only for a file that otherwise checks: while it has errors, it is being written.
    if !has_pipeline && checker.diags.iter().all(|d| d.is_warning()) {
        let span = module.items.first().map_or(Span::new(0, 0), |i| i.span);
        checker.error(CheckError::NoPipelines { span });
    }
    let mut diagnostics = checker.diags;
    diagnostics.sort_by_key(|d| (d.span().start, d.span().end));
    diagnostics.dedup();
    let failed = diagnostics.iter().any(|d| !d.is_warning());
    Checked {
        program: if failed { None } else { Some(program) },
        diagnostics,
    }
}

#[derive(Default)]
pub(crate) struct Checker {
    globals: Globals,
    diags: Vec<CheckError>,
    /// Result types of `fn`s per argument types (see `fn_result`).
    fn_results: HashMap<(String, Vec<String>), Type>,
    in_progress: Vec<String>,
    /// Each Python block, dedented, with its names, by item position (scanned once).
    python_blocks: HashMap<usize, (String, Vec<PythonName>)>,
    /// The globals' names, indexed once for "did you mean" (see `suggest`).
    global_names: suggest::GlobalNames,
}

impl Checker {
    fn error(&mut self, e: CheckError) {
        self.diags.push(e);
    }

    fn define(&mut self, name: &str, span: Span, order: usize, global: Global) {
        if let Some(first) = self.globals.defs.get(name) {
            let first = first.span;
            self.error(CheckError::DuplicateName {
                name: name.to_string(),
                span,
                first,
            });
            return;
        }
        self.globals.defs.insert(
            name.to_string(),
            GlobalDef {
                global,
                span,
                order,
            },
        );
    }

    fn collect_globals(&mut self, module: &ast::Module) {
        for (order, item) in module.items.iter().enumerate() {
            match &item.kind {
                ItemKind::Let { name, .. } => self.define(
                    &name.name,
                    name.span,
                    order,
                    Global::Const {
                        ty: Type::Any,
                        literal: None,
                    },
                ),
                ItemKind::Fn { name, params, body } => {
                    let params = params.iter().map(|p| p.name.clone()).collect();
                    let global = Global::Fn {
                        params,
                        body: body.clone(),
                    };
                    self.define(&name.name, name.span, order, global);
                }
                ItemKind::Python {
                    code: raw,
                    code_span,
                } => {
                    let code = python_block::dedent(raw);
                    self.check_python(raw, &code, *code_span);
                    let names = python_block::top_level_names(&code);
                    for name in &names {
                        let global = match &name {
                            PythonName::Function {
                                min_arity,
                                max_arity,
                                ..
                            } => Global::PythonFn {
                                min_arity: *min_arity,
                                max_arity: *max_arity,
                            },
                            PythonName::Constant { .. } => Global::PythonConst,
                        };
                        // A block may rebind its own names (`N = 1` … `N = 2`): only clashes
                        // with other items count as duplicates.
                        let same_block = self
                            .globals
                            .get(name.name())
                            .is_some_and(|d| d.order == order);
                        if !same_block {
                            self.define(name.name(), *code_span, order, global);
                        }
                    }
                    self.python_blocks.insert(order, (code, names));
                }
                ItemKind::Requirements(_) | ItemKind::Pipeline(_) => {}
            }
        }
    }

    /// Syntax errors, and syntax newer than Python 3.7, in a Python block, at their
    /// place in the `.gear` file.
    fn check_python(&mut self, raw: &str, code: &str, code_span: Span) {
        for p in python_syntax::problems(code) {
            let (start, mut end) = p.range;
            // An error at a line break (`expected ':'`) points at where the line ends.
            if code.get(start..end).is_some_and(|t| t.contains('\n')) {
                end = start;
            }
            let at = |offset| code_span.start + python_block::raw_offset(raw, offset);
            let span = Span::new(at(start), at(end).max(at(start)));
            self.error(match p.too_new {
                None => CheckError::PythonSyntax {
                    message: p.message,
                    span,
                },
                Some(help) => CheckError::PythonTooNew {
                    message: p.message,
                    span,
                    help: help.to_string(),
                },
            });
        }
    }

    fn program(&mut self, module: &ast::Module) -> ir::Program {
        let mut program = ir::Program {
            requirements: vec![],
            definitions: vec![],
            pipelines: vec![],
        };
        let mut first_run: Option<Span> = None;
        let mut first_register: Option<Span> = None;
        let mut continued = 0; // items already glued onto the pipeline before them
        for (order, item) in module.items.iter().enumerate() {
            if continued > 0 {
                continued -= 1;
                continue;
            }
            match &item.kind {
                ItemKind::Requirements(reqs) => {
                    for r in reqs {
                        if r.value.trim().is_empty() || r.value.contains(char::is_whitespace) {
                            self.error(CheckError::InvalidValue {
                                what: "requirement".to_string(),
                                value: r.value.clone(),
                                span: r.span,
                                help: "a requirement is one pip specifier without spaces, e.g. \"requests\" or \"numpy==1.26\"".to_string(),
                            });
                        } else if !program.requirements.contains(&r.value) {
                            program.requirements.push(r.value.clone());
                        }
                    }
                }
                ItemKind::Let { name, value } => {
                    let scope = Scope {
                        defined_before: Some(order),
                        ..Scope::default()
                    };
                    let value = self.expr(value, &scope);
                    let literal = self.literal_json(&value);
                    if let Some(def) = self.globals.defs.get_mut(&name.name) {
                        if def.order == order {
                            def.global = Global::Const {
                                ty: value.ty.clone(),
                                literal,
                            };
                        }
                    }
                    program.definitions.push(Definition::Const {
                        name: name.name.clone(),
                        value,
                        span: item.span,
                    });
                }
                ItemKind::Fn { name, params, body } => {
                    for (i, p) in params.iter().enumerate() {
                        if let Some(first) = params[..i].iter().find(|q| q.name == p.name) {
                            self.error(CheckError::DuplicateName {
                                name: p.name.clone(),
                                span: p.span,
                                first: first.span,
                            });
                        }
                    }
                    let typed = params.iter().map(|p| (p.name.clone(), Type::Any)).collect();
                    let (params, body) = self.lambda_body(typed, body, &Scope::default());
                    program.definitions.push(Definition::Fn {
                        name: name.name.clone(),
                        params,
                        body: *body,
                        span: item.span,
                    });
                }
                ItemKind::Python { code_span, .. } => {
                    let (code, names) = self.python_blocks.remove(&order).unwrap_or_default();
                    program.definitions.push(Definition::Python {
                        code,
                        names: names.iter().map(|n| n.name().to_string()).collect(),
                        span: item.span,
                        code_span: *code_span,
                    })
                }
                ItemKind::Pipeline(p) => {
                    let joined = self.join_continuations(p, &module.items[order + 1..]);
                    let p = match &joined {
                        Some((whole, glued)) => {
                            continued = *glued;
                            whole
                        }
                        None => p,
                    };
                    if let Some(t) = p
                        .terminal
                        .as_ref()
                        .filter(|t| t.kind == TerminalKind::Register)
                    {
                        first_register.get_or_insert(t.keyword_span);
                    }
                    if let Some(t) = p.terminal.as_ref().filter(|t| t.kind == TerminalKind::Run) {
                        match first_run {
                            Some(first) => self.error(CheckError::SecondRun {
                                span: t.keyword_span,
                                first,
                            }),
                            None => first_run = Some(t.keyword_span),
                        }
                    }
                    if let Some(p) = self.pipeline(p) {
                        program.pipelines.push(p);
                    }
                }
            }
        }
        if let (Some(run), Some(register)) = (first_run, first_register) {
            self.error(CheckError::RunBesideRegister {
                span: run,
                register,
            });
        }
        program
    }
}
