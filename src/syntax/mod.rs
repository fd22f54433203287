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
mod head;
mod layout;
mod literal;
mod parser;
pub mod span;

pub(crate) use ahead::{parse_ahead, ParsedItem};
pub use error::SyntaxError;
pub(crate) use head::{first_word, fn_head, let_name};
pub use parser::parse;
pub(crate) use parser::Items;
pub use span::Span;
