//! Stage 1: source text → [`ast::Module`]. Knows the grammar, nothing about types.
//!
//! [`parse`] takes any text without panicking: every mistake comes back as a
//! [`SyntaxError`].

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod ahead;
pub mod ast;
mod build;
mod error;
mod expected;
mod layout;
mod literal;
mod parser;
pub mod span;

pub(crate) use ahead::{parse_ahead, ParsedItem};
pub use error::SyntaxError;
pub use parser::parse;
pub(crate) use parser::{parse_item_at, Items};
pub use span::Span;
