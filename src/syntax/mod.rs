//! Stage 1: source text → [`ast::Module`]. Knows the grammar, nothing about types.

pub mod ast;
mod error;
mod expected;
mod layout;
mod literal;
mod parser;
pub mod span;

pub use error::SyntaxError;
pub use parser::parse;
pub use span::Span;
