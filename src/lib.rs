//! gearc: the Gear pipeline language, compiled to RedisGears 1.x Python.
//!
//! The stages, each with its own boundary type:
//!
//! | stage | module | input → output |
//! |---|---|---|
//! | syntax | [`syntax`] | source text → [`syntax::ast::Module`] |
//! | check | [`check`] | AST → typed [`ir::Program`] + diagnostics |
//! | lower | [`lower`] | IR → Python module + line map |
//! | engine | [`engine`] | Python module → results from a plain Redis (local run) |
//!
//! [`compile()`] runs the first three.

pub mod check;
pub mod compile;
pub mod diagnostics;
pub mod engine;
pub mod ir;
pub mod lower;
pub mod syntax;

pub use compile::{compile, Compiled, PipelineInfo};
pub use diagnostics::Diagnostic;
