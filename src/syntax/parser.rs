//! Source text → [`ast::Module`](super::ast::Module).
//!
//! Three steps: the layout pass cuts the file into items (`layout.rs`), pest
//! parses each item on its own with `Rule::item`, and the pairs become AST
//! nodes (`build.rs`). Parsing items separately lets one run report a mistake
//! in every item, not just the first. Spans are byte offsets into the original
//! source: the layout copy has the same length, and each item's pairs are
//! shifted by the item's offset.

// NOTE(parser): two things the AST cannot hold, and what the parser does instead.
// - Parentheses have no node: `(a + b)` is the inner expression, with its span
//   widened to cover the parentheses.
// - `-9223372036854775808` (i64::MIN) is one `Int` literal, not a `Unary` minus
//   over 9223372036854775808, which does not fit `Int(i64)` (`Builder::negate_min`).

use pest::Parser as _;

use super::ast::{Item, Module};
use super::build::Builder;
use super::error::SyntaxError;
use super::expected;
use super::layout::{self, Chunk};
use super::span::Span;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/gear.pest"]
pub(crate) struct GearParser;

/// Held while a parse runs; see `parse`.
static DETAIL_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Parses a whole `.gear` file. On failure, returns every syntax error found,
/// in source order.
pub fn parse(source: &str) -> Result<Module, Vec<SyntaxError>> {
    // pest's error detail (richer "expected …" sets) costs about a quarter of the
    // parse time, so it is on only while a failed item is parsed again. The flag is
    // process-wide: the lock keeps concurrent parses from seeing each other's setting.
    let _detail = DETAIL_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(false);
    let layout = layout::layout(source);
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for chunk in &layout.items {
        if !chunk.errors.is_empty() {
            errors.extend(chunk.errors.iter().cloned());
            continue;
        }
        match parse_item(&layout.text, chunk) {
            Ok(item) => items.push(item),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if errors.is_empty() {
        Ok(Module { items })
    } else {
        errors.sort_by_key(|e| (e.span().start, e.span().end));
        Err(errors)
    }
}

fn parse_item(text: &str, chunk: &Chunk) -> Result<Item, Vec<SyntaxError>> {
    let item_text = text.get(chunk.start..chunk.end).unwrap_or_default();
    let pairs = GearParser::parse(Rule::item, item_text).map_err(|_| {
        pest::set_error_detail(true);
        let detailed = GearParser::parse(Rule::item, item_text).err();
        pest::set_error_detail(false);
        detailed
            .map(|e| vec![expected::syntax_error(&e, text, chunk)])
            .unwrap_or_default()
    })?;
    let (item, errors) = Builder::new(chunk.start).build(pairs);
    match item {
        Some(item) if errors.is_empty() => Ok(item),
        Some(_) => Err(errors),
        None => Err(vec![SyntaxError::Unexpected {
            expected: "a valid item".to_owned(),
            found: "a form the parser cannot build".to_owned(),
            span: Span::new(chunk.start, chunk.end),
            label: "gearc could not read this".to_owned(),
            help: "this is a bug in gearc: the grammar accepted this item, please report it"
                .to_owned(),
        }]),
    }
}
