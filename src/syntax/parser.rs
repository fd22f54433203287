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

use pest::error::InputLocation;
use pest::Parser as _;

use super::ast::{Item, Module};
use super::build::Builder;
use super::error::SyntaxError;
use super::expected;
use super::layout::{self, Chunk};
use super::span::Span;

/// The language's grammar, `grammar/gear.pest`: an item that fails to parse is parsed
/// again with it, and the "expected …" messages come from what it tried.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/gear.pest"]
pub(crate) struct GearParser;

/// The grammar gearc parses with, `grammar/gear_fast.pest`: the same language and the
/// same pairs as [`GearParser`], with lookaheads that skip the alternatives that cannot
/// match (several times fewer rule calls). Its own module: each grammar makes a `Rule`.
pub(crate) mod fast {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/gear_fast.pest"]
    pub(crate) struct FastParser;
}

/// pest's error detail (richer "expected …" sets) costs about a quarter of the parse
/// time, so it is on only while a failed item is parsed again with `gear.pest`. The flag
/// is process-wide: items are parsed with this lock read (several threads at once, the
/// flag off), and a failed item is parsed again with it written (alone, the flag on).
static DETAIL_LOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Parses a whole `.gear` file. On failure, returns every syntax error found,
/// in source order.
pub fn parse(source: &str) -> Result<Module, Vec<SyntaxError>> {
    let items = Items::new(source);
    let mut parsed = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for i in 0..items.len() {
        match items.parse(i) {
            Ok(item) => parsed.push(item),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if errors.is_empty() {
        Ok(Module { items: parsed })
    } else {
        errors.sort_by_key(|e| (e.span().start, e.span().end));
        Err(errors)
    }
}

/// A file cut into items by the layout pass, each parsed when asked for: the compiler
/// parses, checks and lowers one item at a time, so that only one item's pairs and
/// tree are alive at once (`crate::compile`).
pub(crate) struct Items<'s> {
    layout: layout::Layout<'s>,
}

impl<'s> Items<'s> {
    pub fn new(source: &'s str) -> Self {
        Items {
            layout: layout::layout(source),
        }
    }

    pub fn len(&self) -> usize {
        self.layout.items.len()
    }

    /// Where item `i` starts in the source.
    pub fn start(&self, i: usize) -> usize {
        self.layout.items[i].start()
    }

    /// Item `i` as written (comments not blanked): borrowed, for a look at its first
    /// word or its length without the copy [`Items::text`] makes of an item with comments.
    pub fn source_of(&self, i: usize) -> &'s str {
        self.layout.item_source(&self.layout.items[i])
    }

    /// Item `i` as pest sees it (comments blanked, inner newlines as spaces).
    pub fn text(&self, i: usize) -> std::borrow::Cow<'s, str> {
        self.layout.item_text(&self.layout.items[i])
    }

    /// Whether nothing but spaces comes after item `i` (comments blanked).
    fn at_end_of_file(&self, i: usize) -> bool {
        self.layout.items[i + 1..]
            .iter()
            .all(|c| self.layout.item_text(c).trim().is_empty())
    }

    /// Parses item `i`; its errors, in source order, when it has any.
    pub fn parse(&self, i: usize) -> Result<Item, Vec<SyntaxError>> {
        let chunk = &self.layout.items[i];
        let errors = self.layout.errors_of(i);
        if !errors.is_empty() {
            return Err(errors.to_vec());
        }
        parse_item(&self.text(i), chunk, &|| self.at_end_of_file(i))
    }
}

fn parse_item(
    item_text: &str,
    chunk: &Chunk,
    at_end_of_file: &dyn Fn() -> bool,
) -> Result<Item, Vec<SyntaxError>> {
    let fast = {
        let _no_detail = DETAIL_LOCK
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        fast::FastParser::parse(fast::Rule::item, item_text)
    };
    let pairs = fast.map_err(|fast_error| {
        let detailed = {
            let _detail = DETAIL_LOCK
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            pest::set_error_detail(true);
            let detailed = GearParser::parse(Rule::item, item_text).err();
            pest::set_error_detail(false);
            detailed
        };
        match detailed {
            Some(e) => vec![expected::syntax_error(
                &e,
                item_text,
                chunk,
                at_end_of_file(),
            )],
            // The grammars accept the same language: only pest's recursion limits can
            // stop one and not the other (their rules nest differently on the stack).
            None => {
                let pos = match fast_error.location {
                    InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
                };
                vec![expected::too_deep(item_text, chunk, pos)]
            }
        }
    })?;
    let (item, errors) = Builder::new(chunk.start()).build(pairs);
    match item {
        Some(item) if errors.is_empty() => Ok(item),
        Some(_) => Err(errors),
        None => Err(vec![SyntaxError::Unexpected {
            expected: "a valid item".to_owned(),
            found: "a form the parser cannot build".to_owned(),
            span: Span::new(chunk.start(), chunk.end()),
            label: "gearc could not read this".to_owned(),
            help: "this is a bug in gearc: the grammar accepted this item, please report it"
                .to_owned(),
        }]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of a parse, in order: rule name and span. `None` when it fails.
    fn pairs_of<R: pest::RuleType>(
        parsed: Result<pest::iterators::Pairs<'_, R>, pest::error::Error<R>>,
    ) -> Option<Vec<(String, usize, usize)>> {
        let pairs = parsed.ok()?;
        Some(
            pairs
                .flatten()
                .map(|p| {
                    (
                        format!("{:?}", p.as_rule()),
                        p.as_span().start(),
                        p.as_span().end(),
                    )
                })
                .collect(),
        )
    }

    /// The `.gear` files of the repository: examples, error corpus, run corpus.
    fn corpus() -> Vec<(String, String)> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = Vec::new();
        for dir in ["examples", "tests/errors", "tests/run"] {
            let entries = std::fs::read_dir(format!("{root}/{dir}")).expect("corpus folder");
            for entry in entries {
                let path = entry.expect("entry").path();
                if path.extension().is_some_and(|e| e == "gear") {
                    let text = std::fs::read_to_string(&path).expect("read");
                    files.push((path.display().to_string(), text));
                }
            }
        }
        files.sort();
        assert!(
            files.len() > 100,
            "the corpus is there: {} files",
            files.len()
        );
        files
    }

    /// The fast grammar parses with the same outcome and the same pairs as the
    /// language's grammar: on every item of the corpus, and on every prefix of each
    /// (cut anywhere, most of them fail, and must fail in both).
    #[test]
    fn the_fast_grammar_agrees_with_the_language_grammar() {
        let (mut parsed, mut failed) = (0, 0);
        for (path, source) in corpus() {
            let layout = layout::layout(&source);
            for chunk in &layout.items {
                let item = &*layout.item_text(chunk);
                let cuts = item.char_indices().map(|(i, _)| i).chain([item.len()]);
                for cut in cuts {
                    let text = &item[..cut];
                    let fast = pairs_of(fast::FastParser::parse(fast::Rule::item, text));
                    let reference = pairs_of(GearParser::parse(Rule::item, text));
                    assert_eq!(fast, reference, "{path}: {text:?}");
                    match fast {
                        Some(_) => parsed += 1,
                        None => failed += 1,
                    }
                }
            }
        }
        assert!(
            parsed > 1000 && failed > 5000,
            "{parsed} parsed, {failed} failed"
        );
    }
}
