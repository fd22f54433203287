//! Names: the file's globals (constants, functions, Python-block names) and the
//! scope an expression is checked in (the record, lambda or `fn` parameters).

use std::rc::Rc;

use crate::compact_map::NameTable;
use crate::ir::Type;
use crate::syntax::ast;
use crate::syntax::Span;

#[derive(Clone, Debug)]
pub enum Global {
    Const {
        ty: Type,
        /// The value as JSON text when it is made of literals (for empty-result
        /// fill-ins): text rather than a `serde_json::Value`, which is 80 bytes in every
        /// constant's entry and rarely read.
        literal: Option<Box<str>>,
    },
    /// Shared: every use of a global copies its definition (`Globals::get(…).cloned()`).
    Fn {
        body: FnBody,
    },
    PythonFn {
        min_arity: usize,
        max_arity: Option<usize>,
    },
    PythonConst,
}

impl Global {
    /// The value of a constant made of literals.
    pub fn literal(&self) -> Option<serde_json::Value> {
        match self {
            Global::Const {
                literal: Some(json),
                ..
            } => serde_json::from_str(json).ok(),
            _ => None,
        }
    }
}

/// A `fn`'s parameters and body, which the checker checks again with each new set of
/// argument types its callers give (`fn_result`).
#[derive(Clone, Debug)]
pub enum FnBody {
    /// Its parameters and tree, when the whole file's tree is at hand ([`super::check`]).
    Tree(Rc<[String]>, Rc<ast::Expr>),
    /// Item `item` of the file the checker reads item by item, a `fn` with `params`
    /// parameters whose head reads (`syntax::fn_head`): its parameters are read again,
    /// and its body parsed again, from the file's items when a call needs them
    /// (`Checker::fn_params`, `Checker::fn_body`). The compiler keeps one item's tree at
    /// a time, and a tree is about ten times the size of its text.
    Item { item: usize, params: usize },
}

impl FnBody {
    /// How many parameters the `fn` has.
    pub fn arity(&self) -> usize {
        match self {
            FnBody::Tree(params, _) => params.len(),
            FnBody::Item { params, .. } => *params,
        }
    }
}

#[derive(Clone, Debug)]
pub struct GlobalDef {
    pub global: Global,
    pub span: Span,
    /// Position of the defining item in the file: a `let` may only use what comes before it.
    pub order: usize,
}

#[derive(Debug, Default)]
pub struct Globals {
    /// By name: a large file has thousands of globals.
    pub(crate) defs: NameTable<GlobalDef>,
}

impl Globals {
    pub fn get(&self, name: &str) -> Option<&GlobalDef> {
        self.defs.get(name)
    }

    /// `Some(arity range)` when `name` is a function the language can call.
    pub fn function_arity(&self, name: &str) -> Option<(usize, Option<usize>)> {
        match &self.defs.get(name)?.global {
            Global::Fn { body } => Some((body.arity(), Some(body.arity()))),
            Global::PythonFn {
                min_arity,
                max_arity,
            } => Some((*min_arity, *max_arity)),
            _ => None,
        }
    }
}

/// Where an expression is: what `it` and bare names mean there.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The current record's type, inside an operation's expression (not inside a lambda).
    pub record: Option<Type>,
    /// Parameters of the enclosing `fn` or lambda.
    pub locals: Vec<(String, Type)>,
    /// Inside a `let` at this item position: only earlier globals may be used.
    pub defined_before: Option<usize>,
}

impl Scope {
    pub fn record(ty: &Type) -> Self {
        Scope {
            record: Some(ty.clone()),
            ..Scope::default()
        }
    }

    pub fn params(params: Vec<(String, Type)>) -> Self {
        Scope {
            locals: params,
            ..Scope::default()
        }
    }

    pub fn local(&self, name: &str) -> Option<&Type> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }
}
