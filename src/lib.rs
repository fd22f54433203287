//! gearc: the Gear pipeline language, compiled to RedisGears 1.x Python.
//!
//! The stages, each with its own boundary type:
//!
//! | stage | module | input → output |
//! |---|---|---|
//! | syntax | [`syntax`] | source text → [`syntax::ast::Module`] |
//! | check | [`check`] | AST → typed [`ir::Program`] + diagnostics |
//! | lower | [`lower`] | IR → Python module + line map |
//! | submit | [`submit`] | Python module → results, from RedisGears (server) or a plain Redis (local engine) |
//!
//! [`compile()`] runs the first three.

pub mod check;
pub(crate) mod compact_map;
pub mod compile;
pub mod diagnostics;
pub mod fixture;
pub mod ir;
pub mod lower;
pub mod snippet;
pub mod submit;
pub mod syntax;

pub use compile::{compile, Compiled, PipelineInfo};
pub use diagnostics::Diagnostic;
