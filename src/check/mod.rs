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

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use continuation::continues;
use error::CheckError;
use python_block::PythonName;
pub use scope::FnBody;
use scope::{Global, GlobalDef, Globals, Scope};

use crate::compact_map::CompactMap;
use crate::ir::{self, Definition, Type};
use crate::syntax::ast::{self, ItemKind, TerminalKind};
use crate::syntax::{self, Items, Span};

/// What the checker found: the program (when there are no errors) and every diagnostic,
/// warnings included, in source order.
#[derive(Debug)]
pub struct Checked {
    pub program: Option<ir::Program>,
    pub diagnostics: Vec<CheckError>,
}

/// Checks a whole module: its declarations first, then each item in order, as
/// [`Checker`] does for the compiler's item-by-item pass (`crate::compile`).
pub fn check(module: &ast::Module) -> Checked {
    let mut checker = Checker::default();
    for (order, item) in module.items.iter().enumerate() {
        checker.declare_item(order, item);
    }
    let mut definitions = Vec::new();
    let mut pipelines = Vec::new();
    let mut keep = |checked| match checked {
        CheckedItem::Definition(d) => definitions.push(d),
        CheckedItem::Pipeline(p) => pipelines.push(p),
    };
    for (order, item) in module.items.iter().enumerate() {
        checker.item(order, item, &mut keep);
    }
    let end = checker.finish(&mut keep);
    Checked {
        program: (!end.failed).then(|| ir::Program {
            requirements: end.requirements,
            definitions,
            pipelines,
        }),
        diagnostics: end.diagnostics,
    }
}

/// What one item checks to: a definition or a pipeline of the [`ir::Program`].
pub enum CheckedItem {
    Definition(Definition),
    Pipeline(ir::Pipeline),
}

/// What is known once every item is checked.
pub struct Finished {
    /// The `requirements` of every item, without repeats, in order.
    pub requirements: Vec<String>,
    /// Every diagnostic, warnings included, in source order.
    pub diagnostics: Vec<CheckError>,
    /// There is an error (not only warnings): the program must not be lowered.
    pub failed: bool,
}

/// The checker, fed one item at a time: first the declarations of every item
/// ([`Checker::declare_item`], or [`Checker::declare_let`] and [`Checker::declare_fn`]
/// from what the compiler reads off an item without parsing it), because a pipeline or
/// `fn` may use a global defined below it; then every item in order
/// ([`Checker::item`]), and [`Checker::finish`].
#[derive(Default)]
pub struct Checker<'i> {
    /// The file's items, when it is checked item by item ([`Checker::over`]): the `fn`s
    /// declared from their text (`FnBody::Item`) are read again from them.
    items: Option<&'i Items<'i>>,
    globals: Globals,
    diags: Vec<CheckError>,
    /// Result types of `fn`s, by the position of their item, per argument types (see
    /// `fn_result`): one entry per `fn` and call shape of the file, so its key is kept
    /// small.
    fn_results: CompactMap<(usize, Box<[Type]>), Type>,
    in_progress: Vec<String>,
    /// The trees of the last `fn` bodies parsed, by the position of their items (see
    /// `FnBody::Item`): a call right after its `fn`, or calls with several argument
    /// types, do not parse the body again.
    recent_fn_bodies: VecDeque<(usize, Rc<ast::Expr>)>,
    /// Each Python block, dedented, with every name it binds at module level, by item
    /// position (scanned once).
    python_blocks: HashMap<usize, (String, Vec<String>)>,
    /// The names Python blocks bind at module level that the language cannot use
    /// (imports, classes, `for` targets, …), where each is first bound: a `let` or `fn`
    /// of the same name would rebind it in the module.
    python_only_names: HashMap<String, Span>,
    /// The globals' names, indexed once for "did you mean" (see `nearest_name`).
    global_names: Option<suggest::GlobalNames>,
    /// A pipeline without a terminal, then the pipeline items after it that go on with
    /// it (`continuation.rs`): they are checked as one once the next item shows where
    /// the run ends.
    pending: Vec<ast::Pipeline>,
    requirements: Vec<String>,
    first_run: Option<Span>,
    first_register: Option<Span>,
    /// The first item's span, and whether any item is a pipeline.
    first_item: Option<Span>,
    has_pipeline: bool,
}

impl<'i> Checker<'i> {
    /// A checker of the items of `items`, fed them one at a time (`crate::compile`).
    pub(crate) fn over(items: &'i Items<'i>) -> Self {
        Checker {
            items: Some(items),
            ..Checker::default()
        }
    }
}

impl Checker<'_> {
    fn error(&mut self, e: CheckError) {
        self.diags.push(e);
    }

    fn define(&mut self, name: &str, span: Span, order: usize, global: Global) {
        let rebinds = rebinds_python_name(&global, name);
        if let Some(&first) = self.python_only_names.get(name).filter(|_| rebinds) {
            // Reported, and still defined: the language's uses of the name are of this
            // definition (the block's binding is not one the language can use).
            self.error(CheckError::DuplicateName {
                name: name.to_string(),
                span,
                first,
            });
        }
        if let Some(first) = self.globals.defs.get(name).map(|d| d.span) {
            self.error(CheckError::DuplicateName {
                name: name.to_string(),
                span,
                first,
            });
            return;
        }
        let def = GlobalDef {
            global,
            span,
            order,
        };
        // Not there: `get` said so just above.
        let _ = self.globals.defs.insert(name.into(), def);
    }

    /// Makes room for `globals` globals and calls of as many `fn`s, `fns`: the tables are
    /// made once at their size, rather than grown (a table that grows is, for a moment,
    /// twice: at the peak of a large file's memory).
    pub fn reserve(&mut self, globals: usize, fns: usize) {
        self.globals.defs.reserve(globals);
        self.fn_results.reserve(fns);
    }

    /// Declares the global that item `order` defines, if it defines one.
    pub fn declare_item(&mut self, order: usize, item: &ast::Item) {
        match &item.kind {
            ItemKind::Let { name, .. } => self.declare_let(order, &name.name, name.span),
            ItemKind::Fn { name, params, body } => {
                let params = params.iter().map(|p| p.name.clone()).collect();
                self.declare_fn(order, name, FnBody::Tree(params, Rc::new(body.clone())))
            }
            ItemKind::Python {
                code: raw,
                code_span,
            } => self.declare_python_block(order, raw, *code_span),
            ItemKind::Requirements(_) | ItemKind::Pipeline(_) => {}
        }
    }

    /// Declares the names of the Python block of item `order` (`raw` is its text, at
    /// `code_span`): its top-level `def`s and `NAME = …`, which the language can use;
    /// every other name it binds is kept to tell a `let` or `fn` that would rebind it.
    fn declare_python_block(&mut self, order: usize, raw: &str, code_span: Span) {
        let code = python_block::dedent(raw);
        let module_names = self.check_python(raw, &code, code_span);
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
            // A block may rebind its own names (`N = 1` … `N = 2`): only clashes with
            // other items count as duplicates.
            let same_block = self
                .globals
                .get(name.name())
                .is_some_and(|d| d.order == order);
            if !same_block {
                self.define(name.name(), code_span, order, global);
            }
        }
        let usable: HashSet<&str> = names.iter().map(PythonName::name).collect();
        let mut all: Vec<String> = names.iter().map(|n| n.name().to_string()).collect();
        for (name, span) in module_names {
            if usable.contains(name.as_str()) {
                continue;
            }
            // Only a `let` or `fn` clashes: two blocks may well import one module.
            let clash = self
                .globals
                .get(&name)
                .filter(|d| rebinds_python_name(&d.global, &name));
            if let Some(first) = clash.map(|d| d.span) {
                self.error(CheckError::DuplicateName {
                    name: name.clone(),
                    span,
                    first,
                });
            }
            self.python_only_names.entry(name.clone()).or_insert(span);
            all.push(name);
        }
        self.python_blocks.insert(order, (code, all));
    }

    /// Every name the Python block of item `order` binds at module level, once
    /// [`Checker::declare_item`] has read it.
    pub(crate) fn python_module_names(&self, order: usize) -> impl Iterator<Item = &str> {
        let block = self.python_blocks.get(&order).into_iter();
        block.flat_map(|(_, names)| names.iter().map(String::as_str))
    }

    /// Declares the constant of `let NAME = …` at item `order` (its type is known once
    /// its item is checked; until then it is `Any`).
    pub fn declare_let(&mut self, order: usize, name: &str, span: Span) {
        let global = Global::Const {
            ty: Type::Any,
            literal: None,
        };
        self.define(name, span, order, global);
    }

    /// Declares the function of `fn NAME(PARAMS) = BODY` at item `order`.
    pub fn declare_fn(&mut self, order: usize, name: &ast::Ident, body: FnBody) {
        self.define(&name.name, name.span, order, Global::Fn { body });
    }

    /// The name nearest to `name` among the globals and `others`, for "did you mean":
    /// the globals' names are copied and indexed when the first unknown name needs
    /// them (most files have none, and a large file has thousands of globals).
    fn nearest_name<'a>(
        &mut self,
        name: &str,
        others: impl IntoIterator<Item = &'a str>,
    ) -> Option<String> {
        let globals = &self.globals;
        self.global_names
            .get_or_insert_with(|| suggest::GlobalNames::new(globals.defs.keys()))
            .nearest(name, others)
    }

    /// The help for a name the language does not know that a Python block binds in a way
    /// the language cannot use (an import, a class, …).
    fn python_only_help(&self, name: &str) -> Option<String> {
        self.python_only_names.contains_key(name).then(|| {
            format!(
                "`{name}` is bound in a Python block (an import, a class, …), which the \
                 language cannot use: use it in a top-level `def` of the block, and call that"
            )
        })
    }

    /// Reports the syntax errors in a Python block, and syntax newer than Python 3.7;
    /// returns every name the block binds at module level, where it is first bound.
    fn check_python(&mut self, raw: &str, code: &str, code_span: Span) -> Vec<(String, Span)> {
        let offsets = python_block::RawOffsets::new(raw);
        let at = |offset| code_span.start + offsets.of(offset);
        let scan = python_syntax::scan(code);
        for p in scan.problems {
            let (start, mut end) = p.range;
            // An error at a line break (`expected ':'`) points at where the line ends.
            if code.get(start..end).is_some_and(|t| t.contains('\n')) {
                end = start;
            }
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
        let names = scan.module_names.into_iter();
        names
            .map(|(name, (start, end))| (name, Span::new(at(start), at(end).max(at(start)))))
            .collect()
    }

    /// Checks item `order`; hands what it checks to (now or, for a pipeline that may
    /// go on in the next item, later) to `out`.
    pub fn item(&mut self, order: usize, item: &ast::Item, out: &mut dyn FnMut(CheckedItem)) {
        if let ItemKind::Pipeline(p) = &item.kind {
            self.first_item.get_or_insert(item.span);
            self.has_pipeline = true;
            if self.pending.last().is_some_and(|last| continues(last, p)) {
                self.pending.push(p.clone());
                return;
            }
            self.flush(out);
            if p.terminal.is_none() {
                self.pending.push(p.clone());
            } else {
                self.pipeline_item(p, &[], out);
            }
            return;
        }
        self.before(item.span, out);
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
                    } else if !self.requirements.contains(&r.value) {
                        self.requirements.push(r.value.clone());
                    }
                }
            }
            ItemKind::Let { name, value } => {
                let scope = Scope {
                    defined_before: Some(order),
                    ..Scope::default()
                };
                let value = self.expr(value, &scope);
                let literal = self
                    .literal_json(&value)
                    .map(|v| v.to_string().into_boxed_str());
                if let Some(def) = self.globals.defs.get_mut(name.name.as_str()) {
                    if def.order == order {
                        def.global = Global::Const {
                            ty: value.ty.clone(),
                            literal,
                        };
                    }
                }
                out(CheckedItem::Definition(Definition::Const {
                    name: name.name.clone(),
                    value,
                    span: item.span,
                }));
            }
            ItemKind::Fn { name, params, body } => {
                self.fn_definition(name, params, body, item.span, out);
                // Calls often follow their `fn`: its tree is at hand now, if it is the one
                // declared from its text.
                let declared = self.globals.get(&name.name).is_some_and(|d| {
                    d.order == order
                        && matches!(
                            d.global,
                            Global::Fn {
                                body: FnBody::Item { .. }
                            }
                        )
                });
                if declared {
                    self.remember_fn_body(order, Rc::new(body.clone()));
                }
            }
            ItemKind::Python { code_span, .. } => {
                let (code, names) = self.python_blocks.remove(&order).unwrap_or_default();
                out(CheckedItem::Definition(Definition::Python {
                    code,
                    names,
                    span: item.span,
                    code_span: *code_span,
                }))
            }
            ItemKind::Pipeline(_) => {}
        }
    }

    fn fn_definition(
        &mut self,
        name: &ast::Ident,
        params: &[ast::Ident],
        body: &ast::Expr,
        span: Span,
        out: &mut dyn FnMut(CheckedItem),
    ) {
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
        out(CheckedItem::Definition(Definition::Fn {
            name: name.name.clone(),
            params,
            body: *body,
            span,
        }));
    }

    /// The parameters of a `fn` (read again from its item's head when it was declared
    /// from its text).
    fn fn_params(&self, body: &FnBody) -> Rc<[String]> {
        match body {
            FnBody::Tree(params, _) => Rc::clone(params),
            FnBody::Item { item, .. } => self
                .items
                .and_then(|items| syntax::fn_head(&items.text(*item), items.start(*item)))
                .map(|(_, params)| params.into_iter().map(|p| p.name).collect())
                .unwrap_or_default(),
        }
    }

    /// The tree of a `fn`'s body: parsed again from its item unless it is among the
    /// last few parsed; `None` when its item does not parse (then the syntax error is
    /// reported where the item is, and only syntax errors are).
    fn fn_body(&mut self, body: &FnBody) -> Option<Rc<ast::Expr>> {
        let item = match body {
            FnBody::Tree(_, tree) => return Some(Rc::clone(tree)),
            FnBody::Item { item, .. } => *item,
        };
        if let Some((_, tree)) = self.recent_fn_bodies.iter().find(|(i, _)| *i == item) {
            return Some(Rc::clone(tree));
        }
        let parsed = self.items?.parse(item).ok()?;
        let ItemKind::Fn { body, .. } = parsed.kind else {
            return None;
        };
        let tree = Rc::new(body);
        self.remember_fn_body(item, Rc::clone(&tree));
        Some(tree)
    }

    /// Keeps the tree of the body of the `fn` of item `item` among the last few parsed.
    fn remember_fn_body(&mut self, item: usize, tree: Rc<ast::Expr>) {
        const RECENT: usize = 16;
        if self.recent_fn_bodies.len() == RECENT {
            self.recent_fn_bodies.pop_front();
        }
        self.recent_fn_bodies.push_back((item, tree));
    }

    /// Before an item that is not a pipeline: the pipeline pending before it is whole.
    fn before(&mut self, span: Span, out: &mut dyn FnMut(CheckedItem)) {
        self.first_item.get_or_insert(span);
        self.flush(out);
    }

    /// Checks the pending pipeline, with the lines that go on with it glued on.
    fn flush(&mut self, out: &mut dyn FnMut(CheckedItem)) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        self.pipeline_item(&pending[0], &pending[1..], out);
    }

    fn pipeline_item(
        &mut self,
        p: &ast::Pipeline,
        rest: &[ast::Pipeline],
        out: &mut dyn FnMut(CheckedItem),
    ) {
        let joined = self.join_continuations(p, rest);
        let p = joined.as_ref().map_or(p, |(whole, _)| whole);
        if let Some(t) = p
            .terminal
            .as_ref()
            .filter(|t| t.kind == TerminalKind::Register)
        {
            self.first_register.get_or_insert(t.keyword_span);
        }
        if let Some(t) = p.terminal.as_ref().filter(|t| t.kind == TerminalKind::Run) {
            match self.first_run {
                Some(first) => self.error(CheckError::SecondRun {
                    span: t.keyword_span,
                    first,
                }),
                None => self.first_run = Some(t.keyword_span),
            }
        }
        if let Some(p) = self.pipeline(p) {
            out(CheckedItem::Pipeline(p));
        }
    }

    /// Whether an error (not a warning) was found so far.
    pub fn failed(&self) -> bool {
        self.diags.iter().any(|d| !d.is_warning())
    }

    /// After the last item: what the whole file says (a `run` beside a `register`, no
    /// pipeline at all), and every diagnostic in source order.
    pub fn finish(mut self, out: &mut dyn FnMut(CheckedItem)) -> Finished {
        self.flush(out);
        if let (Some(run), Some(register)) = (self.first_run, self.first_register) {
            self.error(CheckError::RunBesideRegister {
                span: run,
                register,
            });
        }
        // Only for a file that otherwise checks: while it has errors, it is being written.
        if !self.has_pipeline && !self.failed() {
            let span = self.first_item.unwrap_or(Span::new(0, 0));
            self.error(CheckError::NoPipelines { span });
        }
        let mut diagnostics = self.diags;
        diagnostics.sort_by_key(|d| (d.span().start, d.span().end));
        diagnostics.dedup();
        let failed = diagnostics.iter().any(|d| !d.is_warning());
        Finished {
            requirements: self.requirements,
            diagnostics,
            failed,
        }
    }
}

/// Whether a global `name` of this kind would rebind, in the module, a name a Python
/// block binds: a `let` or `fn` does, unless gearc renames it in Python because its
/// module uses the name itself (`ir::python_names`).
fn rebinds_python_name(global: &Global, name: &str) -> bool {
    matches!(global, Global::Const { .. } | Global::Fn { .. })
        && !ir::python_names::is_reserved(name)
}
