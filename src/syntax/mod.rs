//! Stage 1: source text → [`ast::Module`]. Knows the grammar, nothing about types.

pub mod ast;
pub mod span;

pub use span::Span;
